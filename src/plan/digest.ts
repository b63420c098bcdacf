import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { ObservedHost } from '../model/observed.js';

/**
 * "sha256:<hex>" of the host's observed state as canonical JSON (RFC 8785: sorted keys, absent and
 * undefined fields alike), so a saved plan can tell whether the host moved since it was made.
 */
export function hostDigest(host: ObservedHost): string {
  const text = canonicalJson(host);
  if (text === undefined) throw new Error('internal error: observed host is not JSON');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Exactly `canonicalize(value)`'s text. Plain data (what observe parses and a snapshot holds) is
 * written here, without the library's per-object Set of ancestors and per-character surrogate scan
 * (a tenth of buildPlan at 1,000 hosts); anything else — a surrogate, a number JSON has no text
 * for, a toJSON, a class instance, a hole, a nesting deeper than any observed host — is left to
 * the library, which also raises its errors. test/unit/plan/digest.test.ts holds the two side by side.
 */
export function canonicalJson(value: unknown): string | undefined {
  const text = plainJson(value, 0);
  return text === undefined ? canonicalize(value) : text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const SURROGATE = /[\ud800-\udfff]/;
/** Deeper than this, the library (with its cycle check) takes over. */
const MAX_DEPTH = 64;

/** The canonical text of plain data, or undefined for anything the library should judge. */
function plainJson(v: unknown, depth: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return stringJson(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : undefined;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (depth >= MAX_DEPTH) return undefined;
      if (Array.isArray(v))
        return Object.getPrototypeOf(v) === Array.prototype ? arrayJson(v, depth) : undefined;
      return Object.getPrototypeOf(v) === Object.prototype
        ? objectJson(v as Record<string, unknown>, depth)
        : undefined;
    default:
      return undefined;
  }
}

function stringJson(s: string): string | undefined {
  if (SURROGATE.test(s)) return undefined;
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function arrayJson(list: readonly unknown[], depth: number): string | undefined {
  if (typeof (list as { toJSON?: unknown }).toJSON === 'function') return undefined;
  let text = '[';
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item === undefined && !(i in list)) return undefined; // a hole: the library writes nothing there
    const part = item === undefined || typeof item === 'symbol' ? 'null' : plainJson(item, depth + 1);
    if (part === undefined) return undefined;
    text += i === 0 ? part : `,${part}`;
  }
  return `${text}]`;
}

function objectJson(o: Record<string, unknown>, depth: number): string | undefined {
  if (typeof o.toJSON === 'function') return undefined;
  let text = '{';
  let first = true;
  for (const key of Object.keys(o).sort()) {
    const item = o[key];
    if (item === undefined || typeof item === 'symbol') continue;
    const k = stringJson(key);
    const part = plainJson(item, depth + 1);
    if (k === undefined || part === undefined) return undefined;
    text += first ? `${k}:${part}` : `,${k}:${part}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * The host as seen through `services` only. A plan records (and digests) exactly the services it
 * covers, because that is the set the stale-plan check observes again: a heal plan made for one
 * drifted service of a host that declares several must not look stale for the others.
 */
export function scopeToServices(host: ObservedHost, services: readonly string[]): ObservedHost {
  if (host.status !== 'ok') return host;
  const keep = new Set(services);
  // Resource use moves every second and no plan acts on it: it never makes a plan stale.
  const { resources: _moving, ...rest } = host;
  return {
    ...rest,
    services: Object.fromEntries(Object.entries(host.services).filter(([name]) => keep.has(name))),
  };
}
