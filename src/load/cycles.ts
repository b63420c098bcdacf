import { type DesiredHost, isGroupRequirement } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { Problem, SourceRef } from '../model/source.js';

/** A (host, service) pair as a key; service names may contain "@", so not the display form. */
export const serviceKey = (host: string, service: string): string => `${host}\u0000${service}`;
/** A `group:svc` as a key; never equal to a (host, service) key. */
export const groupKey = (group: string, service: string): string => `\uffff${group}\u0000${service}`;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The requires graph numbered: services in (host, service) order, then one node per `group:svc`
 * pointing at its hosts' services, so a group costs one edge per host however many name it.
 */
interface Numbered {
  keys: string[];
  labels: string[];
  services: number;
  edges: number[][];
}

function numbered(hosts: Record<string, DesiredHost>): Numbered {
  const keys: string[] = [];
  const labels: string[] = [];
  for (const host of Object.keys(hosts).sort(byText)) {
    for (const name of Object.keys(hosts[host]?.services ?? {}).sort(byText)) {
      keys.push(serviceKey(host, name));
      labels.push(serviceOnHost(host, name));
    }
  }
  const services = keys.length;
  const index = new Map(keys.map((k, i) => [k, i]));
  const edges: number[][] = keys.map(() => []);
  keys.forEach((_, i) => {
    const [host = '', name = ''] = (keys[i] as string).split('\u0000');
    const out = new Set<number>();
    for (const r of hosts[host]?.services[name]?.requires ?? []) {
      if (!isGroupRequirement(r)) {
        const t = index.get(serviceKey(r.host, r.service));
        if (t !== undefined) out.add(t);
        continue;
      }
      const key = groupKey(r.group, r.service);
      let g = index.get(key);
      if (g === undefined) {
        g = keys.length;
        index.set(key, g);
        keys.push(key);
        labels.push('');
        const members = r.hosts.map((h) => index.get(serviceKey(h, r.service)));
        edges.push([...new Set(members.filter((m): m is number => m !== undefined))].sort((a, b) => a - b));
      }
      out.add(g);
    }
    edges[i] = [...out].sort((a, b) => a - b);
  });
  return { keys, labels, services, edges };
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
    const where = whereOf(g.keys[cycle[0] as number] as string, g.keys[cycle[1] as number] as string);
    const shown = cycle.filter((n) => n < g.services).map((n) => g.labels[n] as string);
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
function pathBack(start: number, component: Int32Array, edges: readonly number[][]): number[] {
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
 * Tarjan's algorithm, iterative so long chains cannot overflow the stack. Components come out
 * sorted by their smallest node, each sorted ascending.
 */
function stronglyConnected(edges: readonly number[][]): { component: Int32Array; components: number[][] } {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1] as { v: number; i: number };
      const next = (edges[frame.v] ?? [])[frame.i++];
      if (next !== undefined) {
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack.push(next);
          onStack[next] = 1;
          work.push({ v: next, i: 0 });
        } else if (onStack[next]) {
          low[frame.v] = Math.min(low[frame.v] as number, index[next] as number);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.v] = Math.min(low[parent.v] as number, low[frame.v] as number);
      if (low[frame.v] === index[frame.v]) {
        const scc: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = components.length;
          scc.push(w);
        } while (w !== frame.v);
        components.push(scc.sort((a, b) => a - b));
      }
    }
  }
  components.sort((a, b) => (a[0] as number) - (b[0] as number));
  return { component, components };
}
