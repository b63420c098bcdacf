import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import type { WaiverNote } from '../model/waiver.js';
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
  const items = `${plural(s.items, 'item')}${s.waived ? `, ${s.waived} waived` : ''}`;
  if (s.inSync === s.hosts)
    return `${s.hosts === 1 ? 'the host is' : `all ${s.hosts} hosts are`} in sync (${items})`;
  const parts: string[] = [];
  if (s.drifted > 0) parts.push(`${plural(s.drifts, 'drift')} on ${plural(s.drifted, 'host')}`);
  if (s.unchecked > 0) parts.push(`${plural(s.unchecked, 'host')} unchecked`);
  if (s.inSync > 0) parts.push(`${plural(s.inSync, 'host')} in sync`);
  return `${parts.join(', ')} (${items})`;
}

/** How many of a checked host's items drifted: "2 of 5 items". */
export function driftCount(h: HostDrift): string {
  const drifted = h.items.filter((i) => !i.inSync && !i.waived).length;
  const waived = h.items.filter((i) => !i.inSync && i.waived).length;
  return `${drifted} of ${plural(h.items.length, 'item')}${waived ? `, ${waived} waived` : ''}`;
}

/** The out-of-sync items of a checked host, waived ones included (they are shown, not failed). */
export function driftedItems(h: HostDrift): DriftItem[] {
  return h.status === 'unchecked' ? [] : h.items.filter((i) => !i.inSync);
}

/** What a report adds after an item's values: its waiver, and whether it flaps or is fought over. */
export function itemNotes(i: DriftItem): string[] {
  const notes: string[] = [];
  if (i.waived) notes.push(waivedText(i.waived));
  if (i.waiverExpired) notes.push(expiredText(i.waiverExpired));
  if (i.fighting) notes.push(`fighting: ${i.fighting}`);
  if (i.flapping) notes.push(`flapping: ${i.flapping}`);
  return notes;
}

/** "waived until 2027-01-15 (reason, owner)" — the words every report uses. */
export function waivedText(n: WaiverNote): string {
  return `waived until ${n.until} (${n.reason}, ${n.owner})`;
}

/** "waiver expired 2026-11-30 (reason, owner)". */
export function expiredText(n: WaiverNote): string {
  return `waiver expired ${n.until} (${n.reason}, ${n.owner})`;
}
