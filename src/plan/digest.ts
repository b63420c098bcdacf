import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { ObservedHost } from '../model/observed.js';

/**
 * "sha256:<hex>" of the host's observed state as canonical JSON (RFC 8785: sorted keys, absent and
 * undefined fields alike), so a saved plan can tell whether the host moved since it was made.
 */
export function hostDigest(host: ObservedHost): string {
  const text = canonicalize(host);
  if (text === undefined) throw new Error('internal error: observed host is not JSON');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
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
