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
