import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActiveState, type DesiredHost, TIERS, type Tier } from '../../../src/model/index.js';
import type { PlanResult } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

interface Node {
  host: number;
  tier: Tier;
  /** true: the service has a step (start or stop); false: already as wanted. */
  changes: boolean;
  /** indices of lower-numbered nodes: requires only point backwards, so the graph is a DAG. */
  requires: number[];
}

const arbGraph = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.array(
        fc.record({
          host: fc.nat(3),
          tier: fc.constantFrom(...TIERS),
          changes: fc.boolean(),
          requires: fc.array(fc.nat(n), { maxLength: 3 }),
        }),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .map(([hosts, raw]) =>
    raw.map(
      (node, i): Node => ({
        ...node,
        host: node.host % hosts,
        requires: [...new Set(node.requires.filter((r) => r < i))],
      }),
    ),
  );

/** `stacks`: hosts go round-robin into that many stacks (0: none named, one stack). */
function build(nodes: Node[], state: 'running' | 'stopped', stacks = 0): PlanResult {
  const name = (i: number) => `s${i}`;
  const hostName = (h: number) => `h${h}`;
  const hosts = [...new Set(nodes.map((n) => n.host))];
  const seen = (n: Node): ActiveState => ((state === 'running') === n.changes ? 'inactive' : 'active');
  const inStack = (d: DesiredHost, h: number): DesiredHost =>
    stacks > 0 ? { ...d, stack: `k${h % stacks}` } : d;
  return plan(
    desired(
      ...hosts.map((h) =>
        inStack(
          dhost(
            hostName(h),
            nodes.flatMap((n, i) =>
              n.host === h
                ? [
                    svc(name(i), {
                      state,
                      tier: n.tier,
                      requires: n.requires.map((r) => `${hostName((nodes[r] as Node).host)}:${name(r)}`),
                    }),
                  ]
                : [],
            ),
          ),
          h,
        ),
      ),
    ),
    observed(
      ...hosts.map((h) =>
        ohost(
          hostName(h),
          nodes.flatMap((n, i) => (n.host === h ? [osvc(name(i), seen(n))] : [])),
        ),
      ),
    ),
  );
}

/** Every step (and barrier) id reachable backwards through `after` from `id`, barriers included. */
function ancestors(r: PlanResult, id: string): Set<string> {
  const byId = new Map<string, { after: string[] }>([
    ...r.plan.steps.map((s): [string, { after: string[] }] => [s.id, s]),
    ...(r.plan.barriers ?? []).map((b): [string, { after: string[] }] => [b.id, b]),
  ]);
  const out = new Set<string>();
  const todo = [...(byId.get(id)?.after ?? [])];
  while (todo.length > 0) {
    const a = todo.pop() as string;
    if (out.has(a)) continue;
    out.add(a);
    todo.push(...(byId.get(a)?.after ?? []));
  }
  return out;
}

function checkWaves(r: PlanResult): void {
  const waveOf = new Map(r.plan.steps.map((s) => [s.id, s.wave]));
  expect(r.plan.waves.flat().sort()).toEqual([...waveOf.keys()].sort());
  r.plan.waves.forEach((ids, i) => {
    for (const id of ids) expect(waveOf.get(id)).toBe(i + 1);
  });
  // A barrier takes no time: every step behind it is in a later wave than every step before it.
  const stepsBefore = (id: string): string[] => [...ancestors(r, id)].filter((a) => waveOf.has(a));
  for (const b of r.plan.barriers ?? []) {
    expect(b.id.startsWith('@')).toBe(true);
    expect(b.after.length).toBeGreaterThan(0);
  }
  for (const s of r.plan.steps) {
    expect(s.after).toEqual([...s.after].sort());
    for (const a of stepsBefore(s.id)) expect(waveOf.get(a)).toBeLessThan(s.wave);
  }
}

/** Pairs [dependent, required] connected by requires paths through unchanged services. */
function requiresPaths(nodes: Node[]): [number, number][] {
  const pairs: [number, number][] = [];
  nodes.forEach((n, dep) => {
    if (!n.changes) return;
    const todo = [...n.requires];
    const seen = new Set<number>();
    while (todo.length > 0) {
      const r = todo.pop() as number;
      if (seen.has(r)) continue;
      seen.add(r);
      if ((nodes[r] as Node).changes) pairs.push([dep, r]);
      else todo.push(...(nodes[r] as Node).requires);
    }
  });
  return pairs;
}

const id = (nodes: Node[], i: number, kind: string) => `h${(nodes[i] as Node).host}/${kind}/s${i}`;

describe('ordering properties over random requires DAGs', () => {
  it('starts: predecessors in earlier waves, every requires path respected, no problems', () => {
    fc.assert(
      fc.property(arbGraph, (nodes) => {
        const r = build(nodes, 'running');
        expect(r.problems).toEqual([]);
        checkWaves(r);
        for (const [dep, req] of requiresPaths(nodes)) {
          expect(ancestors(r, id(nodes, dep, 'start'))).toContain(id(nodes, req, 'start'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stops: dependents stop before what they require', () => {
    fc.assert(
      fc.property(arbGraph, (nodes) => {
        const r = build(nodes, 'stopped');
        expect(r.problems).toEqual([]);
        checkWaves(r);
        for (const [dep, req] of requiresPaths(nodes)) {
          expect(ancestors(r, id(nodes, req, 'stop'))).toContain(id(nodes, dep, 'stop'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('without requires, starts follow the tier order and stops the reverse', () => {
    const noRequires = arbGraph.map((nodes) => nodes.map((n) => ({ ...n, requires: [] })));
    fc.assert(
      fc.property(
        noRequires,
        fc.constantFrom<'running' | 'stopped'>('running', 'stopped'),
        (nodes, state) => {
          const r = build(nodes, state);
          checkWaves(r);
          const kind = state === 'running' ? 'start' : 'stop';
          const changed = nodes.map((n, i) => [n, i] as const).filter(([n]) => n.changes);
          for (const [a, i] of changed) {
            for (const [b, j] of changed) {
              const ra = TIERS.indexOf(a.tier);
              const rb = TIERS.indexOf(b.tier);
              if (state === 'running' ? ra < rb : ra > rb) {
                expect(ancestors(r, id(nodes, j, kind))).toContain(id(nodes, i, kind));
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('orders exactly what requires and the tiers of each stack order, no more (barriers change nothing)', () => {
    fc.assert(
      fc.property(
        arbGraph,
        fc.constantFrom<'running' | 'stopped'>('running', 'stopped'),
        fc.integer({ min: 0, max: 2 }),
        (nodes, state, stacks) => {
          const r = build(nodes, state, stacks);
          checkWaves(r);
          const kind = state === 'running' ? 'start' : 'stop';
          const expected = referenceOrder(nodes, state, stacks);
          nodes.forEach((n, j) => {
            if (!n.changes) return;
            const got = [...ancestors(r, id(nodes, j, kind))].filter((a) => !a.startsWith('@')).sort();
            const want = [...(expected.get(j) ?? [])].map((i) => id(nodes, i, kind)).sort();
            expect(got).toEqual(want);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * The order as pairs, the way it was built before barriers: requires paths, plus every step of a
 * lower effective tier before every step of a higher one in the same stack; then closed
 * transitively. Node → the nodes ordered before it.
 */
function referenceOrder(
  nodes: Node[],
  state: 'running' | 'stopped',
  stacks: number,
): Map<number, Set<number>> {
  const up = state === 'running';
  const before = new Map<number, Set<number>>();
  const add = (a: number, b: number) => {
    const set = before.get(b) ?? new Set<number>();
    set.add(a);
    before.set(b, set);
  };
  const pairs = requiresPaths(nodes); // [dependent, required]
  const rank = (i: number) => {
    const t = TIERS.indexOf((nodes[i] as Node).tier);
    return up ? t : TIERS.length - 1 - t;
  };
  const eff = nodes.map((_, i) => rank(i));
  // Up: required first, so lower index first; down: dependents first, so higher index first.
  const order = nodes.map((_, i) => i);
  if (!up) order.reverse();
  for (const x of order) {
    for (const [dep, req] of pairs) {
      const [from, to] = up ? [req, dep] : [dep, req];
      if (to === x) eff[x] = Math.max(eff[x] as number, eff[from] as number);
    }
  }
  for (const [dep, req] of pairs) up ? add(req, dep) : add(dep, req);
  const stackOf = (i: number) => (stacks > 0 ? (nodes[i] as Node).host % stacks : 0);
  nodes.forEach((a, i) => {
    nodes.forEach((b, j) => {
      if (a.changes && b.changes && stackOf(i) === stackOf(j) && (eff[i] as number) < (eff[j] as number))
        add(i, j);
    });
  });
  // Transitive closure (tiny graphs).
  let grew = true;
  while (grew) {
    grew = false;
    for (const [b, set] of before) {
      for (const a of [...set]) {
        for (const x of before.get(a) ?? []) {
          if (!set.has(x)) {
            set.add(x);
            grew = true;
          }
        }
      }
      before.set(b, set);
    }
  }
  return before;
}
