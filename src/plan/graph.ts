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

/**
 * Kahn's algorithm; throws on a cycle because callers only pass graphs that are acyclic by construction.
 * Successors are kept in flat typed arrays (each node's a slice of one array, in edge order), not an
 * array per node: at 400,000 steps the per-node arrays were most of this function's time and garbage.
 */
export function topologicalOrder(preds: readonly (readonly number[])[]): number[] {
  const n = preds.length;
  const start = new Uint32Array(n + 1);
  const missing = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    const ps = preds[v] as readonly number[];
    missing[v] = ps.length;
    for (const p of ps) start[p + 1] = (start[p + 1] as number) + 1;
  }
  for (let v = 0; v < n; v++) start[v + 1] = (start[v + 1] as number) + (start[v] as number);
  const fill = start.slice(0, n);
  const succ = new Uint32Array(start[n] as number);
  for (let v = 0; v < n; v++) {
    for (const p of preds[v] as readonly number[]) {
      succ[fill[p] as number] = v;
      fill[p] = (fill[p] as number) + 1;
    }
  }
  const order: number[] = [];
  for (let v = 0; v < n; v++) if (missing[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) {
    const x = order[i] as number;
    for (let k = start[x] as number; k < (start[x + 1] as number); k++) {
      const s = succ[k] as number;
      missing[s] = (missing[s] as number) - 1;
      if (missing[s] === 0) order.push(s);
    }
  }
  if (order.length !== n) throw new Error('internal error: the step graph has a cycle');
  return order;
}
