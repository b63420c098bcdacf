import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyPolicy } from '../../../src/transport/host-keys.js';
import {
  entryMatchesHost,
  hashHostToken,
  KnownHostsIndex,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';
import { RunFiles } from '../../../src/transport/run-files.js';

const scratch = mkdtempSync(join(tmpdir(), 'runstate-runfiles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFB/AuNvKkcl6eE5/aR+PUMnfq2UpfCPJF6LQsUrTqLN';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIHr7tXj3VbG+9WJKPSpMCEnywNNrFUJS/uwXcewzi76Q';
const blob = (b64: string) => Buffer.from(b64, 'base64');

// Every kind of host field the index sorts: exact (plain and bracketed), lists, wildcards,
// negations, hashed, upper case, and one pattern shared by two lines.
const TEXT = [
  `web1,10.0.0.5 ssh-ed25519 ${A}`,
  `[10.0.0.5]:2222 ssh-ed25519 ${B}`,
  `*.example.org,!bad.example.org ssh-ed25519 ${A}`,
  `DB1 ssh-ed25519 ${B}`,
  `${hashHostToken('[10.0.0.9]:2222', Buffer.alloc(20, 7))} ssh-ed25519 ${A}`,
  `web1 ssh-ed25519 ${B}`,
  `10.0.0.? ssh-ed25519 ${B}`,
].join('\n');

describe('KnownHostsIndex', () => {
  const entries = parseKnownHosts(TEXT);
  const index = new KnownHostsIndex(entries);
  const hosts: Array<[string, number]> = [
    ['web1', 22],
    ['10.0.0.5', 22],
    ['10.0.0.5', 2222],
    ['a.example.org', 22],
    ['bad.example.org', 22],
    ['db1', 22],
    ['10.0.0.9', 2222],
    ['10.0.0.7', 22],
    ['nowhere', 22],
  ];
  for (const [host, port] of hosts) {
    it(`offers every line that matches ${host}:${port}, in file order`, () => {
      const matching = entries.filter((e) => entryMatchesHost(e, host, port));
      const offered = index.candidates(host, port).filter((e) => entryMatchesHost(e, host, port));
      expect(offered).toEqual(matching);
    });
  }

  it('does not offer a plain line for another host', () => {
    expect(index.candidates('db1', 22).map((e) => e.line)).not.toContain(1);
  });
});

describe('RunFiles', () => {
  it('reads and parses known_hosts once per run', () => {
    const file = join(scratch, 'known_hosts');
    writeFileSync(file, `[10.0.0.5]:2222 ssh-ed25519 ${A}\n`);
    const files = new RunFiles();
    const first = files.knownHosts(file);
    writeFileSync(file, ''); // a second read would see no entry at all
    const second = files.knownHosts(file);
    expect(second).toBe(first);
    expect(second.ok && second.index.candidates('10.0.0.5', 2222)).toHaveLength(1);
  });

  it('learns a key accept-new records, so a later host of the same address knows it', () => {
    const file = join(scratch, 'known_hosts_new');
    const files = new RunFiles();
    const target = { name: 'h1', address: '10.0.0.8', port: 22 };
    const load = files.knownHosts(file);
    if (!load.ok) throw new Error(load.error);
    const policy = hostKeyPolicy('accept-new', file, load.index.candidates('10.0.0.8', 22), target, (line) =>
      files.recorded(file, line),
    );
    expect(policy.verify(blob(A))).toBe(true);
    const again = files.knownHosts(file);
    if (!again.ok) throw new Error(again.error);
    const later = hostKeyPolicy('strict', file, again.index.candidates('10.0.0.8', 22), {
      ...target,
      name: 'h2',
    });
    expect(later.verify(blob(A))).toBe(true);
    expect(later.verify(blob(B))).toBe(false);
    expect(later.rejection()?.kind).toBe('host-key-mismatch');
  });

  it('parses the same identity files once for every host', () => {
    const files = new RunFiles();
    const refs = [{ path: join(scratch, 'missing_key'), source: 'default' as const }];
    expect(files.identities(refs)).toBe(files.identities([...refs]));
  });
});
