import type { HealthCheck, Runlevel } from '../model/desired.js';
import { runlevelText } from './runlevel.js';

function isHealth(v: unknown): v is HealthCheck {
  return typeof v === 'object' && v !== null && 'kind' in v && 'timeoutSec' in v;
}

function isRunlevel(v: unknown): v is Runlevel {
  return typeof v === 'object' && v !== null && 'kind' in v && ('level' in v || 'name' in v);
}

export function healthText(h: HealthCheck): string {
  const timeout = `timeout ${h.timeoutSec}s`;
  switch (h.kind) {
    case 'tcp':
      return `tcp ${h.host}:${h.port}, ${timeout}`;
    case 'http':
      return `http ${h.url}, ${timeout}`;
    case 'command':
      return `command ${JSON.stringify(h.argv)}, ${timeout}`;
  }
}

/** A field's value for messages and `--explain`, as the user would write it. */
export function valueText(v: unknown): string {
  if (isHealth(v)) return healthText(v);
  if (isRunlevel(v)) return runlevelText(v);
  if (Array.isArray(v))
    return `[${v.map((x) => (typeof x === 'object' && x !== null && 'raw' in x ? String(x.raw) : valueText(x))).join(', ')}]`;
  if (typeof v === 'object' && v !== null && 'onChange' in v && Array.isArray(v.onChange)) {
    return `on_change ${valueText(v.onChange)}`;
  }
  return String(v);
}

/** What "the same desire" means when two places set a field: same value as written. */
export function sameValue(a: unknown, b: unknown): boolean {
  return valueText(a) === valueText(b);
}
