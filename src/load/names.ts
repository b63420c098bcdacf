import { distance } from 'fastest-levenshtein';
import { SERVICE_NAME_RE } from '../model/desired.js';

/** A name or value as the user should see it in a message: quoted, control characters escaped. */
export function q(s: string): string {
  return JSON.stringify(s);
}

/** The closest candidate if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist || (d === bestDist && best !== undefined && c < best)) {
      best = c;
      bestDist = d;
    }
  }
  if (best === undefined) return undefined;
  // Short names tolerate one edit, longer ones a swap of two letters ("ngnix"), long ones three.
  const len = Math.max(word.length, best.length);
  const allowed = len <= 3 ? 1 : len <= 8 ? 2 : 3;
  return bestDist <= allowed ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean ${q(c)}?`;
}

/** What a bad service name probably meant: the allowed characters, starting with a letter or digit. */
export function cleanServiceName(name: string): string {
  return name
    .replace(/[^A-Za-z0-9@._+-]/g, '')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 255);
}

/** `undefined` when valid; otherwise the message and hint SPEC's error style expects. */
export function serviceNameProblem(name: string): { message: string; hint?: string } | undefined {
  if (SERVICE_NAME_RE.test(name)) return unitTypeProblem(name);
  const cleaned = cleanServiceName(name);
  const hint = cleaned === '' ? 'use letters, digits and @._+-' : `did you mean ${q(cleaned)}?`;
  if (name === '') return { message: 'service name is empty', hint: 'use letters, digits and @._+-' };
  if (/^[A-Za-z0-9@._+-]+$/.test(name)) {
    if (name.length > 255) return { message: `service ${q(name)} — names are at most 255 characters`, hint };
    return { message: `service ${q(name)} — names must start with a letter or digit`, hint };
  }
  return { message: `service ${q(name)} — names may contain only [A-Za-z0-9@._+-]`, hint };
}

/** "a", "a and b", "a, b and 3 more": for messages that name several hosts. */
export function listNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).map(q);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/**
 * systemd units that are not services: starting `reboot.target` reboots, stopping `-.mount` or
 * `system.slice` takes the host down with it. Declared services are services (or their socket,
 * timer or path); runlevels are set with `runlevel:`, never as a service.
 */
const NOT_SERVICES: Record<string, string> = {
  target: 'a target (set it with runlevel:, which refuses the halt/reboot family)',
  mount: 'a mount point',
  automount: 'a mount point',
  device: 'a device',
  swap: 'a swap area',
  slice: 'a slice (stopping it stops every service in it)',
  scope: 'a scope',
};

function unitTypeProblem(name: string): { message: string; hint: string } | undefined {
  const type = name.slice(name.lastIndexOf('.') + 1);
  const what = name.includes('.') ? NOT_SERVICES[type] : undefined;
  if (!what) return undefined;
  return {
    message: `service ${q(name)} is ${what}, not a service`,
    hint: 'declare services (name or name.service; .socket, .timer and .path units are allowed)',
  };
}
