import type { DesiredHost } from '../model/desired.js';
import type { ResourceDriftItem, ServiceDriftItem } from '../model/drift.js';
import type { ObservedResources, ReachableHost } from '../model/observed.js';

/**
 * Thresholds (`resources:`) and limits (`limits:`) against what the resources section read: a
 * breach is drift (field `resource`). Nothing is planned for it — runstate reports, it does not
 * kill processes — so these items never disagree with the planner.
 */
export function resourceItems(
  want: DesiredHost,
  seen: ReachableHost,
): (ResourceDriftItem | ServiceDriftItem)[] {
  const got: ObservedResources = seen.resources ?? {};
  const items: (ResourceDriftItem | ServiceDriftItem)[] = [];
  const r = want.resources ?? {};
  const host = (resource: string, desired: string, observed: string, inSync: boolean): void => {
    items.push({ kind: 'resource', field: 'resource', resource, desired, observed, inSync });
  };
  if (r.load !== undefined) {
    const load = got.load?.[0];
    host(
      'load',
      `at most ${r.load}`,
      load === undefined ? 'unknown' : String(load),
      load !== undefined && load <= r.load,
    );
  }
  const mem = got.memory;
  if (r.memory !== undefined) {
    const used = mem && mem.totalKiB > 0 ? pct(mem.totalKiB - mem.availableKiB, mem.totalKiB) : undefined;
    host(
      'memory',
      `at most ${r.memory}%`,
      usedText(used, mem?.totalKiB),
      used !== undefined && used <= r.memory,
    );
  }
  if (r.swap !== undefined) {
    const total = mem?.swapTotalKiB;
    // No swap at all is no swap in use.
    const used = mem === undefined ? undefined : total ? pct(total - mem.swapFreeKiB, total) : 0;
    host('swap', `at most ${r.swap}%`, usedText(used, total), used !== undefined && used <= r.swap);
  }
  for (const [mount, limit] of Object.entries(r.disk ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const d = got.disks?.[mount];
    if (!d || 'error' in d) {
      host(`disk ${mount}`, `at most ${limit}%`, d ? `unknown: ${d.error}` : 'unknown', false);
      continue;
    }
    // As df counts it: used of what users can have (used + available), not of the raw size.
    const used = pct(d.usedKiB, d.usedKiB + d.availableKiB);
    host(`disk ${mount}`, `at most ${limit}%`, usedText(used, d.usedKiB + d.availableKiB), used <= limit);
  }
  for (const svc of Object.values(want.services)) {
    const { memory, cpu } = svc.limits ?? {};
    if (memory === undefined && cpu === undefined) continue;
    const use = got.services?.[svc.name];
    const found = seen.services[svc.name];
    const limitItem = (
      resource: string,
      desired: string,
      value: number | undefined,
      limit: number,
      shown: string,
    ) => {
      const base = {
        kind: 'service' as const,
        service: svc.name,
        field: 'resource' as const,
        resource,
        desired,
        ...(found ? { manager: svc.manager !== 'auto' ? svc.manager : found.manager } : {}),
      };
      if (value === undefined) {
        // A stopped service uses nothing: its state item says whether that is drift.
        const why =
          use?.error ?? (use?.memoryBytes !== undefined ? 'the two CPU readings did not agree' : 'not read');
        items.push({ ...base, observed: `not measured: ${why}`, inSync: found?.active !== 'active' });
      } else {
        items.push({ ...base, observed: `${shown} (${use?.source})`, inSync: value <= limit });
      }
    };
    if (memory !== undefined)
      limitItem('memory', `at most ${bytes(memory)}`, use?.memoryBytes, memory, bytes(use?.memoryBytes ?? 0));
    if (cpu !== undefined)
      limitItem('cpu', `at most ${cpu}% of a core`, use?.cpuPercent, cpu, `${use?.cpuPercent}% of a core`);
  }
  return items;
}

function pct(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

function usedText(used: number | undefined, totalKiB: number | undefined): string {
  if (used === undefined) return 'unknown';
  return totalKiB ? `${used}% of ${bytes(totalKiB * 1024)}` : `${used}%`;
}

/** 1536 → "1.5 KiB": binary units, as the limits are read. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
