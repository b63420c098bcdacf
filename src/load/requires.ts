import type { DesiredHost, Requirement } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import { serviceOnHost } from '../model/notation.js';
import type { Problem, SourceRef } from '../model/source.js';
import type { Merged } from './layers.js';
import { didYouMean, listNames, q } from './names.js';
import type { RawRequire } from './playbook-parse.js';
import { formatRef } from './yaml-doc.js';

/** A (host, service) pair as a graph node; service names may contain "@", so not the display form. */
const node = (host: string, service: string): string => `${host}\u0000${service}`;

/** "host:svc", as cycles are printed (the notation of every message, and of `requires`). */
function display(n: string): string {
  const [host = '', service = ''] = n.split('\u0000');
  return serviceOnHost(host, service);
}

/**
 * Turns every `requires` item into (host, service) pairs and checks that the required service is
 * declared there, then looks for cycles. Fills `requires` of the merged services in place.
 */
export function resolveRequires(merged: Merged, inventory: Inventory, problems: Problem[]): void {
  const hosts = merged.hosts;
  const edgeWhere = new Map<string, SourceRef>();
  // A plain "svc" set for a group fails on each host that lacks svc: one problem names them all.
  const missingHere = new Map<string, { r: RawRequire; hosts: string[] }>();
  const seen = new Set<string>();
  const report = (p: Problem) => {
    const key = `${p.where ? formatRef(p.where) : ''}|${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  };

  for (const [host, services] of merged.requires) {
    for (const [service, raws] of services) {
      const resolved: Requirement[] = [];
      for (const r of raws) {
        const targets = targetsOf(r, host, merged, inventory, report);
        if (targets === 'missing-here') {
          const key = formatRef(r.where);
          missingHere.set(key, { r, hosts: [...(missingHere.get(key)?.hosts ?? []), host] });
          continue;
        }
        for (const t of targets) {
          if (resolved.some((x) => x.host === t && x.service === r.service)) continue;
          resolved.push({ raw: r.raw, host: t, service: r.service });
          edgeWhere.set(`${node(host, service)} ${node(t, r.service)}`, r.where);
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
        didYouMean(r.service, known) ??
        'declare it for the same host, or write "host:service" or "group:service" for one elsewhere',
    });
  }
  problems.push(...findCycles(hosts, edgeWhere));
}

function targetsOf(
  r: RawRequire,
  host: string,
  merged: Merged,
  inventory: Inventory,
  report: (p: Problem) => void,
): string[] | 'missing-here' {
  const hosts = merged.hosts;
  const usable = (h: string) => hosts[h]?.services[r.service] !== undefined;
  const declared = (h: string) => merged.declared.get(h)?.has(r.service) === true;
  if (r.target === undefined) return usable(host) ? [host] : declared(host) ? [] : 'missing-here';
  const t = r.target;
  if (inventory.hosts[t]) {
    if (usable(t)) return [t];
    if (declared(t)) return [];
    report({
      where: r.where,
      message: `requires ${q(r.raw)}: host ${q(t)} declares no service ${q(r.service)}`,
      hint:
        didYouMean(r.service, Object.keys(hosts[t]?.services ?? {})) ??
        `declare it in a playbook under "hosts: ${t}:" (or a group of ${t})`,
    });
    return [];
  }
  const group = t === 'all' ? Object.keys(inventory.hosts).sort() : inventory.groups[t]?.hosts;
  if (group) {
    const found = group.filter(usable);
    if (found.length > 0 || group.some(declared)) return found;
    report({
      where: r.where,
      message: `requires ${q(r.raw)}: no host of group ${q(t)} declares service ${q(r.service)}`,
      hint: `declare it for the group (under "hosts: ${t}:") or for one of its hosts`,
    });
    return [];
  }
  const names = [...Object.keys(inventory.hosts), ...Object.keys(inventory.groups)];
  report({
    where: r.where,
    message: `requires ${q(r.raw)}: no host or group ${q(t)} in the inventory`,
    hint: didYouMean(t, names) ?? 'write "service", "host:service" or "group:service"',
  });
  return [];
}

/** Every dependency cycle (one per strongly connected component), printed start to start. */
function findCycles(hosts: Record<string, DesiredHost>, edgeWhere: Map<string, SourceRef>): Problem[] {
  const edges = new Map<string, string[]>();
  for (const h of Object.values(hosts)) {
    for (const s of Object.values(h.services)) {
      edges.set(node(h.host, s.name), s.requires.map((r) => node(r.host, r.service)).sort(byNode));
    }
  }
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const report = (cycle: string[]) => {
    const where = edgeWhere.get(`${cycle[0]} ${cycle[1]}`);
    const key = where ? formatRef(where) : cycle.join(' ');
    // A group-level "requires: [itself]" loops on every host; once per place is enough.
    if (cycle.length === 2 && reported.has(key)) return;
    reported.add(key);
    problems.push({
      where,
      message: `dependency cycle: ${cycle.map(display).join(' → ')}`,
      hint: 'remove one of these requires',
    });
  };
  const components = stronglyConnected(edges).map((scc) => ({
    scc,
    start: [...scc].sort(byNode)[0] as string,
  }));
  for (const { scc, start } of components.sort((a, b) => byNode(a.start, b.start))) {
    const members = [...scc].sort(byNode);
    for (const n of members) if (edges.get(n)?.includes(n)) report([n, n]);
    if (scc.size > 1) report(pathBack(start, scc, edges));
  }
  return problems;
}

/** By host, then service (the NUL separator sorts first): the order cycles start in. */
function byNode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The shortest way from start back to itself inside its component (breadth first). */
function pathBack(start: string, scc: Set<string>, edges: Map<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const next of edges.get(cur) ?? []) {
      if (!scc.has(next) || next === cur) continue;
      if (next === start) {
        const path = [cur];
        while (path[0] !== start) path.unshift(prev.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!prev.has(next)) {
        prev.set(next, cur);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Tarjan's algorithm, iterative so long chains cannot overflow the stack. */
function stronglyConnected(edges: Map<string, string[]>): Set<string>[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: Set<string>[] = [];
  let counter = 0;
  for (const root of [...edges.keys()].sort(byNode)) {
    if (index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { v: string; i: number };
      const next = (edges.get(frame.v) ?? [])[frame.i++];
      if (next !== undefined) {
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ v: next, i: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.v, Math.min(low.get(frame.v) ?? 0, index.get(next) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) ?? 0, low.get(frame.v) ?? 0));
      if (low.get(frame.v) === index.get(frame.v)) {
        const scc = new Set<string>();
        let w: string | undefined;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          scc.add(w);
        } while (w !== frame.v);
        out.push(scc);
      }
    }
  }
  return out;
}
