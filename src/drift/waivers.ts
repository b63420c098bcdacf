import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import type { Waiver, WaiverNote } from '../model/waiver.js';
import { summarise } from './compute.js';

/** The hosts each waiver target names: an inventory host, the hosts of a group, or every host. */
export type TargetHosts = (target: string) => ReadonlySet<string>;

/** The UTC calendar day of `now`, as a waiver's `expires` is written: "2027-01-15". */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** A waiver holds strictly before its expiry day: on 2027-01-15 a waiver "expires: 2027-01-15" no longer does. */
export function waiverActive(w: Pick<Waiver, 'expires'>, today: string): boolean {
  return today < w.expires;
}

/** Whether `w` names this item of this host (a waiver without a field names every field). */
export function waiverMatches(w: Waiver, host: string, item: DriftItem, hostsOf: TargetHosts): boolean {
  if (!hostsOf(w.target).has(host)) return false;
  if (w.field !== undefined && w.field !== item.field) return false;
  return w.service === item.service;
}

function note(w: Waiver): WaiverNote {
  return { until: w.expires, reason: w.reason, owner: w.owner };
}

/**
 * The report with each out-of-sync item a waiver names marked: `waived` while the waiver holds
 * (the host then counts as in sync when nothing else drifted, so the run exits 0), or
 * `waiverExpired` from its expiry day on (it drifts as before). Pure: `today` is injected.
 * When several waivers match, the one that holds longest wins.
 */
export function applyWaivers(
  report: DriftReport,
  waivers: readonly Waiver[],
  today: string,
  hostsOf: TargetHosts,
): DriftReport {
  if (waivers.length === 0) return report;
  const hosts: Record<string, HostDrift> = {};
  for (const [name, h] of Object.entries(report.hosts)) {
    if (h.status === 'unchecked') {
      hosts[name] = h;
      continue;
    }
    const items = h.items.map((item) => (item.inSync ? item : marked(item, name, waivers, today, hostsOf)));
    const drifting = items.some((i) => !i.inSync && !i.waived);
    hosts[name] = { status: drifting ? 'drift' : 'in-sync', items };
  }
  return { ...report, hosts, summary: summarise(hosts) };
}

function marked(
  item: DriftItem,
  host: string,
  waivers: readonly Waiver[],
  today: string,
  hostsOf: TargetHosts,
): DriftItem {
  const matching = waivers
    .filter((w) => waiverMatches(w, host, item, hostsOf))
    .sort((a, b) => (a.expires < b.expires ? 1 : a.expires > b.expires ? -1 : 0));
  const best = matching[0];
  if (!best) return item;
  return waiverActive(best, today) ? { ...item, waived: note(best) } : { ...item, waiverExpired: note(best) };
}
