import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 15_000;

export interface KeyPair {
  /** Private key file. */
  path: string;
  /** The `.pub` line: `type base64 comment`. */
  publicLine: string;
  /** The raw public key blob. */
  blob: Buffer;
}

/** A throwaway sshd on 127.0.0.1, run by this test process and stopped by it. */
export interface TestSshd {
  port: number;
  dir: string;
  hostKey: KeyPair;
  /** A key in the server's authorized_keys (for any user it lets in: root). */
  userKey: KeyPair;
  /** `[127.0.0.1]:port type base64`, the known_hosts line for this server. */
  knownHostsLine: string;
  /** What sshd has logged so far (LogLevel VERBOSE: "Accepted publickey for root …" per login). */
  log(): string;
  stop(): Promise<void>;
}

/** ssh-keygen, non-interactive; passphrase '' makes an unencrypted key. */
export function keygen(dir: string, name: string, passphrase = '', type = 'ed25519'): KeyPair {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', `runstate-test-${name}`, '-f', path]);
  const publicLine = readFileSync(`${path}.pub`, 'utf8').trim();
  const blob = Buffer.from(publicLine.split(/\s+/)[1] ?? '', 'base64');
  return { path, publicLine, blob };
}

/** A port that was free a moment ago (sshd reports a clash, and start() then tries another). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `extraConfig`: more sshd_config lines (e.g. `SetEnv DOCKER_HOST=…` for a test's own engine). */
export async function startSshd(extraConfig: readonly string[] = []): Promise<TestSshd> {
  if (!existsSync(SSHD)) {
    throw new Error(
      `${SSHD} is missing: the e2e tests need OpenSSH's server (apt-get install -y openssh-server openssh-client)`,
    );
  }
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'runstate-sshd-'));
  const hostKey = keygen(dir, 'host_ed25519');
  const userKey = keygen(dir, 'user_ed25519');
  writeFileSync(join(dir, 'authorized_keys'), `${userKey.publicLine}\n`, { mode: 0o600 });

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, port, hostKey.path, extraConfig));
    const started = await launch(dir, port);
    if ('child' in started) {
      const { child, log } = started;
      return {
        port,
        dir,
        hostKey,
        userKey,
        knownHostsLine: `[127.0.0.1]:${port} ${hostKey.publicLine.split(/\s+/).slice(0, 2).join(' ')}`,
        log,
        stop: () => stopChild(child, dir),
      };
    }
    lastError = started.error;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start: ${lastError}`);
}

function sshdConfig(dir: string, port: number, hostKeyPath: string, extra: readonly string[]): string {
  return [
    ...extra,
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKeyPath}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // The one AuthorizedKeysFile serves every user: only root may use it, so "wrong user" fails auth.
    'AllowUsers root',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

function launch(
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; log: () => string } | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let done = false;
    const finish = (r: { child: ChildProcess; log: () => string } | { error: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ error: `no "Server listening" within ${START_TIMEOUT_MS} ms: ${log}` });
    }, START_TIMEOUT_MS);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) finish({ child, log: () => log });
    });
    child.on('exit', (code) => finish({ error: `sshd exited with ${code}: ${log}` }));
    child.on('error', (err) => finish({ error: err.message }));
  });
}

/** Stops the sshd this helper started (by its own PID, nothing else) and removes its files. */
function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      cleanup();
    }, 5_000);
    if (child.exitCode !== null || child.signalCode !== null) return cleanup();
    child.once('exit', cleanup);
    child.kill('SIGTERM');
  });
}
