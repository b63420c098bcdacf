import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runstate } from './helpers/bed.js';
import { keygen, startSshd, type TestSshd } from './helpers/sshd.js';

/**
 * OpenSSH's host-key sources, through the built CLI against a real sshd this test starts on
 * 127.0.0.1 with a fresh host key (the bed's sshds are not used). ssh_config is the user's
 * ~/.ssh/config, so each run gets a HOME of its own; GlobalKnownHostsFile always names a temp
 * file, so this machine's /etc/ssh is never read or written. `facts` only reads the host.
 */
let sshd: TestSshd;
let dir: string;
let wrongLine: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'runstate-e2e-hostkeys-'));
  // Another ed25519 key: the same type as the server's, so it conflicts rather than adds.
  wrongLine = keygen(dir, 'impostor').publicLine.split(/\s+/).slice(0, 2).join(' ');
});
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  home: string;
  user: string;
  global: string;
  inventory: string;
  sshConfig: string;
}

let n = 0;
/** A HOME with ~/.ssh/config for the alias `keyhost` → the test sshd, and the known_hosts files it names. */
function setup(opts: { strict: string; user?: string; global?: string; alias?: string }): Case {
  const home = join(dir, `home${++n}`);
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const user = join(home, 'user_known_hosts');
  const global = join(home, 'global_known_hosts');
  if (opts.user !== undefined) writeFileSync(user, opts.user);
  if (opts.global !== undefined) writeFileSync(global, opts.global);
  const sshConfig = join(home, '.ssh', 'config');
  writeFileSync(
    sshConfig,
    [
      '# written by test/e2e/host-key-sources.test.ts',
      'Host keyhost',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      '  User root',
      `  IdentityFile ${sshd.userKey.path}`,
      `  UserKnownHostsFile ${user}`,
      `  GlobalKnownHostsFile ${global}`,
      `  StrictHostKeyChecking ${opts.strict}`,
      ...(opts.alias ? [`  HostKeyAlias ${opts.alias}`] : []),
      '',
    ].join('\n'),
  );
  const inventory = join(home, 'hosts');
  // INI, as an Ansible shop has it: the host is dialled by the alias ssh_config knows.
  writeFileSync(inventory, '[lab]\ntarget ansible_host=keyhost\n');
  return { home, user, global, inventory, sshConfig };
}

const served = () => sshd.knownHostsLine.split(' ').slice(1).join(' ');
const line = (name: string, key: string) => `${name} ${key}\n`;
const logins = () => (sshd.log().match(/Accepted publickey for root/g) ?? []).length;

/** The real OpenSSH client on the same ssh_config, for what OpenSSH itself decides. */
function ssh(c: Case): number | null {
  return spawnSync('ssh', ['-F', c.sshConfig, '-o', 'BatchMode=yes', 'keyhost', 'true'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: c.home },
    stdio: 'ignore',
    timeout: 60_000,
  }).status;
}

function facts(c: Case, extra: string[] = []) {
  return runstate(['facts', '-i', c.inventory, '--format', 'json', ...extra], {
    env: { HOME: c.home, SSH_AUTH_SOCK: '' },
  });
}

