import {
  type AnyRequirement,
  type DesiredHost,
  type DesiredService,
  isGroupRequirement,
} from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { Problem, SourceRef } from '../model/source.js';

/** A (host, service) pair as a key; service names may contain "@", so not the display form. */
export const serviceKey = (host: string, service: string): string => `${host}\u0000${service}`;
/** A `group:svc` as a key; never equal to a (host, service) key. */
export const groupKey = (group: string, service: string): string => `\uffff${group}\u0000${service}`;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The requires graph numbered: the services that require something, in (host, service) order,
 * then one node per `group:svc` pointing at its hosts' services, so a group costs one edge per host
 * however many name it. A service that requires nothing has no way back to itself, so it can be in
 * no cycle: it and the edges to it are left out (on the 10,000-host fleet, 70 % of the services and
 * of the Map that numbers them), as is a group none of whose services requires anything. What is
 * left keeps its order, so components, paths and reports come out as on the whole graph. Keys and
 * labels are made only for the nodes a cycle report names.
 */
interface Numbered {
  key: (n: number) => string;
  label: (n: number) => string;
  services: number;
  edges: readonly (readonly number[])[];
}

const NO_EDGES: readonly number[] = Object.freeze([]);

/** A host's requiring services: numbered first … first + names.length - 1, in name order. */
interface HostNodes {
  first: number;
  names: string[];
  /** Only for a host with many requiring services, where scanning the names would add up. */
  index?: Map<string, number>;
}

function numbered(hosts: Record<string, DesiredHost>): Numbered {
  const nodeHost: string[] = [];
  const nodeName: string[] = [];
  const nodeRequires: (readonly AnyRequirement[])[] = [];
  // By host name, then a scan of a few names: a Map keyed by 60,000 service objects (each given
  // an identity hash) was most of the numbering.
  const byHost = new Map<string, HostNodes>();
  for (const host of Object.keys(hosts).sort(byText)) {
    const services = hosts[host]?.services ?? {};
    const names: string[] = [];
    for (const name of Object.keys(services)) {
      if ((services[name] as DesiredService).requires.length > 0) names.push(name);
    }
    if (names.length === 0) continue;
    names.sort(byText);
    const nodes: HostNodes = { first: nodeHost.length, names };
    if (names.length > 16) nodes.index = new Map(names.map((n, i) => [n, i]));
    byHost.set(host, nodes);
    for (const name of names) {
      nodeHost.push(host);
      nodeName.push(name);
      nodeRequires.push((services[name] as DesiredService).requires);
    }
  }
  const indexOf = (host: string, service: string): number | undefined => {
    const nodes = byHost.get(host);
    if (nodes === undefined) return undefined;
    const i = nodes.index ? (nodes.index.get(service) ?? -1) : nodes.names.indexOf(service);
    return i < 0 ? undefined : nodes.first + i;
  };
  const services = nodeHost.length;
  const groupKeys: string[] = [];
  const groupEdges: number[][] = [];
  /** A group's node, or undefined when none of its services requires anything. */
  const groupIndex = new Map<string, number | undefined>();
  // Pushed in order, never written past the end: a sparse array falls back to slow dictionary storage.
  const edges: (readonly number[])[] = [];
  for (let i = 0; i < services; i++) {
    const out: number[] = [];
    for (const r of nodeRequires[i] as readonly AnyRequirement[]) {
      if (!isGroupRequirement(r)) {
        const t = indexOf(r.host, r.service);
        if (t !== undefined) out.push(t);
        continue;
      }
      const key = groupKey(r.group, r.service);
      let g = groupIndex.get(key);
      if (!groupIndex.has(key)) {
        const members: number[] = [];
        for (const h of r.hosts) {
          const m = indexOf(h, r.service);
          if (m !== undefined) members.push(m);
        }
        g = undefined;
        if (members.length > 0) {
          g = services + groupKeys.length;
          groupKeys.push(key);
          groupEdges.push(sortedUnique(members));
        }
        groupIndex.set(key, g);
      }
      if (g !== undefined) out.push(g);
    }
    edges.push(out.length === 0 ? NO_EDGES : sortedUnique(out));
  }
  for (const e of groupEdges) edges.push(e);
  return {
    key: (n) =>
      n < services
        ? serviceKey(nodeHost[n] as string, nodeName[n] as string)
        : (groupKeys[n - services] as string),
    label: (n) => (n < services ? serviceOnHost(nodeHost[n] as string, nodeName[n] as string) : ''),
    services,
    edges,
  };
}

