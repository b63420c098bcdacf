import {
  DEFAULT_STACK,
  type Desired,
  type DesiredService,
  isGroupRequirement,
  requiredHosts,
} from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import { edgeKey, findCycles } from './graph.js';
import { compareText, type PlanProblem } from './types.js';

/**
 * The `requires` graph the planner orders by: one node per declared (host, service), and one per
 * `group:svc` written anywhere, pointing at the group's hosts' services. A group is referenced, not
 * expanded, so `requires: [all:db]` on N hosts is N + N edges, not N × N.
 */
export interface ServiceNode {
  host: string;
  name: string;
  stack: string;
  want: DesiredService;
  /** Step numbers: start and restart (as present), in that order. */
  up: number[];
  stop?: number;
}

export interface GroupNode {
  /** "group:svc", as written. */
  name: string;
  group: string;
  service: string;
}

export interface RequiresGraph {
  services: ServiceNode[];
  groups: GroupNode[];
  /** Node → what it requires: node k < services.length is a service, else group k - services.length. */
  targets: number[][];
  /** Node → what requires it (services, and the groups holding it). */
  requirers: number[][];
  /** A declared (host, service)'s node number. */
  nodeOf: (host: string, service: string) => number | undefined;
}

export const serviceLabel = (s: ServiceNode): string => serviceOnHost(s.host, s.name);

export function requiresGraph(desired: Desired): RequiresGraph {
  const services: ServiceNode[] = [];
  for (const host of Object.keys(desired.hosts).sort(compareText)) {
    const h = desired.hosts[host];
    const declared = h?.services ?? {};
    for (const name of Object.keys(declared).sort(compareText)) {
      const want = declared[name] as DesiredService;
      services.push({ host, name, stack: h?.stack ?? DEFAULT_STACK, want, up: [] });
    }
  }
  // Host, then service: the names are the same string objects every time, so their hashes are
  // kept, where a "host\0service" key was a new string to hash per lookup (400,000 steps).
  const index = new Map<string, Map<string, number>>();
  services.forEach((s, i) => {
    const onHost = index.get(s.host);
    if (onHost) onHost.set(s.name, i);
    else index.set(s.host, new Map([[s.name, i]]));
  });
  const nodeOf = (host: string, service: string): number | undefined => index.get(host)?.get(service);
  const groups: GroupNode[] = [];
  const groupIndex = new Map<string, number>();
  const targets: number[][] = services.map(() => []);
  services.forEach((s, i) => {
    // Most services require nothing: no set, no sort, for them (200,000 services at 10,000 hosts).
    if (s.want.requires.length === 0) return;
    const found = new Set<number>();
    for (const r of s.want.requires) {
      if (!isGroupRequirement(r)) {
        const t = nodeOf(r.host, r.service);
        if (t !== undefined) found.add(t);
        continue;
      }
      const key = `${r.group}\u0000${r.service}`;
      let g = groupIndex.get(key);
      if (g === undefined) {
        g = services.length + groups.length;
        groupIndex.set(key, g);
        groups.push({ name: `${r.group}:${r.service}`, group: r.group, service: r.service });
        const members = requiredHosts(r)
          .map((host) => nodeOf(host, r.service))
          .filter((m): m is number => m !== undefined);
        targets.push([...new Set(members)].sort((a, b) => a - b));
      }
      found.add(g);
    }
    targets[i] = found.size === 1 ? [...found] : [...found].sort((a, b) => a - b);
  });
  return { services, groups, targets, requirers: invert(targets), nodeOf };
}

function invert(targets: readonly (readonly number[])[]): number[][] {
  const out: number[][] = targets.map(() => []);
  targets.forEach((ts, from) => {
    for (const t of ts) out[t]?.push(from);
  });
  return out;
}

/** requires cycles should have been refused by validation: name each one, and cut it. */
export function cutCycles(g: RequiresGraph): PlanProblem[] {
  const search = findCycles(g.targets);
  if (search.cycles.length === 0) return [];
  g.targets = g.targets.map((ts, i) => ts.filter((t) => !search.backEdges.has(edgeKey(i, t))));
  g.requirers = invert(g.targets);
  return search.cycles.map((cycle) => {
    const real = cycle.filter((n) => n < g.services.length);
    const first = g.services[real[0] as number] as ServiceNode;
    const names = [...real, real[0] as number].map((i) => serviceLabel(g.services[i] as ServiceNode));
    return {
      host: first.host,
      service: first.name,
      message: `dependency cycle: ${names.join(' → ')}`,
      hint: 'remove one of these requires',
      wholeRun: true,
    };
  });
}

/** A service being stopped while a service that requires it is meant to keep running. */
export function stoppedButRequired(g: RequiresGraph): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const n = g.services.length;
  // Per group, only the members being stopped: most groups have none, so this stays linear.
  const stoppedIn = g.groups.map((_, k) =>
    (g.targets[n + k] ?? []).filter((m) => g.services[m]?.stop !== undefined),
  );
  if (!g.services.some((s) => s.stop !== undefined)) return problems;
  g.services.forEach((dep, i) => {
    if (dep.want.state !== 'running' || (g.targets[i] ?? []).length === 0) return;
    const stopped = (g.targets[i] ?? []).flatMap((t) => (t < n ? [t] : (stoppedIn[t - n] ?? [])));
    for (const r of [...new Set(stopped)].sort((a, b) => a - b)) {
      const req = g.services[r] as ServiceNode;
      if (req.stop === undefined) continue;
      problems.push({
        host: req.host,
        service: req.name,
        message: `${serviceLabel(req)} will be stopped, but ${serviceLabel(dep)} requires it and stays running`,
        warning: true,
        hint: `stop ${serviceLabel(dep)} as well or drop the requires`,
      });
    }
  });
  return problems;
}
