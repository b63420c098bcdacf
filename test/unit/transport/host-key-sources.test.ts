import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ssh-config';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeySetup } from '../../../src/transport/handshake.js';
import { hostKeyPolicy } from '../../../src/transport/host-keys.js';
import { RunFiles } from '../../../src/transport/run-files.js';
import { resolveTarget } from '../../../src/transport/ssh-config.js';

// Tests never read or write the machine's /etc/ssh/ssh_known_hosts: the global file is a temp file,
// named by ssh_config's GlobalKnownHostsFile or by the injectable default.
const scratch = mkdtempSync(join(tmpdir(), 'runstate-khs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const env = { home: scratch, localUser: 'ops' };

const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFB/AuNvKkcl6eE5/aR+PUMnfq2UpfCPJF6LQsUrTqLN';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIHr7tXj3VbG+9WJKPSpMCEnywNNrFUJS/uwXcewzi76Q';
const blob = (b64: string) => Buffer.from(b64, 'base64');
let n = 0;
const file = (content: string): string => {
  const f = join(scratch, `kh-${n++}`);
  writeFileSync(f, content);
  return f;
};

function setupFor(config: string, extra: Partial<Parameters<typeof hostKeySetup>[1]> = {}) {
  const t = resolveTarget({ name: 'web1', address: 'web1' }, parse(config), env);
  const got = hostKeySetup(
    t,
    {
      hostKeyChecking: 'accept-new',
      defaultUserKnownHostsFiles: [file('')],
      globalKnownHostsFiles: [file('')],
      ...extra,
    },
    new RunFiles(),
  );
  if (!got.ok) throw new Error(got.failure.message);
  return {
    t,
    ...got,
    policy: hostKeyPolicy(got.mode, got.recordIn, got.entries, { name: 'web1', ...got.lookup }),
  };
}

describe('ssh_config host key options', () => {
  it('reads UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking and HostKeyAlias', () => {
    const t = resolveTarget(
      { name: 'web1', address: 'web1' },
      parse(`Host web1
  UserKnownHostsFile ~/kh/%h.keys ~/kh/other
  GlobalKnownHostsFile /srv/global_keys
  StrictHostKeyChecking accept-new
  HostKeyAlias web-cluster
`),
      env,
    );
    expect(t.hostKeys).toEqual({
      userFiles: [`${scratch}/kh/web1.keys`, `${scratch}/kh/other`],
      globalFiles: ['/srv/global_keys'],
      strict: 'accept-new',
      alias: 'web-cluster',
    });
    const no = resolveTarget({ name: 'x', address: 'x' }, parse('Host *\n  StrictHostKeyChecking no\n'), env);
    expect(no.hostKeys.strict).toBe('off');
    const ask = resolveTarget(
      { name: 'x', address: 'x' },
      parse('Host *\n  StrictHostKeyChecking ask\n'),
      env,
    );
    expect(ask.hostKeys.strict).toBe('strict');
  });
});

describe('every known_hosts source counts', () => {
  it('a key in the global file is known; a different key of its type is a mismatch even under accept-new', () => {
    const global = file(`web1 ssh-ed25519 ${B}\n`);
    const { policy, mode } = setupFor(`Host web1\n  GlobalKnownHostsFile ${global}\n`);
    expect(mode).toBe('accept-new');
    expect(policy.verify(blob(B))).toBe(true);
    expect(policy.verify(blob(A))).toBe(false);
    expect(policy.rejection()).toMatchObject({ kind: 'host-key-mismatch' });
    expect(policy.rejection()?.message).toContain(`${global}:1`);
    expect(policy.rejection()?.hint).toContain(`-f ${global}`);
  });

  it('the injectable default global file (standing in for /etc/ssh/ssh_known_hosts) is read too', () => {
    const global = file(`web1 ssh-ed25519 ${B}\n`);
    const user = file('');
    const { policy, recordIn } = setupFor('', {
      globalKnownHostsFiles: [global],
      defaultUserKnownHostsFiles: [user],
    });
    expect(recordIn).toBe(user);
    expect(policy.verify(blob(A))).toBe(false);
    expect(policy.rejection()?.kind).toBe('host-key-mismatch');
  });

  it("the inventory's runstate_known_hosts replaces the user files, not the global ones", () => {
    const userFromConfig = file(`web1 ssh-ed25519 ${A}\n`);
    const inventoryFile = file('');
    const global = file(`web1 ssh-ed25519 ${B}\n`);
    const { policy, recordIn } = setupFor(
      `Host web1\n  UserKnownHostsFile ${userFromConfig}\n  GlobalKnownHostsFile ${global}\n`,
      { knownHostsFile: inventoryFile },
    );
    expect(recordIn).toBe(inventoryFile);
    expect(policy.verify(blob(A))).toBe(false); // A is only in the replaced user file
    expect(policy.verify(blob(B))).toBe(true);
  });

  it('HostKeyAlias is the name looked up, without the port', () => {
    const user = file(`web-cluster ssh-ed25519 ${A}\n`);
    const cfg = `Host web1\n  Port 2222\n  HostKeyAlias web-cluster\n  UserKnownHostsFile ${user}\n`;
    const { policy, lookup } = setupFor(cfg);
    expect(lookup).toEqual({ address: 'web-cluster', port: 22 });
    expect(policy.verify(blob(A))).toBe(true);
  });

  it("ssh_config's StrictHostKeyChecking applies unless a flag set the mode", () => {
    const cfg = 'Host web1\n  StrictHostKeyChecking yes\n';
    expect(setupFor(cfg, { hostKeyChecking: 'accept-new' }).mode).toBe('strict');
    expect(setupFor(cfg, { hostKeyChecking: 'accept-new', hostKeyCheckingExplicit: true }).mode).toBe(
      'accept-new',
    );
    expect(setupFor('', { hostKeyChecking: 'strict' }).mode).toBe('strict');
  });

  it('an unreadable global file is an error (not an empty file), except with checking off', () => {
    // Root reads a mode-000 file, so the unreadable "file" is a directory (reading it fails: EISDIR).
    const t = resolveTarget({ name: 'web1', address: 'web1' }, parse(''), env);
    const opts = { hostKeyChecking: 'strict' as const, defaultUserKnownHostsFiles: [file('')] };
    const got = hostKeySetup(t, { ...opts, globalKnownHostsFiles: [scratch] }, new RunFiles());
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.failure.message).toContain(`cannot read known_hosts ${scratch}`);
    const off = hostKeySetup(
      t,
      { ...opts, hostKeyChecking: 'off', globalKnownHostsFiles: [scratch] },
      new RunFiles(),
    );
    expect(off.ok).toBe(true);
  });
});
