import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyPolicy, preferredAlgorithms, readKnownHosts } from '../../../src/transport/host-keys.js';
import { parseKnownHosts } from '../../../src/transport/known-hosts.js';

const scratch = mkdtempSync(join(tmpdir(), 'runstate-kh-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFB/AuNvKkcl6eE5/aR+PUMnfq2UpfCPJF6LQsUrTqLN';
const A_FP = 'SHA256:vaGQ1Za6Rqcdfl3HMlwYx4yl6Yb5G8Mw9Y0Nyjwcdvg';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIHr7tXj3VbG+9WJKPSpMCEnywNNrFUJS/uwXcewzi76Q';
const B_FP = 'SHA256:nLbL3rQM5GbC6q7ff4q3U35jCERd9L0rb67YvnMgvIs';
const blob = (b64: string) => Buffer.from(b64, 'base64');
const target = { name: 'web1', address: '10.0.0.5', port: 2222 };

function tempFile(content?: string): string {
  const file = join(mkdtempSync(join(scratch, 'd-')), 'known_hosts');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

function policyFor(mode: 'strict' | 'accept-new' | 'off', file: string) {
  const read = readKnownHosts(file);
  if (!read.ok) throw new Error(read.error);
  return hostKeyPolicy(mode, file, read.entries, target);
}

describe('hostKeyPolicy', () => {
  it('strict: refuses an unknown host, with ssh-keyscan and accept-new in the hint', () => {
    const file = tempFile('');
    const p = policyFor('strict', file);
    expect(p.verify(blob(A))).toBe(false);
    const r = p.rejection();
    expect(r?.kind).toBe('host-key-unknown');
    expect(r?.host).toBe('web1');
    expect(r?.message).toContain(A_FP);
    expect(r?.message).toContain('10.0.0.5:2222');
    expect(r?.hint).toContain('ssh-keyscan -p 2222 10.0.0.5');
    expect(r?.hint).toContain('--host-key-checking accept-new');
  });

  it('strict: accepts a known key', () => {
    const p = policyFor('strict', tempFile(`[10.0.0.5]:2222 ssh-ed25519 ${A}\n`));
    expect(p.verify(blob(A))).toBe(true);
    expect(p.rejection()).toBeUndefined();
  });

  it('a mismatch refuses in strict and accept-new, naming host and both fingerprints', () => {
    for (const mode of ['strict', 'accept-new'] as const) {
      const file = tempFile(`# header\n[10.0.0.5]:2222 ssh-ed25519 ${A}\n`);
      const p = policyFor(mode, file);
      expect(p.verify(blob(B))).toBe(false);
      const r = p.rejection();
      expect(r?.kind).toBe('host-key-mismatch');
      expect(r?.message).toContain('web1');
      expect(r?.message).toContain(`offered ssh-ed25519 ${B_FP}`);
      expect(r?.message).toContain(`known_hosts has ssh-ed25519 ${A_FP} (${file}:2)`);
      expect(r?.hint).toContain(`ssh-keygen -R '[10.0.0.5]:2222' -f ${file}`);
      expect(readFileSync(file, 'utf8')).not.toContain(B);
    }
  });

  it('accept-new records a first-seen key in a new file with mode 600', () => {
    const file = join(mkdtempSync(join(scratch, 'd-')), 'sub', 'known_hosts');
    expect(policyFor('accept-new', file).verify(blob(A))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`[10.0.0.5]:2222 ssh-ed25519 ${A}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // …and then strict accepts it.
    expect(policyFor('strict', file).verify(blob(A))).toBe(true);
  });

  it('accept-new appends on a line of its own when the file lacks a final newline', () => {
    const file = tempFile(`other ssh-ed25519 ${B}`);
    expect(policyFor('accept-new', file).verify(blob(A))).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n')).toEqual([
      `other ssh-ed25519 ${B}`,
      `[10.0.0.5]:2222 ssh-ed25519 ${A}`,
      '',
    ]);
  });

  it('accept-new does not add a key of a new type when another type is known', () => {
    const ecdsa =
      'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAS5rrcj6RKvBw4kkbztA73pqRtienLvDR2+E/wqiwP5fHD1DpxdVS5Tm5YS8DXAuSIE4W4yKeDbZJX0+Ja7ugw=';
    const file = tempFile(`[10.0.0.5]:2222 ecdsa-sha2-nistp256 ${ecdsa}\n`);
    const p = policyFor('accept-new', file);
    expect(p.verify(blob(A))).toBe(false);
    expect(p.rejection()?.kind).toBe('host-key-unknown');
    expect(p.rejection()?.message).toContain('only ecdsa-sha2-nistp256 keys');
  });

  it('off accepts unknown and changed keys, but never a revoked one', () => {
    const file = tempFile(`[10.0.0.5]:2222 ssh-ed25519 ${A}\n@revoked * ssh-ed25519 ${B}\n`);
    const p = policyFor('off', file);
    expect(p.verify(blob(A))).toBe(true);
    const entries = parseKnownHosts(`[10.0.0.5]:2222 ssh-ed25519 ${A}`);
    const other = hostKeyPolicy('off', file, entries, target);
    expect(other.verify(blob(B))).toBe(true);
    const revoked = policyFor('off', file);
    expect(revoked.verify(blob(B))).toBe(false);
    expect(revoked.rejection()?.kind).toBe('host-key-revoked');
    expect(revoked.rejection()?.message).toContain(B_FP);
  });
});

describe('readKnownHosts', () => {
  it('treats a missing file as empty and reports other read errors', () => {
    expect(readKnownHosts('/nonexistent/known_hosts')).toEqual({ ok: true, entries: [] });
    const dir = mkdtempSync(join(scratch, 'd-'));
    expect(readKnownHosts(dir).ok).toBe(false);
  });
});

describe('preferredAlgorithms', () => {
  it('asks first for the key types already known for the host, rsa included', () => {
    const rsaLine = `[10.0.0.5]:2222 ssh-rsa ${Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.alloc(8)]).toString('base64')}`;
    const algs = preferredAlgorithms(parseKnownHosts(rsaLine), '10.0.0.5', 2222);
    expect(algs.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algs).toContain('ssh-ed25519');
    expect(preferredAlgorithms([], 'x', 22)[0]).toBe('ssh-ed25519');
  });
});
