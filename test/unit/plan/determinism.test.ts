import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Desired, ObservedSnapshot } from '../../../src/model/index.js';
import { hostDigest } from '../../../src/plan/index.js';
import { renderPlanJson } from '../../../src/report/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

/** The same value with every object's keys inserted in the order `order` gives. */
function reorder<T>(value: T, order: (keys: string[]) => string[]): T {
  if (Array.isArray(value)) return value.map((v) => reorder(v, order)) as T;
  if (value === null || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  return Object.fromEntries(order(Object.keys(src)).map((k) => [k, reorder(src[k], order)])) as T;
}

function fleet(): { d: Desired; o: ObservedSnapshot } {
  return {
    d: desired(
      dhost('web1', [svc('nginx', { tier: 'network', requires: ['app1:crm-app'], enabled: true })]),
      dhost(
        'app1',
        [svc('crm-app', { requires: ['db1:postgresql'] }), svc('old-app', { state: 'stopped' })],
        {
          kind: 'level',
          level: 3,
        },
      ),
      dhost('db1', [
        svc('postgresql', {
          tier: 'database',
          health: { kind: 'command', argv: ['pg_isready', '-q'], timeoutSec: 30 },
        }),
      ]),
      dhost('gone', [svc('x')]),
    ),
    o: observed(
      ohost('web1', [osvc('nginx', 'failed', 'disabled')]),
      ohost('app1', [osvc('crm-app', 'inactive'), osvc('old-app', 'active')], {
        init: 'sysv',
        runlevel: { current: '2' },
      }),
      ohost('db1', [osvc('postgresql', 'inactive')]),
      { status: 'unreachable', host: 'gone', reason: 'timed out' },
    ),
  };
}

describe('determinism', () => {
  it('gives byte-identical JSON whatever the key order of the input', () => {
    const { d, o } = fleet();
    const expected = renderPlanJson(plan(d, o).plan);
    const reversed = (keys: string[]) => [...keys].reverse();
    expect(renderPlanJson(plan(reorder(d, reversed), reorder(o, reversed)).plan)).toBe(expected);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let s = seed;
        const shuffle = (keys: string[]) =>
          keys
            .map((k) => {
              s = (s * 1103515245 + 12345) | 0;
              return [s, k] as const;
            })
            .sort((a, b) => a[0] - b[0])
            .map(([, k]) => k);
        expect(renderPlanJson(plan(reorder(d, shuffle), reorder(o, shuffle)).plan)).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('renders a plan read back from its own JSON to the same bytes', () => {
    const { d, o } = fleet();
    const json = renderPlanJson(plan(d, o).plan);
    expect(renderPlanJson(reorder(JSON.parse(json), (k) => [...k].sort().reverse()))).toBe(json);
  });

  it('puts no clock in the plan: two runs are equal', () => {
    const { d, o } = fleet();
    expect(plan(d, o)).toEqual(plan(d, o));
  });

  it('digests a host independently of key order and of undefined fields', () => {
    const h = ohost('h1', [osvc('a', 'active'), osvc('b', 'inactive')]);
    const digest = hostDigest(h);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hostDigest(reorder(h, (k) => [...k].reverse()))).toBe(digest);
    expect(
      hostDigest({ ...h, services: { ...h.services, a: { ...osvc('a', 'active'), detail: undefined } } }),
    ).toBe(digest);
    expect(hostDigest(ohost('h1', [osvc('a', 'inactive'), osvc('b', 'inactive')]))).not.toBe(digest);
  });
});
