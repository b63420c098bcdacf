import type { RollBarrier } from '../model/plan.js';
import { topologicalOrder } from './graph.js';

/**
 * The step DAG under construction: nodes 0..steps-1 are plan steps, the rest are virtual nodes
 * (barriers) that stand for "all of these before all of those". Many-to-many orders (a tier
 * boundary, a group:svc fan-in) go through one virtual node, so the graph stays linear in size.
 * `finish` drops virtual nodes that order nothing, folds small ones into direct edges, reduces
 * `after` to direct predecessors and layers the steps into waves.
 */
/** Every node's list until its first edge: one frozen array, not one per step. Only edge() adds. */
const NO_PREDS: number[] = Object.freeze([]) as unknown as number[];

export class StepGraph {
  readonly preds: number[][];
  private readonly labels: VirtualLabel[] = [];

  constructor(readonly steps: number) {
    this.preds = new Array<number[]>(steps).fill(NO_PREDS);
  }

  /** `roll`: a rolling batch's barrier, which the executor acts on, so it is always kept. */
  addVirtual(id: string, reason: string, roll?: RollBarrier): number {
    this.labels.push(roll ? { id, reason, roll } : { id, reason });
    this.preds.push(NO_PREDS);
    return this.preds.length - 1;
  }

  edge(from: number, to: number): void {
    const list = this.preds[to] as number[];
    if (list === NO_PREDS) this.preds[to] = [from];
    else list.push(from);
  }

  isVirtual(node: number): boolean {
    return node >= this.steps;
  }

  label(node: number): VirtualLabel {
    return this.labels[node - this.steps] as VirtualLabel;
  }

  isKept(node: number): boolean {
    return this.isVirtual(node) && this.label(node).roll !== undefined;
  }

  finish(): Finished {
    const order = topologicalOrder(this.preds);
    // contract and reduce replace a node's list, never change it: a list without repeats is shared.
    const preds = withoutRepeats(this.preds);
    const alive = contract(this, preds, order);
    const live = order.filter((v) => alive[v]);
    const wave = new Array<number>(preds.length).fill(0);
    const depth = new Array<number>(preds.length).fill(0);
    for (const v of live) {
      let w = 0;
      let d = 0;
      for (const p of preds[v] as number[]) {
        w = Math.max(w, wave[p] as number);
        d = Math.max(d, depth[p] as number);
      }
      // A barrier takes no time: it is in the wave of the last step it waits for.
      wave[v] = this.isVirtual(v) ? w : w + 1;
      depth[v] = d + 1;
    }
    const after = reduce(this, preds, live, depth);
    const barriers = live.filter((v) => this.isVirtual(v));
    return { after, wave, barriers };
  }
}

export interface VirtualLabel {
  id: string;
  reason: string;
  roll?: RollBarrier;
}

export interface Finished {
  /** Direct predecessors per node (steps and kept barriers), sorted by node number. */
  after: number[][];
  /** 1-based wave per step; for a barrier, the wave of the last step it waits for. */
  wave: number[];
  /** The virtual nodes kept, in topological order. */
  barriers: number[];
}

/**
 * Each list with its repeats dropped (first places kept), the list itself when it has none: one
 * array of marks for all lists, not a Set and a copy per node (400,000 nodes at 10,000 hosts).
 */
function withoutRepeats(lists: readonly number[][]): number[][] {
  const seen = new Uint32Array(lists.length);
  let round = 0;
  return lists.map((ps) => {
    if (ps.length < 2) return ps;
    round++;
    let k = 0;
    while (k < ps.length && seen[ps[k] as number] !== round) seen[ps[k++] as number] = round;
    if (k === ps.length) return ps;
    const unique = ps.slice(0, k);
    for (; k < ps.length; k++) {
      const p = ps[k] as number;
      if (seen[p] === round) continue;
      seen[p] = round;
      unique.push(p);
    }
    return unique;
  });
}

/**
 * Removes virtual nodes with nothing before or nothing after them, and replaces one with direct
 * edges when that is no more edges (p × s ≤ p + s): a barrier is only kept where it saves edges.
 */
