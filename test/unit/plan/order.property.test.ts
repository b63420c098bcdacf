import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActiveState, TIERS, type Tier } from '../../../src/model/index.js';
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

function build(nodes: Node[], state: 'running' | 'stopped'): PlanResult {
  const name = (i: number) => `s${i}`;
  const hostName = (h: number) => `h${h}`;
  const hosts = [...new Set(nodes.map((n) => n.host))];
  const seen = (n: Node): ActiveState => ((state === 'running') === n.changes ? 'inactive' : 'active');
  return plan(
    desired(
      ...hosts.map((h) =>
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

/** Every step id reachable backwards through `after` from `id`. */
function ancestors(r: PlanResult, id: string): Set<string> {
  const byId = new Map(r.plan.steps.map((s) => [s.id, s]));
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
  for (const s of r.plan.steps) {
    expect(s.after).toEqual([...s.after].sort());
    for (const a of s.after) expect(waveOf.get(a)).toBeLessThan(s.wave);
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
});
