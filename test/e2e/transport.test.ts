import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryHost } from '../../src/model/inventory.js';
import {
  ConnectionPool,
  type ConnectOptions,
  connect,
  fingerprintSha256,
} from '../../src/transport/index.js';
import { freePort, keygen, startSshd, type TestSshd } from './helpers/sshd.js';

let sshd: TestSshd;
let work: string;
let knownHosts: string;

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'runstate-transport-'));
  knownHosts = join(work, 'known_hosts');
  writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
});

afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function host(over: Partial<InventoryHost> = {}): InventoryHost {
  return {
    name: 'target',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    identity: sshd.userKey.path,
    become: false,
    knownHosts,
    connection: 'ssh',
    groups: ['all'],
    vars: {},
    source: { file: 'inventory.yml', line: 1, col: 1 },
    ...over,
  };
}

/** Nothing from the machine's own ~/.ssh or agent leaks into these tests. */
function options(over: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    hostKeyChecking: 'strict',
    connectTimeoutMs: 5_000,
    sshConfigFile: join(work, 'no-ssh-config'),
    agent: false,
    ...over,
  };
}

async function connected(h = host(), o = options()) {
  const got = await connect(h, o);
  if (!got.ok) throw new Error(`connect failed: ${JSON.stringify(got.failure)}`);
  return got.conn;
}

async function failure(h: InventoryHost, o = options()) {
  const got = await connect(h, o);
  if (got.ok) {
    await got.conn.close();
    throw new Error('expected the connection to fail');
  }
  return got.failure;
}

function processRunning(pattern: string): boolean {
  return spawnSync('pgrep', ['-f', pattern]).status === 0;
}