function sortedUnique(list: number[]): number[] {
  if (list.length < 2) return list;
  list.sort((a, b) => a - b);
  let w = 1;
  for (let r = 1; r < list.length; r++) if (list[r] !== list[w - 1]) list[w++] = list[r] as number;
  list.length = w;
  return list;
}

/**
 * Every dependency cycle (one per strongly connected component), printed start to start, at the
 * place of its first requires. Group nodes are passed through but not printed.
 */
export function findCycles(
  hosts: Record<string, DesiredHost>,
  whereOf: (fromKey: string, toKey: string) => SourceRef | undefined,
): Problem[] {
  const g = numbered(hosts);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const report = (cycle: number[]) => {
    const where = whereOf(g.key(cycle[0] as number), g.key(cycle[1] as number));
    const shown = cycle.filter((n) => n < g.services).map((n) => g.label(n));
    const key = where ? `${where.file}:${where.line}:${where.col}` : shown.join(' ');
    // A group-level "requires: [itself]" loops on every host; once per place is enough.
    if (shown.length === 2 && reported.has(key)) return;
    reported.add(key);
    problems.push({
      where,
      message: `dependency cycle: ${shown.join(' → ')}`,
      hint: 'remove one of these requires',
    });
  };
  const { component, components } = stronglyConnected(g.edges);
  const members = new Map<number, Set<number>>();
  const memberOf = (grp: number, n: number): boolean => {
    let set = members.get(grp);
    if (!set) {
      set = new Set(g.edges[grp]);
      members.set(grp, set);
    }
    return set.has(n);
  };
  for (const scc of components) {
    for (const n of scc) {
      if (n >= g.services) continue;
      for (const t of g.edges[n] ?? []) {
        if (t === n) report([n, n]);
        else if (t >= g.services && component[t] === component[n] && memberOf(t, n)) report([n, t, n]);
      }
    }
    if (scc.length > 1) report(pathBack(scc[0] as number, component, g.edges));
  }
  return problems;
}

/** The shortest way from start back to itself inside its component (breadth first). */
function pathBack(start: number, component: Int32Array, edges: readonly (readonly number[])[]): number[] {
  const prev = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const cur = queue[head] as number;
    for (const next of edges[cur] ?? []) {
      if (component[next] !== component[start] || next === cur) continue;
      if (next === start) {
        const path = [cur];
        for (let p = cur; p !== start; ) {
          p = prev.get(p) as number;
          path.push(p);
        }
        return [...path.reverse(), start];
      }
      if (!prev.has(next)) {
        prev.set(next, cur);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/**
 * Tarjan's algorithm, iterative (typed-array stacks) so long chains cannot overflow the stack.
 * `component` numbers every node's component; `components` lists only those that can hold a
 * cycle — more than one node, or one that requires itself — sorted by their smallest node, each
 * sorted ascending. Listing the 200,000 one-service components of a large fleet cost more than
 * finding them.
 */
function stronglyConnected(edges: readonly (readonly number[])[]): {
  component: Int32Array;
  components: number[][];
} {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const workV = new Int32Array(n);
  const workI = new Int32Array(n);
  let sp = 0;
  let componentCount = 0;
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let wp = 0;
    workV[wp] = root;
    workI[wp++] = 0;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (wp > 0) {
      const v = workV[wp - 1] as number;
      const out = edges[v] as readonly number[];
      const i = workI[wp - 1] as number;
      if (i < out.length) {
        workI[wp - 1] = i + 1;
        const next = out[i] as number;
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack[sp++] = next;
          onStack[next] = 1;
          workV[wp] = next;
          workI[wp++] = 0;
        } else if (onStack[next]) {
          low[v] = Math.min(low[v] as number, index[next] as number);
        }
        continue;
      }
      wp--;
      if (wp > 0) {
        const parent = workV[wp - 1] as number;
        low[parent] = Math.min(low[parent] as number, low[v] as number);
      }
      if (low[v] === index[v]) {
        const id = componentCount++;
        if (stack[sp - 1] === v) {
          sp--;
          onStack[v] = 0;
          component[v] = id;
          if (out.includes(v)) components.push([v]);
          continue;
        }
        const scc: number[] = [];
        let w: number;
        do {
          w = stack[--sp] as number;
          onStack[w] = 0;
          component[w] = id;
          scc.push(w);
        } while (w !== v);
        components.push(scc.sort((a, b) => a - b));
      }
    }
  }
  components.sort((a, b) => (a[0] as number) - (b[0] as number));
  return { component, components };
}
