/**
 * The benchmark's own machine: a dedicated sshd on 127.0.0.1 (own host key, own config), a login
 * user whose shell reads no rc files, and 3 SysV services, all removed again by stop().
 *
 * Why a user of its own: a root login on these machines runs root's interactive shell set-up
 * (pyenv hooks) for every SSH command, which costs more than sshd itself and would swamp every
 * column. The user has uid 0 (init scripts and Ansible's service module want root) but /bin/sh as
 * its shell and an empty home.
 *
 * Why a mount namespace: the observe script (and Ansible's sysvinit module) look for services in
 * /etc/init.d and /etc/rc?.d. The sshd runs under `unshare --mount` with the bench's own init.d and
 * rc?.d bind-mounted over those directories, so every session it opens sees exactly 3 benchmark
 * services while this machine's own /etc, and its own services, are untouched.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/e2e/helpers/sshd.js';

/** Two running, one stopped: with all three declared running, every host has one real drift. */
export const SERVICES = [
  { name: 'bench-db', running: true },
  { name: 'bench-app', running: true },
  { name: 'bench-web', running: false },
] as const;

/**
 * Aliases per sshd at most. sshd listens with a backlog of 128 (OpenSSH's SSH_LISTEN_BACKLOG; `ss
 * -ltn` shows it as Send-Q), and accepts slowly (a fork and re-exec per connection): 500 clients
 * connecting at once to ONE sshd overflow its accept queue (TcpExtListenOverflows grew by ~3,000 per
 * N = 500 fan-out), the kernel drops their handshakes, and those whose SYN-ACK retries run out are
 * reset (ECONNRESET) or time out — whatever the client. N real hosts have N sshds, each with its
 * own queue, so the bench spreads its aliases over ceil(N / 100) sshds (docs/performance.md).
 */
export const ALIASES_PER_SSHD = 100;

export interface Loopback {
  dir: string;
  /** The first sshd's port (alias i connects to ports[i % ports.length]). */
  port: number;
  ports: number[];
  user: string;
  keyPath: string;
  knownHostsPath: string;
  /** The server's public host key blob (for the bare ssh2 fan-out's host key check). */
  hostKeyBlob: Buffer;
  /** "Accepted publickey" lines sshd has logged so far: one per SSH connection opened. */
  connections(): number;
  stop(): Promise<void>;
}

/** A Debian-style LSB init script; `status` goes through /lib/lsb/init-functions like real ones. */
function initScript(name: string, stateDir: string): string {
  return `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:    $remote_fs
# Required-Stop:     $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: runstate benchmark service ${name}
### END INIT INFO
PIDFILE=${stateDir}/${name}.pid
. /lib/lsb/init-functions
case "$1" in
  start) [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && exit 0
         nohup sleep 100000 >/dev/null 2>&1 & echo $! > "$PIDFILE" ;;
  stop) [ -s "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null; rm -f "$PIDFILE" ;;
  restart) "$0" stop; "$0" start ;;
  status) status_of_proc -p "$PIDFILE" /bin/sleep ${name} ;;
  *) echo "Usage: $0 {start|stop|restart|status}" >&2; exit 3 ;;
esac
`;
}

