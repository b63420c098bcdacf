import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../../src/model/index.js';
import { planJsonPieces, renderPlanJson } from '../../../src/report/index.js';
import { json, sortedJson, sortedKeys, sortKeysDeep } from '../../../src/report/json-text.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from '../plan/helpers.js';
import { referencePlanJson } from './plan-json-reference.js';
import { emptyPlan, samplePlan } from './sample-plan.js';

/*
 * The plan JSON is written in pieces (issue 15), hosts and steps in batches of their own, instead of
 * one JSON.stringify of a canonical copy. These tests hold it to the old renderer
 * (plan-json-reference.ts), byte for byte.
 */

function planned(): Plan {
  const d = desired(
    dhost('web1', [svc('nginx', { tier: 'network', requires: ['app1:crm-app'], enabled: true })]),
    dhost('app1', [svc('crm-app', { requires: ['db1:postgresql'] }), svc('old-app', { state: 'stopped' })], {
      kind: 'level',
      level: 3,
    }),
    dhost('db1', [
      svc('postgresql', {
        tier: 'database',
        health: { kind: 'tcp', port: 5432, host: '127.0.0.1', timeoutSec: 30 },
      }),
      svc('10', {}),
      svc('9', {}),
      svc('quo"te\\d', {}),
    ]),
    dhost('10', [svc('x', { requires: ['all:postgresql'] })]),
    dhost('9', [svc('x')]),
    dhost('gone', [svc('x')]),
  );
  const o = observed(
    ohost('web1', [osvc('nginx', 'failed', 'disabled')]),
    ohost('app1', [osvc('crm-app', 'inactive'), osvc('old-app', 'active')], {
      init: 'sysv',
      runlevel: { current: '2' },
    }),
    ohost('db1', [
      osvc('postgresql', 'inactive'),
      osvc('10', 'inactive'),
      osvc('9', 'inactive'),
      osvc('quo"te\\d', 'inactive'),
    ]),
    ohost('10', [osvc('x', 'inactive')]),
    ohost('9', [osvc('x', 'active')]),
    { status: 'unreachable', host: 'gone', reason: 'timed out\n\u0007 "really"' },
  );
  const made = plan(d, o).plan;
  // A lone surrogate (JSON.stringify writes it as \ud800): no digest takes one, a reason may.
  const [first, ...rest] = made.steps as [Step, ...Step[]];
  return {
    ...made,
    steps: [{ ...first, reason: `${first.reason} \ud800` }, ...rest],
    serial: 'b3c1',
    made: { by: 'runstate', version: '0.1.0', at: '2026-12-02T00:00:00.000Z' },
  };
}

function reversedDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedDeep) as T;
  if (value === null || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(src)
      .reverse()
      .map((k) => [k, reversedDeep(src[k])]),
  ) as T;
}

describe('plan JSON in pieces: the same bytes as one canonical JSON.stringify', () => {
  it('for plans as the planner makes them, hand-made ones and empty ones', () => {
    for (const p of [planned(), samplePlan(), emptyPlan()]) {
      expect(renderPlanJson(p)).toBe(referencePlanJson(p));
    }
    expect(planned().steps.some((s) => s.health !== undefined)).toBe(true);
  });

  it('whatever order the keys come in, and with keys the schema does not know', () => {
    const p = planned();
    const extra = p.steps.map((s) => ({ ...s, note: 'not in a plan', blockedBy: undefined }) as Step);
    for (const variant of [reversedDeep(p), { ...p, steps: extra }, JSON.parse(JSON.stringify(p)) as Plan]) {
      expect(renderPlanJson(variant)).toBe(referencePlanJson(variant));
    }
  });

  it('lists hosts with array-index names first, numerically, as the sorted copy did', () => {
    const text = renderPlanJson(planned());
    expect(Object.keys((JSON.parse(text) as Plan).hosts)).toEqual(['9', '10', 'app1', 'db1', 'gone', 'web1']);
  });

  it('cuts pieces at host and step boundaries, about the size asked for, ending in the newline', () => {
    const p = planned();
    const pieces = [...planJsonPieces(p, 200)];
    expect(pieces.length).toBeGreaterThan(p.steps.length / 2);
    expect(pieces.join('')).toBe(referencePlanJson(p));
    expect(pieces.at(-1)?.endsWith('}\n')).toBe(true);
    expect([...planJsonPieces(p)]).toHaveLength(1);
  });

  it('writes any value as JSON.stringify would, at any depth', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBoxedValues: true, withDate: true, withNullPrototype: true }),
        fc.nat(6),
        (v, d) => {
          const expected = JSON.stringify(v, null, 2)?.replaceAll('\n', `\n${'  '.repeat(d)}`);
          expect(json(v, d)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes any value with sorted keys as the sorted copy would', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true }), (v) => {
        expect(sortedJson(v, 0)).toBe(JSON.stringify(sortKeysDeep(v), null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('sortedKeys: JSON.stringify of it writes what sortedJson writes, copying only what is unsorted', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true, withDate: true }), (v) => {
        expect(JSON.stringify(sortedKeys(v), null, 2)).toBe(sortedJson(v, 0));
      }),
      { numRuns: 1000 },
    );
    const sorted = { a: [{ b: 1, c: { d: null } }], e: 'x' };
    expect(sortedKeys(sorted)).toBe(sorted);
    // out of order: that object alone is rebuilt, what is in order below it is shared
    const inner = { active: 'active', enabled: 'enabled' };
    const unsorted = { services: { web: { name: 'web', state: inner } }, host: 'h' };
    const copy = sortedKeys(unsorted);
    expect(Object.keys(copy)).toEqual(['host', 'services']);
    expect(Object.keys(copy.services.web)).toEqual(['name', 'state']);
    expect(copy.services.web.state).toBe(inner);
    const proto = JSON.parse('{"z": 1, "__proto__": {"b": 2, "a": 1}}') as unknown;
    expect(JSON.stringify(sortedKeys(proto))).toBe('{"__proto__":{"a":1,"b":2},"z":1}');
  });

  it('a host named __proto__ is written as a host, not lost as a prototype', () => {
    const p = JSON.parse(JSON.stringify(planned())) as Plan;
    const hosts = JSON.parse(`{"__proto__": ${JSON.stringify(p.hosts.web1)}}`) as Plan['hosts'];
    const text = renderPlanJson({ ...p, hosts });
    expect(Object.keys((JSON.parse(text) as Plan).hosts)).toEqual(['__proto__']);
  });
});
