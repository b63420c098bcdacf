import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  entryMatchesHost,
  fingerprintSha256,
  hashHostToken,
  hostToken,
  keyTypeOf,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';

// Keys made with ssh-keygen; fingerprints as `ssh-keygen -lf` printed them.
const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFB/AuNvKkcl6eE5/aR+PUMnfq2UpfCPJF6LQsUrTqLN';
const A_FP = 'SHA256:vaGQ1Za6Rqcdfl3HMlwYx4yl6Yb5G8Mw9Y0Nyjwcdvg';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIHr7tXj3VbG+9WJKPSpMCEnywNNrFUJS/uwXcewzi76Q';
const B_FP = 'SHA256:nLbL3rQM5GbC6q7ff4q3U35jCERd9L0rb67YvnMgvIs';
const C =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAS5rrcj6RKvBw4kkbztA73pqRtienLvDR2+E/wqiwP5fHD1DpxdVS5Tm5YS8DXAuSIE4W4yKeDbZJX0+Ja7ugw=';
const C_FP = 'SHA256:chWw+k65d7l65vhOXuPNRGbh05wjiQcjEJaOD4aWUfs';
const blob = (b64: string) => Buffer.from(b64, 'base64');

// `ssh-keygen -H` of "[db1.example.com]:2222 <A>" and "web1.example.com <B>".
const HASHED = [
  `|1|YMCmdaj58YG1BnNOKB9j7hwmUds=|HCF3ptDVKjwcbiaU4qu9BoVFqTA= ssh-ed25519 ${A}`,
  `|1|42OiVv1JW5j0RadRaEZcO+CK4JI=|MFxff5wK++CcU/WH/qp5QvBtK9o= ssh-ed25519 ${B}`,
].join('\n');

describe('fingerprints and key blobs', () => {
  it('prints the SHA256 form ssh-keygen -l prints, without base64 padding', () => {
    expect(fingerprintSha256(blob(A))).toBe(A_FP);
    expect(fingerprintSha256(blob(B))).toBe(B_FP);
    expect(fingerprintSha256(blob(C))).toBe(C_FP);
    expect(fingerprintSha256(blob(C))).not.toMatch(/=$/);
  });

  it('reads the key type inside the blob', () => {
    expect(keyTypeOf(blob(A))).toBe('ssh-ed25519');
    expect(keyTypeOf(blob(C))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBeUndefined();
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 65]))).toBeUndefined();
  });
});

describe('parseKnownHosts', () => {
  it('reads plain entries, comma lists, [host]:port, comments and blank lines', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `   web1,10.0.0.5 ssh-ed25519 ${A} root@web1`,
        `[db1]:2222 ssh-ed25519 ${B}`,
        '\t',
      ].join('\n'),
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      line: 3,
      keyType: 'ssh-ed25519',
      hosts: { kind: 'patterns', patterns: ['web1', '10.0.0.5'] },
    });
    expect(entries[1]).toMatchObject({ line: 4, hosts: { kind: 'patterns', patterns: ['[db1]:2222'] } });
  });

  it('reads @revoked and @cert-authority markers, and skips unknown markers and junk', () => {
    const entries = parseKnownHosts(
      [
        `@revoked * ssh-ed25519 ${A}`,
        `@cert-authority *.example.com ssh-ed25519 ${B}`,
        `@something web1 ssh-ed25519 ${B}`,
        'web1 ssh-ed25519 not-base64!!',
        'web1 ssh-ed25519',
        'only-one-field',
        `web1 ssh-ed25519 ${Buffer.from('garbage').toString('base64')}`,
      ].join('\n'),
    );
    expect(entries.map((e) => e.marker)).toEqual(['revoked', 'cert-authority']);
  });

  it('takes the key type from the blob, not from the text column', () => {
    const [e] = parseKnownHosts(`web1 ssh-rsa ${A}`);
    expect(e?.keyType).toBe('ssh-ed25519');
  });

  it('handles CRLF files', () => {
    expect(parseKnownHosts(`web1 ssh-ed25519 ${A}\r\nweb2 ssh-ed25519 ${B}\r\n`)).toHaveLength(2);
  });
});