function contract(g: StepGraph, preds: number[][], order: readonly number[]): boolean[] {
  // Successors are only ever read for virtual nodes: lists for those alone, not for every step.
  const succ: (number[] | undefined)[] = [];
  preds.forEach((ps, v) => {
    for (const p of ps) {
      if (!g.isVirtual(p)) continue;
      const list = succ[p];
      if (list) list.push(v);
      else succ[p] = [v];
    }
  });
  const alive = preds.map(() => true);
  for (const x of order) {
    if (!g.isVirtual(x) || g.isKept(x)) continue;
    const ps = preds[x] as number[];
    const ss = succ[x] ?? [];
    if (ps.length > 0 && ss.length > 0 && ps.length * ss.length > ps.length + ss.length) continue;
    alive[x] = false;
    const inherit = ss.length > 0 ? ps : [];
    for (const s of ss)
      preds[s] = [...new Set([...(preds[s] as number[]).filter((p) => p !== x), ...inherit])];
    const pass = ps.length > 0 ? ss : [];
    for (const p of ps) {
      if (g.isVirtual(p)) succ[p] = [...new Set([...(succ[p] ?? []).filter((s) => s !== x), ...pass])];
    }
    preds[x] = [];
    succ[x] = [];
  }
  return alive;
}

/**
 * Drops a predecessor that another predecessor already waits for (directly or further back), with a
 * search bounded per node so the whole pass stays linear: a barrier with many predecessors is not
 * walked through, its predecessor set is looked up instead and only the barriers before it are
 * followed. Within the bound (always for plans of everyday size) `after` is exactly the direct
 * predecessors; beyond it an implied edge may stay, which orders nothing differently.
 */
function reduce(
  g: StepGraph,
  preds: number[][],
  live: readonly number[],
  depth: readonly number[],
): number[][] {
  const after: number[][] = preds.map(() => []);
  const stamp = new Uint32Array(preds.length);
  // Per round (one node's reduction), which nodes are its candidates and which are redundant:
  // marks in two arrays instead of two sets per node (400,000 nodes at 10,000 hosts).
  const candidate = new Uint32Array(preds.length);
  const redundant = new Uint32Array(preds.length);
  const predSets = new Map<number, Set<number>>();
  const predSet = (x: number): Set<number> => {
    let s = predSets.get(x);
    if (!s) {
      s = new Set(preds[x]);
      predSets.set(x, s);
    }
    return s;
  };
  const virtualPreds = new Map<number, number[]>();
  const virtualPredsOf = (x: number): number[] => {
    let list = virtualPreds.get(x);
    if (!list) {
      list = (preds[x] as number[]).filter((p) => g.isVirtual(p));
      virtualPreds.set(x, list);
    }
    return list;
  };
  let round = 0;
  let floor = 0;
  const todo: number[] = [];
  const visit = (p: number): void => {
    if (stamp[p] === round || (depth[p] as number) <= floor) return;
    stamp[p] = round;
    todo.push(p);
  };
  for (const v of live) {
    const cands = preds[v] as number[];
    if (cands.length < 2) {
      after[v] = cands; // never changed from here on: shared, not copied
      continue;
    }
    round++;
    for (const c of cands) candidate[c] = round;
    const isCand = (p: number): boolean => candidate[p] === round;
    const isRedundant = (p: number): boolean => redundant[p] === round;
    floor = Number.POSITIVE_INFINITY;
    for (const c of cands) floor = Math.min(floor, depth[c] as number);
    let budget = 256 + 8 * cands.length;
    // Deepest first: what a deep predecessor reaches need not be searched from again.
    const byDepth = [...cands].sort((a, b) => (depth[b] as number) - (depth[a] as number) || a - b);
    for (const q of byDepth) {
      if (isRedundant(q) || budget <= 0) continue;
      stamp[q] = round;
      todo.push(q);
      while (todo.length > 0 && budget > 0) {
        const x = todo.pop() as number;
        const ps = preds[x] as number[];
        if (g.isVirtual(x) && ps.length > budget) {
          // Look the candidates up instead of walking every step the barrier waits for.
          const small = cands.length < ps.length;
          budget -= Math.min(cands.length, ps.length);
          if (small) {
            const set = predSet(x);
            for (const c of cands) if (c !== x && set.has(c)) redundant[c] = round;
          } else for (const p of ps) if (isCand(p)) redundant[p] = round;
          for (const p of virtualPredsOf(x)) visit(p);
          continue;
        }
        budget -= 1 + ps.length;
        for (const p of ps) {
          if (isCand(p)) redundant[p] = round;
          visit(p);
        }
      }
      todo.length = 0;
    }
    after[v] = cands.filter((c) => !isRedundant(c)).sort((a, b) => a - b);
  }
  return after;
}