describe("host keys from every OpenSSH source, against a real sshd (ssh_config's options)", () => {
  it('GlobalKnownHostsFile alone makes the key known under StrictHostKeyChecking yes', async () => {
    const c = setup({ strict: 'yes', global: line(`[127.0.0.1]:${sshd.port}`, served()) });
    const before = logins();
    const r = await facts(c);
    // The control for "nothing run" below: a run that connects shows in sshd's log.
    expect(logins()).toBeGreaterThan(before);
    expect(r.stderr).not.toContain('unreachable');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hosts.target.status).not.toBe('unreachable');
    expect(existsSync(c.user)).toBe(false);
    expect(ssh(c)).toBe(0);
  });

  it('UserKnownHostsFile alone makes the key known', async () => {
    const c = setup({ strict: 'yes', user: line(`[127.0.0.1]:${sshd.port}`, served()) });
    const r = await facts(c);
    expect(r.code).toBe(0);
    expect(ssh(c)).toBe(0);
  });

  it('HostKeyAlias is the name looked up: known under the alias, unknown under the address', async () => {
    const known = setup({ strict: 'yes', alias: 'lab-alias', user: line('lab-alias', served()) });
    expect((await facts(known)).code).toBe(0);
    expect(ssh(known)).toBe(0);
    const wrongName = setup({
      strict: 'yes',
      alias: 'lab-alias',
      user: line(`[127.0.0.1]:${sshd.port}`, served()),
    });
    const r = await facts(wrongName);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`host key of target (lab-alias:22) is not in ${wrongName.user}`);
    expect(ssh(wrongName)).toBe(255);
  });

  it('StrictHostKeyChecking yes refuses an unknown key: exit 3, nothing run, nothing recorded', async () => {
    const c = setup({ strict: 'yes' });
    const before = logins();
    const r = await facts(c);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unreachable: target: host key of target \(127\.0\.0\.1:\d+\) is not in /);
    expect(logins()).toBe(before);
    expect(existsSync(c.user)).toBe(false);
    expect(ssh(c)).toBe(255);
  });

  it('a key conflicting with the global file is a mismatch under accept-new: exit 3, nothing run or recorded', async () => {
    const c = setup({ strict: 'accept-new', global: line(`[127.0.0.1]:${sshd.port}`, wrongLine) });
    const before = logins();
    const r = await facts(c);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('HOST KEY MISMATCH for target');
    expect(r.stderr).toContain(`(${c.global}:1)`);
    expect(logins()).toBe(before);
    expect(existsSync(c.user)).toBe(false);
    expect(ssh(c)).toBe(255);
    expect(existsSync(c.user)).toBe(false);
  });

  it('a conflict in the user file with nothing elsewhere is a mismatch under accept-new too', async () => {
    const c = setup({ strict: 'accept-new', user: line(`[127.0.0.1]:${sshd.port}`, wrongLine), global: '' });
    const r = await facts(c);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`HOST KEY MISMATCH for target`);
    expect(r.stderr).toContain(`${c.user}:1`);
    expect(readFileSync(c.user, 'utf8')).toBe(line(`[127.0.0.1]:${sshd.port}`, wrongLine));
    expect(ssh(c)).toBe(255);
  });

  it('a source that knows the key makes it known even when another has a different one, as OpenSSH', async () => {
    // hostfile.c check_hostkeys_by_key_or_type: the first entry equal to the offered key is
    // HOST_OK, whatever other entries say; the real ssh client below agrees.
    const c = setup({
      strict: 'yes',
      user: line(`[127.0.0.1]:${sshd.port}`, served()),
      global: line(`[127.0.0.1]:${sshd.port}`, wrongLine),
    });
    expect((await facts(c)).code).toBe(0);
    expect(ssh(c)).toBe(0);
  });

  it('accept-new records a new key in the user file; the next run connects with it under yes', async () => {
    const c = setup({ strict: 'accept-new', global: '' });
    const first = await facts(c);
    expect(first.code).toBe(0);
    expect(readFileSync(c.user, 'utf8')).toBe(`${sshd.knownHostsLine}\n`);
    expect(readFileSync(c.global, 'utf8')).toBe('');
    writeFileSync(c.sshConfig, readFileSync(c.sshConfig, 'utf8').replace('accept-new', 'yes'));
    const second = await facts(c);
    expect(second.code).toBe(0);
    expect(readFileSync(c.user, 'utf8')).toBe(`${sshd.knownHostsLine}\n`);
  });

  it('StrictHostKeyChecking no connects past a wrong key, with a warning naming the host and file:line', async () => {
    const c = setup({ strict: 'no', user: line(`[127.0.0.1]:${sshd.port}`, wrongLine) });
    const r = await facts(c);
    expect(r.code).toBe(0);
    expect(ssh(c)).toBe(0);
    expect(r.stderr).toContain(
      `warning: host keys of target are not checked (StrictHostKeyChecking no at ${c.sshConfig}:9)`,
    );
    // A flag beats ssh_config (as `ssh -o`): strict again, so the same wrong key is a mismatch.
    const flagged = await facts(c, ['--host-key-checking', 'strict']);
    expect(flagged.code).toBe(3);
    expect(flagged.stderr).toContain('HOST KEY MISMATCH for target');
    expect(flagged.stderr).not.toContain('are not checked');
  });
});