describe('host matching', () => {
  const [plain] = parseKnownHosts(`web1,Web2.Example.com,[db1]:2222,*.lan,!bad.lan ssh-ed25519 ${A}`);
  if (!plain) throw new Error('fixture');

  it('uses the bare name on port 22 and [host]:port elsewhere', () => {
    expect(hostToken('web1', 22)).toBe('web1');
    expect(hostToken('db1', 2222)).toBe('[db1]:2222');
    expect(entryMatchesHost(plain, 'web1', 22)).toBe(true);
    expect(entryMatchesHost(plain, 'web1', 2222)).toBe(false);
    expect(entryMatchesHost(plain, 'db1', 2222)).toBe(true);
    expect(entryMatchesHost(plain, 'db1', 22)).toBe(false);
  });

  it('is case-insensitive and honours wildcards and negation', () => {
    expect(entryMatchesHost(plain, 'WEB2.example.COM', 22)).toBe(true);
    expect(entryMatchesHost(plain, 'printer.lan', 22)).toBe(true);
    expect(entryMatchesHost(plain, 'bad.lan', 22)).toBe(false);
    expect(entryMatchesHost(plain, 'web10', 22)).toBe(false);
  });

  it('does not treat regex characters in patterns as regex', () => {
    const [e] = parseKnownHosts(`10.0.0.5 ssh-ed25519 ${A}`);
    if (!e) throw new Error('fixture');
    expect(entryMatchesHost(e, '10.0.0.5', 22)).toBe(true);
    expect(entryMatchesHost(e, '10a0b0c5', 22)).toBe(false);
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const [db, web] = parseKnownHosts(HASHED);
    if (!db || !web) throw new Error('fixture');
    expect(db.hosts.kind).toBe('hashed');
    expect(entryMatchesHost(db, 'db1.example.com', 2222)).toBe(true);
    expect(entryMatchesHost(db, 'db1.example.com', 22)).toBe(false);
    expect(entryMatchesHost(web, 'web1.example.com', 22)).toBe(true);
    expect(entryMatchesHost(web, 'web2.example.com', 22)).toBe(false);
  });

  it('hashes the way ssh does (round trip with a fresh salt)', () => {
    const line = `${hashHostToken(hostToken('10.1.2.3', 2200), randomBytes(20))} ssh-ed25519 ${A}`;
    const [e] = parseKnownHosts(line);
    if (!e) throw new Error('fixture');
    expect(entryMatchesHost(e, '10.1.2.3', 2200)).toBe(true);
    expect(entryMatchesHost(e, '10.1.2.4', 2200)).toBe(false);
  });

  it('skips hashed entries of an unknown scheme or broken base64', () => {
    expect(parseKnownHosts(`|2|abc=|def= ssh-ed25519 ${A}`)).toEqual([]);
    expect(parseKnownHosts(`|1|abc!|def= ssh-ed25519 ${A}`)).toEqual([]);
  });
});

describe('checkHostKey', () => {
  const file = [
    `web1 ssh-ed25519 ${A}`,
    `web1 ecdsa-sha2-nistp256 ${C}`,
    `web2 ecdsa-sha2-nistp256 ${C}`,
    `@cert-authority * ssh-ed25519 ${B}`,
    `@revoked web3 ssh-ed25519 ${B}`,
    `web3 ssh-ed25519 ${B}`,
    HASHED,
  ].join('\n');
  const entries = parseKnownHosts(file);

  it('knows a listed key', () => {
    expect(checkHostKey(entries, 'web1', 22, blob(A)).kind).toBe('known');
    expect(checkHostKey(entries, 'web1', 22, blob(C)).kind).toBe('known');
    expect(checkHostKey(entries, 'db1.example.com', 2222, blob(A)).kind).toBe('known');
  });

  it('calls a different key of a known type a mismatch, naming the expected entries', () => {
    const v = checkHostKey(entries, 'web1', 22, blob(B));
    expect(v.kind).toBe('mismatch');
    if (v.kind === 'mismatch') expect(v.expected.map((e) => e.line)).toEqual([1]);
    expect(checkHostKey(entries, 'web1.example.com', 22, blob(A)).kind).toBe('mismatch');
  });

  it('calls a host with no entries unknown, and says which other types are known', () => {
    expect(checkHostKey(entries, 'nowhere', 22, blob(A))).toEqual({ kind: 'unknown', otherTypes: [] });
    expect(checkHostKey(entries, 'web2', 22, blob(A))).toEqual({
      kind: 'unknown',
      otherTypes: ['ecdsa-sha2-nistp256'],
    });
  });

  it('never reads a @cert-authority line as a host key', () => {
    expect(checkHostKey(entries, 'anything.example.com', 22, blob(B)).kind).toBe('unknown');
  });

  it('refuses a revoked key even when a plain line lists it', () => {
    const v = checkHostKey(entries, 'web3', 22, blob(B));
    expect(v.kind).toBe('revoked');
    expect(
      checkHostKey(parseKnownHosts(`@revoked * ssh-ed25519 ${A}\nweb1 ssh-ed25519 ${A}`), 'web1', 22, blob(A))
        .kind,
    ).toBe('revoked');
  });

  it('lists the key types known for a host', () => {
    expect(knownKeyTypes(entries, 'web1', 22).sort()).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'web3', 22)).toEqual(['ssh-ed25519']);
  });
});

describe('knownHostsLine', () => {
  it('writes the shape ssh writes', () => {
    expect(knownHostsLine('127.0.0.1', 2222, blob(A))).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${A}`);
    expect(knownHostsLine('Web1', 22, blob(C))).toBe(`web1 ecdsa-sha2-nistp256 ${C}`);
  });

  it('round-trips through the parser', () => {
    const entries = parseKnownHosts(knownHostsLine('10.0.0.9', 2022, blob(B)));
    expect(checkHostKey(entries, '10.0.0.9', 2022, blob(B)).kind).toBe('known');
  });
});
