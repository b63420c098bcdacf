import { describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../../src/model/index.js';
import { renderPlanJson } from '../../../src/report/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from '../plan/helpers.js';

/*
 * renderPlanJson writes the planner's own objects as they are when their keys are already in the
 * canonical order, and copies anything else into that order first (issue 15: the copy was a third
 * of rendering a 40,000-step plan). The two paths must give the same bytes: these tests render a
 * plan once as made and once with every object's keys reversed (so nothing takes the direct path).
 */

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
    ]),
    dhost('gone', [svc('x')]),
  );
  const o = observed(
    ohost('web1', [osvc('nginx', 'failed', 'disabled')]),
    ohost('app1', [osvc('crm-app', 'inactive'), osvc('old-app', 'active')], {
      init: 'sysv',
      runlevel: { current: '2' },
    }),
    ohost('db1', [osvc('postgresql', 'inactive'), osvc('10', 'inactive'), osvc('9', 'inactive')]),
    { status: 'unreachable', host: 'gone', reason: 'timed out' },
  );
  return plan(d, o).plan;
}

describe('renderPlanJson: direct and copied paths give the same bytes', () => {
  it('for a plan as the planner makes it, and the same plan with every key order reversed', () => {
    const p = planned();
    expect(p.steps.length).toBeGreaterThan(4);
    expect(renderPlanJson(reversedDeep(p))).toBe(renderPlanJson(p));
  });

  it('leaves out a key the schema does not know, as the copy did', () => {
    const p = planned();
    const expected = renderPlanJson(p);
    const [first, ...rest] = p.steps as [Step, ...Step[]];
    const extra = { ...first, note: 'not in a plan' } as Step;
    expect(renderPlanJson({ ...p, steps: [extra, ...rest] })).toBe(expected);
  });

  it('drops undefined fields and reorders a health check written in another order', () => {
    const p = planned();
    const expected = renderPlanJson(p);
    const steps = p.steps.map((s): Step => {
      const withUndefined = { ...s, blockedBy: undefined } as Step;
      if (s.health?.kind !== 'tcp') return withUndefined;
      const { timeoutSec, host, port, kind } = s.health;
      return { ...withUndefined, health: { timeoutSec, host, port, kind } };
    });
    expect(steps.some((s) => s.health !== undefined)).toBe(true);
    expect(renderPlanJson({ ...p, steps })).toBe(expected);
  });

  it('sorts observed keys, numeric-looking service names included', () => {
    const json = renderPlanJson(planned());
    const db1 = (JSON.parse(json) as Plan).hosts.db1?.observed;
    if (db1?.status !== 'ok') throw new Error('db1 was observed');
    expect(Object.keys(db1.services)).toEqual(['9', '10', 'postgresql']);
    expect(Object.keys(db1)).toEqual([...Object.keys(db1)].sort());
  });
});