function sshdConfig(dir: string, port: number, user: string, index: number): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `AllowUsers ${user}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // 500 hosts connect at once: sshd's default (10:30:100) would drop most of them.
    'MaxStartups 2000',
    'PrintMotd no',
    'LogLevel INFO',
    '',
  ].join('\n');
}

const LEVELS = ['0', '1', '2', '3', '4', '5', '6', 'S'];

/** The sh command that bind-mounts the tree of writeServices over this machine's /etc/init.d and /etc/rc?.d. */
export function bindServices(etc: string): string {
  return ['init.d', ...LEVELS.map((l) => `rc${l}.d`)]
    .map((d) => `mount --bind ${join(etc, d)} /etc/${d}`)
    .join(' && ');
}

/** The service tree the sshd's sessions see instead of /etc/init.d and /etc/rc?.d (also bench/observe-host.ts). */
export function writeServices(dir: string): { etc: string; state: string; sleeper: ChildProcess } {
  const etc = join(dir, 'etc');
  const state = join(dir, 'state');
  mkdirSync(join(etc, 'init.d'), { recursive: true });
  mkdirSync(state);
  for (const level of LEVELS) mkdirSync(join(etc, `rc${level}.d`));
  // One real process stands in for the running services' daemons.
  const sleeper = spawn('sleep', ['100000'], { stdio: 'ignore', detached: false });
  for (const s of SERVICES) {
    const path = join(etc, 'init.d', s.name);
    writeFileSync(path, initScript(s.name, state));
    chmodSync(path, 0o755);
    for (const level of ['2', '3', '4', '5'])
      symlinkSync(`../init.d/${s.name}`, join(etc, `rc${level}.d`, `S01${s.name}`));
    for (const level of ['0', '1', '6'])
      symlinkSync(`../init.d/${s.name}`, join(etc, `rc${level}.d`, `K01${s.name}`));
    if (s.running) writeFileSync(join(state, `${s.name}.pid`), `${sleeper.pid}\n`);
  }
  return { etc, state, sleeper };
}

export async function startLoopback(sshds = 1): Promise<Loopback> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync('/tmp/rsb-');
  chmodSync(dir, 0o755);
  const user = `rsbench${dir
    .slice(-4)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const home = join(dir, 'home');
  mkdirSync(home);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')), { mode: 0o600 });
  const hostPub = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
  const hostKeyBlob = Buffer.from(hostPub[1] ?? '', 'base64');
  const { etc, sleeper } = writeServices(dir);
  execFileSync('useradd', ['-o', '-u', '0', '-g', '0', '-M', '-p', '*', '-d', home, '-s', '/bin/sh', user]);

  let accepted = 0;
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  const startOne = async (index: number): Promise<void> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = join(dir, `sshd_config.${index}`);
      writeFileSync(config, sshdConfig(dir, port, user, index));
      const child = spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          `${bindServices(etc)} && exec /usr/sbin/sshd -D -e -f "$1"`,
          'sh',
          config,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const up = await new Promise<boolean>((resolve) => {
        let log = '';
        let listening = false;
        const timer = setTimeout(() => resolve(false), 15_000);
        child.stderr?.on('data', (d: Buffer) => {
          const text = d.toString();
          accepted += text.split('Accepted publickey').length - 1;
          if (listening) return;
          log += text;
          if (log.includes('Server listening on 127.0.0.1')) {
            listening = true;
            clearTimeout(timer);
            resolve(true);
          }
        });
        child.once('exit', () => {
          clearTimeout(timer);
          if (!listening) process.stderr.write(`bench: sshd exited: ${log}\n`);
          resolve(false);
        });
      });
      if (up) {
        servers.push(child);
        ports.push(port);
        return;
      }
      child.kill('SIGKILL');
    }
    throw new Error('the benchmark sshd did not start');
  };
  try {
    for (let k = 0; k < Math.max(1, sshds); k++) await startOne(k);
  } catch (err) {
    for (const s of servers) s.kill('SIGKILL');
    cleanup(user, dir, sleeper);
    throw err;
  }
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, ports.map((p) => `[127.0.0.1]:${p} ${hostPub[0]} ${hostPub[1]}\n`).join(''));
  return {
    dir,
    port: ports[0] as number,
    ports,
    user,
    keyPath: join(dir, 'id_ed25519'),
    knownHostsPath,
    hostKeyBlob,
    connections: () => accepted,
    stop: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              if (server.exitCode !== null) return resolve();
              server.once('exit', () => resolve());
              server.kill('SIGTERM');
            }),
        ),
      );
      cleanup(user, dir, sleeper);
    },
  };
}

function cleanup(user: string, dir: string, sleeper: ChildProcess): void {
  sleeper.kill('SIGTERM');
  try {
    execFileSync('userdel', ['-f', user], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`bench: could not remove user ${user}; remove it with: userdel -f ${user}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
}
