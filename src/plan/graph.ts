/**
 * Small graph algorithms over numbered nodes 0..n-1, kept apart from the planning rules so each
 * can be read and tested alone. Results depend only on node numbering, never on Map/Set order.
 */

export interface CycleSearch {
  /** Each cycle as the nodes along it, starting at its smallest node (not repeated at the end). */
  cycles: number[][];
  /** Edges "from,to" whose removal leaves the graph acyclic. */
  backEdges: Set<string>;
}

export const edgeKey = (from: number, to: number): string => `${from},${to}`;

/** Depth-first search in node order; every back edge closes one reported cycle. */
export function findCycles(succ: readonly (readonly number[])[]): CycleSearch {
  const n = succ.length;
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const cycles: number[][] = [];
  const backEdges = new Set<string>();
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] as number;
      const i = next[top] as number;
      const out = succ[node] ?? [];
      if (i >= out.length) {
        state[node] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const to = out[i] as number;
      if (state[to] === 1) {
        backEdges.add(edgeKey(node, to));
        cycles.push(rotateToSmallest(path.slice(path.indexOf(to))));
      } else if (state[to] === 0) {
        state[to] = 1;
        path.push(to);
        next.push(0);
      }
    }
  }
  return { cycles, backEdges };
}

function rotateToSmallest(cycle: number[]): number[] {
  const at = cycle.indexOf(Math.min(...cycle));
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

/** Kahn's algorithm; throws on a cycle because callers only pass graphs that are acyclic by construction. */
export function topologicalOrder(preds: readonly (readonly number[])[]): number[] {
  const n = preds.length;
  const succ: number[][] = Array.from({ length: n }, () => []);
  const missing = new Uint32Array(n);
  preds.forEach((ps, v) => {
    missing[v] = ps.length;
    for (const p of ps) succ[p]?.push(v);
  });
  const order: number[] = [];
  for (let v = 0; v < n; v++) if (missing[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) {
    for (const s of succ[order[i] as number] ?? []) {
      missing[s] = (missing[s] as number) - 1;
      if (missing[s] === 0) order.push(s);
    }
  }
  if (order.length !== n) throw new Error('internal error: the step graph has a cycle');
  return order;
}

export interface Layering {
  /** Direct predecessors only: an edge implied by a longer path is dropped. */
  after: number[][];
  /** 1 + the highest wave among predecessors (longest-path layering), 1-based. */
  wave: number[];
}

/** Transitive reduction plus longest-path layering of a DAG given as predecessor lists. */
export function reduceAndLayer(preds: readonly (readonly number[])[]): Layering {
  const n = preds.length;
  const words = Math.ceil(n / 32);
  const ancestors: Uint32Array[] = new Array(n);
  const after: number[][] = Array.from({ length: n }, () => []);
  const wave: number[] = new Array(n).fill(1);
  const has = (set: Uint32Array, v: number): boolean => ((set[v >>> 5] as number) & (1 << (v & 31))) !== 0;
  for (const v of topologicalOrder(preds)) {
    const unique = [...new Set(preds[v])];
    // Everything reachable through some predecessor: a predecessor found in here is implied.
    const implied = new Uint32Array(words);
    for (const p of unique) {
      const ap = ancestors[p] as Uint32Array;
      for (let w = 0; w < words; w++) implied[w] = (implied[w] as number) | (ap[w] as number);
    }
    const direct = unique.filter((p) => !has(implied, p));
    const own = implied;
    for (const p of unique) own[p >>> 5] = (own[p >>> 5] as number) | (1 << (p & 31));
    ancestors[v] = own;
    after[v] = direct.sort((a, b) => a - b);
    wave[v] = 1 + Math.max(0, ...direct.map((p) => wave[p] as number));
  }
  return { after, wave };
}
