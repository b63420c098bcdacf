import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HostKeyChecking } from '../model/inventory.js';
import {
  checkHostKey,
  fingerprintSha256,
  hostToken,
  type KnownHostsEntry,
  keyTypeOf,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts.js';
import type { ConnectFailure } from './types.js';

/** ssh2's host key algorithms, in its default order of preference. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

/** One hop's host key policy: what to tell ssh2, and why it refused if it did. */
export interface HostKeyPolicy {
  /** ssh2's synchronous hostVerifier. */
  verify(key: Buffer): boolean;
  /** Set once verify() refused. */
  rejection(): ConnectFailure | undefined;
  /** Known key types first, so a server with several keys shows the one we know (as ssh does). */
  algorithms: HostKeyAlgorithm[];
}

export interface HostKeyTarget {
  /** The inventory host this connection is for (the name in messages). */
  name: string;
  /** What is looked up in known_hosts: the address actually dialled. */
  address: string;
  port: number;
}

/** Reads the known_hosts file once per connection; a missing file is an empty one. */
export function readKnownHosts(
  file: string,
): { ok: true; entries: KnownHostsEntry[] } | { ok: false; error: string } {
  try {
    return { ok: true, entries: parseKnownHosts(readFileSync(file, 'utf8')) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, entries: [] };
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function preferredAlgorithms(
  entries: readonly KnownHostsEntry[],
  address: string,
  port: number,
): HostKeyAlgorithm[] {
  const known = new Set(knownKeyTypes(entries, address, port));
  const isKnown = (alg: HostKeyAlgorithm) => known.has(alg.startsWith('rsa-sha2-') ? 'ssh-rsa' : alg);
  return [...HOST_KEY_ALGORITHMS.filter(isKnown), ...HOST_KEY_ALGORITHMS.filter((a) => !isKnown(a))];
}

/**
 * `file` is where accept-new records a key; `entries` are the candidate lines of every known_hosts
 * source (each with its `file`), user files and global ones alike: a key known in any of them is
 * known, one that differs from a key of the same type in any of them is a mismatch — accept-new
 * records only keys of a type no source knows for the host, as OpenSSH does.
 */
export function hostKeyPolicy(
  mode: HostKeyChecking,
  file: string,
  entries: KnownHostsEntry[],
  t: HostKeyTarget,
  /** Told each line accept-new appended (the run's cached copy of the file learns it too). */
  onRecorded?: (line: string) => void,
): HostKeyPolicy {
  let refused: ConnectFailure | undefined;
  const where = `${t.address}:${t.port}`;
  const refuse = (kind: ConnectFailure['kind'], message: string, hint: string): boolean => {
    refused = { kind, host: t.name, message, hint };
    return false;
  };

  const verify = (key: Buffer): boolean => {
    const verdict = checkHostKey(entries, t.address, t.port, key);
    const offered = `${keyTypeOf(key) ?? 'unknown'} ${fingerprintSha256(key)}`;
    // A revoked key refuses in every mode, as in ssh: "off" is for unknown keys, not for known-bad ones.
    if (verdict.kind === 'revoked') {
      return refuse(
        'host-key-revoked',
        `host key of ${t.name} (${where}) is marked @revoked in ${verdict.entry.file ?? file}:${verdict.entry.line}: ${offered}`,
        'the server presents a key its administrator revoked; do not connect until it is re-keyed',
      );
    }
    if (mode === 'off' || verdict.kind === 'known') return true;
    if (verdict.kind === 'mismatch') {
      const expected = verdict.expected
        .map((e) => `${e.keyType} ${fingerprintSha256(e.key)} (${e.file ?? file}:${e.line})`)
        .join(', ');
      return refuse(
        'host-key-mismatch',
        `HOST KEY MISMATCH for ${t.name} (${where}): the server offered ${offered}, known_hosts has ${expected}`,
        `if the host was reinstalled, check the new key and remove the old one: ssh-keygen -R '${hostToken(t.address, t.port)}' -f ${verdict.expected[0]?.file ?? file}`,
      );
    }
    if (mode === 'accept-new' && verdict.otherTypes.length === 0) {
      const line = recordKey(file, t, key);
      if (line) onRecorded?.(line);
      return true;
    }
    const others = verdict.otherTypes.length
      ? ` (known_hosts has only ${verdict.otherTypes.join(', ')} keys for it)`
      : '';
    return refuse(
      'host-key-unknown',
      `host key of ${t.name} (${where}) is not in ${file}${others}: the server offered ${offered}`,
      `check the fingerprint, then add it: ssh-keyscan -p ${t.port} ${t.address} >> ${file}; or trust on first use with --host-key-checking accept-new`,
    );
  };
  return { verify, rejection: () => refused, algorithms: preferredAlgorithms(entries, t.address, t.port) };
}

/**
 * accept-new: append the first-seen key. Synchronous on purpose: many hosts connect at once and
 * each append must land whole; O_APPEND writes of one line do.
 */
function recordKey(file: string, t: HostKeyTarget, key: Buffer): string | undefined {
  const line = knownHostsLine(t.address, t.port, key);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let lead = '';
    try {
      const size = statSync(file).size;
      if (
        size > 0 &&
        !readFileSync(file)
          .subarray(size - 1)
          .equals(Buffer.from('\n'))
      )
        lead = '\n';
    } catch {
      // No file yet: appendFileSync creates it with mode 600.
    }
    appendFileSync(file, `${lead}${line}\n`, { mode: 0o600 });
    return line;
  } catch {
    // The key was accepted by policy; failing to remember it only means it is asked about again.
    return undefined;
  }
}
