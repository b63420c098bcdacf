import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { compileWildcard, wildcardMatch } from '../model/wildcard.js';

/**
 * A pure reader of OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). No npm
 * package fits, so this is small and unit-tested against lines ssh-keygen and ssh-keyscan write.
 */

export type HostField =
  | { kind: 'patterns'; patterns: string[] }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  /** `@cert-authority` lines are parsed (so they are never read as host keys) and then ignored. */
  marker?: 'revoked' | 'cert-authority';
  hosts: HostField;
  /** The key type stored inside the key blob (not the text column, which may lie). */
  keyType: string;
  key: Buffer;
  /** 1-based line number, for messages. */
  line: number;
  /** The file the line is in, when keys come from several files (user and global known_hosts). */
  file?: string;
}

export type HostKeyVerdict =
  | { kind: 'known' }
  | { kind: 'revoked'; entry: KnownHostsEntry }
  /** No entry for this host at all, or (otherTypes) only entries of other key types. */
  | { kind: 'unknown'; otherTypes: string[] }
  /** Entries of the same key type exist, with other keys: the host key changed. */
  | { kind: 'mismatch'; expected: KnownHostsEntry[] };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const entry = parseLine(raw, i + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

/** One line, or undefined for comments, blanks, unknown markers and malformed lines (ssh skips those too). */
function parseLine(raw: string, line: number): KnownHostsEntry | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const words = trimmed.split(/\s+/);
  let marker: KnownHostsEntry['marker'];
  if (words[0]?.startsWith('@')) {
    const m = words.shift();
    if (m === '@revoked') marker = 'revoked';
    else if (m === '@cert-authority') marker = 'cert-authority';
    else return undefined;
  }
  const [hostsText, , keyText] = words;
  if (!hostsText || !keyText || !BASE64.test(keyText)) return undefined;
  const key = Buffer.from(keyText, 'base64');
  const keyType = keyTypeOf(key);
  const hosts = parseHostField(hostsText);
  if (!keyType || !hosts) return undefined;
  return { ...(marker ? { marker } : {}), hosts, keyType, key, line };
}

function parseHostField(text: string): HostField | undefined {
  if (!text.startsWith('|')) return { kind: 'patterns', patterns: text.split(',').filter((p) => p !== '') };
  // Hashed: |1|base64(salt)|base64(HMAC-SHA1(salt, hostname)); only scheme 1 exists.
  const [, scheme, salt, hash] = text.split('|');
  if (scheme !== '1' || !salt || !hash || !BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  return { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

/** The type name at the start of an SSH public key blob (string: uint32 length + bytes). */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return undefined;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts stores for a host: `host` on port 22, `[host]:port` elsewhere. */
export function hostToken(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The line `accept-new` appends, in the same shape ssh writes. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${hostToken(host, port)} ${keyTypeOf(blob) ?? 'unknown'} ${blob.toString('base64')}`;
}

/** OpenSSH's hashed host form, for tests and for users who hash their files. */
export function hashHostToken(token: string, salt: Buffer): string {
  const hash = createHmac('sha1', salt).update(token).digest('base64');
  return `|1|${salt.toString('base64')}|${hash}`;
}

export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  const token = hostToken(host, port);
  if (entry.hosts.kind === 'hashed') {
    const mac = createHmac('sha1', entry.hosts.salt).update(token).digest();
    return mac.length === entry.hosts.hash.length && timingSafeEqual(mac, entry.hosts.hash);
  }
  // ssh's match_pattern_list: any positive match, unless some negated pattern matches.
  let matched = false;
  for (const pattern of entry.hosts.patterns) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, token)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** OpenSSH's match_pattern: `*` and `?` only, case-insensitive, in time linear in the name. */
function globMatches(pattern: string, text: string): boolean {
  return wildcardMatch(compileWildcard(pattern.toLowerCase(), { classes: false }), text);
}

/** Decide about a presented host key, the way ssh's check_host_key does. */
export function checkHostKey(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  presented: Buffer,
): HostKeyVerdict {
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, host, port));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(presented))) return { kind: 'known' };
  const type = keyTypeOf(presented);
  const sameType = plain.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { kind: 'mismatch', expected: sameType };
  return { kind: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))].sort() };
}

/** Key types already known for a host, so the handshake can ask for one of them first (as ssh does). */
export function knownKeyTypes(entries: readonly KnownHostsEntry[], host: string, port: number): string[] {
  const types = entries
    .filter((e) => e.marker === undefined && entryMatchesHost(e, host, port))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/**
 * known_hosts entries by host, so each of N hosts looks at its own lines rather than at every line
 * (N hosts × N lines would be quadratic in the fleet). Plain patterns without wildcards or
 * negation are looked up by exact token; every other entry (hashed, wildcard, negated) is a
 * candidate for every host and goes through entryMatchesHost as before.
 */
export class KnownHostsIndex {
  private readonly byToken = new Map<string, KnownHostsEntry[]>();
  private readonly rest: KnownHostsEntry[] = [];

  constructor(entries: readonly KnownHostsEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  add(entry: KnownHostsEntry): void {
    const patterns = entry.hosts.kind === 'patterns' ? entry.hosts.patterns : undefined;
    if (!patterns || patterns.some((p) => /[*?!]/.test(p))) {
      this.rest.push(entry);
      return;
    }
    for (const token of new Set(patterns.map((p) => p.toLowerCase()))) {
      const list = this.byToken.get(token);
      if (list) list.push(entry);
      else this.byToken.set(token, [entry]);
    }
  }

  /** The entries that may be about host:port, in file order (messages name the first lines). */
  candidates(host: string, port: number): KnownHostsEntry[] {
    const exact = this.byToken.get(hostToken(host, port)) ?? [];
    if (this.rest.length === 0) return exact;
    return [...exact, ...this.rest].sort((a, b) => a.line - b.line);
  }
}
