import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import { byText, plural } from './plan-summary.js';

/** Hosts in name order, whatever order the report was built or parsed in. */
export function sortedHosts(r: DriftReport): [string, HostDrift][] {
  return Object.entries(r.hosts).sort(([a], [b]) => byText(a, b));
}

/** "postgresql state", or "runlevel" / "default-runlevel" for the host-wide items. */
export function itemLabel(i: DriftItem): string {
  const field = i.resource !== undefined ? `${i.field} ${i.resource}` : i.field;
  return i.service !== undefined ? `${i.service} ${field}` : field;
}

/** Drifts and host counts in one line: "2 drifts on 1 host, 1 host unchecked, 3 hosts in sync (14 items)". */
export function driftHeadline(r: DriftReport): string {
  const s = r.summary;
  if (s.hosts === 0) return 'no hosts to check';
  if (s.inSync === s.hosts)
    return `${s.hosts === 1 ? 'the host is' : `all ${s.hosts} hosts are`} in sync (${plural(s.items, 'item')})`;
  const parts: string[] = [];
  if (s.drifted > 0) parts.push(`${plural(s.drifts, 'drift')} on ${plural(s.drifted, 'host')}`);
  if (s.unchecked > 0) parts.push(`${plural(s.unchecked, 'host')} unchecked`);
  if (s.inSync > 0) parts.push(`${plural(s.inSync, 'host')} in sync`);
  return `${parts.join(', ')} (${plural(s.items, 'item')})`;
}

/** How many of a checked host's items drifted: "2 of 5 items". */
export function driftCount(h: HostDrift): string {
  const drifted = h.items.filter((i) => !i.inSync).length;
  return `${drifted} of ${plural(h.items.length, 'item')}`;
}

export function driftedItems(h: HostDrift): DriftItem[] {
  return h.status === 'drift' ? h.items.filter((i) => !i.inSync) : [];
}
