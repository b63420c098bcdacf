import { type AnyRequirement, type GroupRequirement, isGroupRequirement } from '../model/desired.js';
import { type Inventory, useHost } from '../model/inventory.js';
import type { Problem, SourceRef } from '../model/source.js';
import { findCycles, groupKey as groupNode, serviceKey as node } from './cycles.js';
import type { Merged } from './layers.js';
import { didYouMean, listNames, q } from './names.js';
import type { RawRequire } from './playbook-parse.js';
import { formatRef } from './yaml-doc.js';

/** What a target resolved to: hosts and, for a group, the one shared requirement object. */
type Resolved = { hosts: string[] } | { group: GroupRequirement } | 'missing-here';

/**
 * Turns every `requires` item into (host, service) pairs, or one shared group reference for
 * "group:svc", checks that the required service is declared there, then looks for cycles. Fills
 * `requires` of the merged services in place. A group is resolved once per (group, service), however
 * many services name it, so `requires: [all:db]` on every host stays linear.
 */
export function resolveRequires(merged: Merged, inventory: Inventory, problems: Problem[]): void {
  const hosts = merged.hosts;
  // A plain "svc" set for a group fails on each host that lacks svc: one problem names them all.
  const missingHere = new Map<string, { r: RawRequire; hosts: string[] }>();
  const seen = new Set<string>();
  const report = (p: Problem) => {
    const key = `${p.where ? formatRef(p.where) : ''}|${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  };
  const groups = new Map<string, GroupRequirement | undefined>();

  for (const [host, services] of merged.requires) {
    for (const [service, raws] of services) {
      const resolved: AnyRequirement[] = [];
      // Each target once. A short list is scanned; a long one keeps keys, so it stays linear.
      const have = raws.length > 8 ? new Set<string>() : undefined;
      const isNew = (key: () => string, listed: () => boolean): boolean => {
        if (!have) return !listed();
        const k = key();
        if (have.has(k)) return false;
        have.add(k);
        return true;
      };
      for (const r of raws) {
        const targets = targetsOf(r, host, merged, inventory, report, groups);
        if (targets === 'missing-here') {
          const key = formatRef(r.where);
          const entry = missingHere.get(key);
          if (entry) entry.hosts.push(host);
          else missingHere.set(key, { r, hosts: [host] });
          continue;
        }
        if ('group' in targets) {
          const g = targets.group;
          const to = () => groupNode(g.group, g.service);
          if (isNew(to, () => resolved.includes(g))) resolved.push(g);
          continue;
        }
        for (const t of targets.hosts) {
          const listed = () =>
            resolved.some((o) => !isGroupRequirement(o) && o.host === t && o.service === r.service);
          if (isNew(() => node(t, r.service), listed))
            resolved.push({ raw: r.raw, host: t, service: r.service });
        }
      }
      const svc = hosts[host]?.services[service];
      if (svc) svc.requires = resolved;
    }
  }
  for (const { r, hosts: where } of missingHere.values()) {
    const known = where.flatMap((h) => Object.keys(hosts[h]?.services ?? {}));
    report({
      where: r.where,
      message: `requires ${q(r.raw)}: ${where.length > 1 ? 'hosts' : 'host'} ${listNames(where)} ${where.length > 1 ? 'declare' : 'declares'} no service ${q(r.service)}`,
      hint:
        didYouMean(r.service, [...new Set(known)]) ??
        'declare it for the same host, or write "host:service" or "group:service" for one elsewhere',
    });
  }
  // Where an edge was written is looked up again only for the edges a cycle report names: keeping
  // it for every edge was a string key per requirement (60,000 on the 10,000-host fleet).
  const whereOf = (fromKey: string, toKey: string): SourceRef | undefined => {
    const cut = fromKey.lastIndexOf('\u0000');
    const host = fromKey.slice(0, cut);
    const service = fromKey.slice(cut + 1);
    for (const r of merged.requires.get(host)?.get(service) ?? []) {
      const targets = targetsOf(r, host, merged, inventory, () => {}, groups);
      if (targets === 'missing-here') continue;
      const keys =
        'group' in targets
          ? [groupNode(targets.group.group, targets.group.service)]
          : targets.hosts.map((t) => node(t, r.service));
      if (keys.includes(toKey)) return r.where;
    }
    return undefined;
  };
  problems.push(...findCycles(hosts, whereOf));
}

function targetsOf(
  r: RawRequire,
  host: string,
  merged: Merged,
  inventory: Inventory,
  report: (p: Problem) => void,
  groups: Map<string, GroupRequirement | undefined>,
): Resolved {
  const hosts = merged.hosts;
  const usable = (h: string) => hosts[h]?.services[r.service] !== undefined;
  const declared = (h: string) => merged.declared.get(h)?.has(r.service) === true;
  if (r.target === undefined)
    return usable(host) ? { hosts: [host] } : declared(host) ? { hosts: [] } : 'missing-here';
  const t = r.target;
  if (useHost(inventory, t)) {
    if (usable(t)) return { hosts: [t] };
    if (declared(t)) return { hosts: [] };
    report({
      where: r.where,
      message: `requires ${q(r.raw)}: host ${q(t)} declares no service ${q(r.service)}`,
      hint:
        didYouMean(r.service, Object.keys(hosts[t]?.services ?? {})) ??
        `declare it in a playbook under "hosts: ${t}:" (or a group of ${t})`,
    });
    return { hosts: [] };
  }
  const key = `${t}\u0000${r.service}`;
  if (!groups.has(key)) {
    const members = t === 'all' ? Object.keys(inventory.hosts).sort() : inventory.groups[t]?.hosts;
    const found = members?.filter(usable) ?? [];
    const ok = members !== undefined && (found.length > 0 || members.some(declared));
    groups.set(key, ok ? { raw: r.raw, group: t, service: r.service, hosts: found } : undefined);
  }
  const group = groups.get(key);
  // The raw text may differ between places ("all:db" vs "all:db"); the first one written names it.
  if (group) return group.hosts.length > 0 ? { group } : { hosts: [] };
  if (t === 'all' || inventory.groups[t]) {
    report({
      where: r.where,
      message: `requires ${q(r.raw)}: no host of group ${q(t)} declares service ${q(r.service)}`,
      hint: `declare it for the group (under "hosts: ${t}:") or for one of its hosts`,
    });
    return { hosts: [] };
  }
  const names = [...Object.keys(inventory.hosts), ...Object.keys(inventory.groups)];
  report({
    where: r.where,
    message: `requires ${q(r.raw)}: no host or group ${q(t)} in the inventory`,
    hint: didYouMean(t, names) ?? 'write "service", "host:service" or "group:service"',
  });
  return { hosts: [] };
}