/** Polls (bounded) until no process matches: a kill takes effect asynchronously. */
async function goneWithin(pattern: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (processRunning(pattern)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('ssh transport against a real sshd', () => {
  it('runs a multi-line script sent on stdin: stdout, stderr and exit code', async () => {
    const conn = await connected();
    const res = await conn.runScript(
      ['echo "line one"', 'x=$((6 * 7))', 'echo "x=$x"', 'echo "to stderr" >&2', 'exit 3'].join('\n'),
    );
    expect(res).toEqual({ code: 3, stdout: 'line one\nx=42\n', stderr: 'to stderr\n', timedOut: false });
    await conn.close();
  });

  it('runs an argv with awkward words, each staying one word', async () => {
    const conn = await connected();
    const words = ['crm-worker@1', "it's $(id -u) `id`", 'a  b', '', '; echo injected', '*'];
    const res = await conn.run(['printf', '%s\\n', ...words]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${words.join('\n')}\n`);
    await conn.close();
  });

  it('become as root needs no sudo', async () => {
    const conn = await connected();
    const res = await conn.runScript('id -u', { become: true });
    expect(res).toMatchObject({ code: 0, stdout: '0\n' });
    await conn.close();
  });

  it('counts channels and reuses one connection per host through the pool', async () => {
    const pool = new ConnectionPool(options());
    const [a, b] = await Promise.all([pool.get(host()), pool.get(host())]);
    if (!a?.ok || !b?.ok) throw new Error('pool connect failed');
    expect(a.conn).toBe(b.conn);
    expect(a.conn.channelsOpened()).toBe(0);
    await a.conn.runScript('true');
    await a.conn.run(['true']);
    const again = await pool.get(host());
    if (!again.ok) throw new Error('pool connect failed');
    expect(again.conn).toBe(a.conn);
    await again.conn.runScript('echo "$PPID"');
    expect(a.conn.channelsOpened()).toBe(3);
    await pool.closeAll();
  });

  it('kills a command that outlives its timeout, and the connection stays usable', async () => {
    const conn = await connected();
    // The login shell may take a while to start the script (a slow ~/.bashrc): measure from output.
    const started = Date.now();
    const res = await conn.runScript('echo started; sleep 37.25; echo never', { timeoutMs: 4_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res).toMatchObject({ timedOut: true, code: null, stdout: 'started\n' });
    // Root logins get no signal from sshd; the payload's watchdog ends the sleep instead.
    expect(await goneWithin('sleep 37.25', 8_000)).toBe(true);
    expect((await conn.runScript('echo still here')).stdout).toBe('still here\n');
    await conn.close();
  });
});

describe('connect failures', () => {
  it('refused: nothing listens on the port', async () => {
    const port = await freePort();
    const f = await failure(host({ port }));
    expect(f.kind).toBe('refused');
    expect(f.message).toBe(`connection to target (127.0.0.1:${port}) refused`);
  });

  it('timeout: a server that accepts and never speaks, within the bound', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const started = Date.now();
    const f = await failure(host({ port }), options({ connectTimeoutMs: 800 }));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(f.kind).toBe('timeout');
    expect(f.message).toContain('within 800 ms');
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('host key mismatch refuses, naming the host and both fingerprints', async () => {
    const wrong = keygen(work, 'wrong_host_key');
    const file = join(work, 'known_hosts_wrong');
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ${wrong.publicLine}\n`);
    for (const mode of ['strict', 'accept-new'] as const) {
      const f = await failure(host({ knownHosts: file }), options({ hostKeyChecking: mode }));
      expect(f.kind).toBe('host-key-mismatch');
      expect(f.message).toContain('target');
      // Both fingerprints, exactly as `ssh-keygen -l` prints them.
      const served = execFileSync('ssh-keygen', ['-lf', `${sshd.hostKey.path}.pub`], {
        encoding: 'utf8',
      }).split(' ')[1];
      expect(served).toBe(fingerprintSha256(sshd.hostKey.blob));
      expect(f.message).toContain(`offered ssh-ed25519 ${served}`);
      expect(f.message).toContain(`known_hosts has ssh-ed25519 ${fingerprintSha256(wrong.blob)}`);
    }
  });

  it('unknown host under strict refuses with a hint', async () => {
    const file = join(work, 'known_hosts_empty');
    writeFileSync(file, '');
    const f = await failure(host({ knownHosts: file }));
    expect(f.kind).toBe('host-key-unknown');
    expect(f.hint).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1`);
    expect(f.hint).toContain('accept-new');
  });

  it('a revoked host key refuses, even with checking off', async () => {
    const file = join(work, 'known_hosts_revoked');
    writeFileSync(file, `@revoked * ${sshd.hostKey.publicLine}\n`);
    const f = await failure(host({ knownHosts: file }), options({ hostKeyChecking: 'off' }));
    expect(f.kind).toBe('host-key-revoked');
  });

  it('wrong user → auth, naming the user and the key tried', async () => {
    const f = await failure(host({ user: 'runstate-nobody' }));
    expect(f.kind).toBe('auth');
    expect(f.message).toContain('as runstate-nobody');
    expect(f.message).toContain(`key ${sshd.userKey.path}`);
  });

  it('an encrypted key without an agent → key-encrypted, naming the file', async () => {
    const locked = keygen(work, 'locked_key', 'a passphrase');
    const f = await failure(host({ identity: locked.path }));
    expect(f.kind).toBe('key-encrypted');
    expect(f.message).toContain(locked.path);
    expect(f.hint).toBe(`add it to ssh-agent: ssh-add ${locked.path}`);
  });

  it('a missing key → key-unreadable, naming the file', async () => {
    const f = await failure(host({ identity: join(work, 'no_such_key') }));
    expect(f.kind).toBe('key-unreadable');
    expect(f.message).toContain(join(work, 'no_such_key'));
  });
});

describe('ssh-agent', () => {
  it('authenticates with a key held by the agent, even when the named key is encrypted', async () => {
    const sock = join(work, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      const until = Date.now() + 5_000;
      while (!existsSync(sock) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', ['-q', sshd.userKey.path], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: 'ignore',
      });
      const locked = keygen(work, 'locked_key_agent', 'a passphrase');
      const conn = await connected(host({ identity: locked.path }), options({ agent: sock }));
      expect((await conn.runScript('echo via agent')).stdout).toBe('via agent\n');
      await conn.close();
    } finally {
      agent.kill('SIGTERM');
    }
  });
});

describe('known_hosts handling', () => {
  it('accept-new records the key (mode 600), then strict accepts it', async () => {
    const file = join(work, 'fresh', 'known_hosts');
    const first = await connected(host({ knownHosts: file }), options({ hostKeyChecking: 'accept-new' }));
    await first.close();
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(`${sshd.knownHostsLine}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await connected(host({ knownHosts: file }), options({ hostKeyChecking: 'strict' }));
    expect((await second.runScript('echo ok')).stdout).toBe('ok\n');
    await second.close();
  });

  it('accepts a hashed entry written by ssh-keygen -H', async () => {
    const file = join(work, 'known_hosts_hashed');
    writeFileSync(file, `${sshd.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const conn = await connected(host({ knownHosts: file }));
    await conn.close();
  });
});

describe('ssh_config and ProxyJump', () => {
  function configFile(body: string): string {
    const file = join(work, `ssh_config_${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, body);
    return file;
  }
  const alias = (name: string): InventoryHost => {
    const { port: _p, user: _u, identity: _i, ...rest } = host({ name, address: name });
    return rest;
  };

  it('takes HostName, Port, User and IdentityFile from ssh_config', async () => {
    const file = configFile(
      `Host viaconfig\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.userKey.path}\n`,
    );
    const conn = await connected(alias('viaconfig'), options({ sshConfigFile: file }));
    expect((await conn.runScript('echo "$USER"')).stdout).toBe('root\n');
    await conn.close();
  });

  it('reaches a host through a jump host (forwardOut), checking both host keys', async () => {
    const body = [
      'Host jumped',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  ProxyJump root@127.0.0.1:${sshd.port}`,
      'Host *',
      '  User root',
      `  IdentityFile ${sshd.userKey.path}`,
      '',
    ].join('\n');
    const conn = await connected(alias('jumped'), options({ sshConfigFile: configFile(body) }));
    // Through the tunnel, sshd sees the target connection coming from itself.
    const res = await conn.runScript('echo "$SSH_CONNECTION"');
    expect(res.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    await conn.close();

    const empty = join(work, 'known_hosts_none');
    writeFileSync(empty, '');
    const f = await failure(
      { ...alias('jumped'), knownHosts: empty },
      options({ sshConfigFile: configFile(body) }),
    );
    expect(f.kind).toBe('host-key-unknown');
    expect(f.host).toBe('jumped');
    expect(f.message).toMatch(/^via jump host 127\.0\.0\.1: /);
  });

  it('a jump host that cannot reach the target → proxy', async () => {
    const closed = await freePort();
    const body = [
      'Host unreachable-behind-jump',
      '  HostName 127.0.0.1',
      `  Port ${closed}`,
      `  ProxyJump root@127.0.0.1:${sshd.port}`,
      'Host *',
      '  User root',
      `  IdentityFile ${sshd.userKey.path}`,
      '',
    ].join('\n');
    const f = await failure(alias('unreachable-behind-jump'), options({ sshConfigFile: configFile(body) }));
    expect(f.kind).toBe('proxy');
    expect(f.message).toContain(`cannot reach 127.0.0.1:${closed}`);
  });
});

describe('local transport', () => {
  const local = () => host({ name: 'admin', connection: 'local' });

  it('runs scripts and argv with the same contract', async () => {
    const conn = await connected(local());
    const res = await conn.runScript('echo out\necho err >&2\nexit 4');
    expect(res).toEqual({ code: 4, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    const words = ['crm-worker@1', "$(echo no) 'q'", ''];
    expect((await conn.run(['printf', '%s\\n', ...words])).stdout).toBe(`${words.join('\n')}\n`);
    expect((await conn.runScript('id -u', { become: true })).stdout).toBe(`${process.getuid?.()}\n`);
    expect(conn.channelsOpened()).toBe(3);
    await conn.close();
  });

  it('kills the whole script on timeout', async () => {
    const conn = await connected(local());
    const res = await conn.runScript('sleep 38.25 & wait', { timeoutMs: 500 });
    expect(res.timedOut).toBe(true);
    expect(await goneWithin('sleep 38.25', 2_000)).toBe(true);
    await conn.close();
  });
});
