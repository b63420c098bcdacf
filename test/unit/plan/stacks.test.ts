import { describe, expect, it } from 'vitest';
import type { DesiredHost } from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, plan, stepById, svc } from './helpers.js';

const inStack = (stack: string, h: DesiredHost): DesiredHost => ({ ...h, stack });

/** Per stack: a database host and two app hosts, everything down and wanted up. */
function twoStacks(extra: { appRequires?: string[] } = {}) {
  const hosts = (k: string) => [
    inStack(k, dhost(`${k}-db`, [svc('db', { tier: 'database' })])),
    inStack(k, dhost(`${k}-app1`, [svc('app', { tier: 'app', requires: extra.appRequires ?? [] })])),
    inStack(k, dhost(`${k}-app2`, [svc('app', { tier: 'app' })])),
  ];
  const names = ['crm-db', 'crm-app1', 'crm-app2', 'erp-db', 'erp-app1', 'erp-app2'];
  return plan(
    desired(...hosts('crm'), ...hosts('erp')),
    observed(...names.map((h) => ohost(h, [osvc(h.endsWith('db') ? 'db' : 'app', 'inactive')]))),
  );
}

describe('stacks: tiers order services within a stack only', () => {
  it('orders each stack by its own tiers; the stacks wait for nothing of each other', () => {
    const r = twoStacks();
    expect(r.problems).toEqual([]);
    expect(r.plan.stacks).toEqual({
      crm: ['crm-app1', 'crm-app2', 'crm-db'],
      erp: ['erp-app1', 'erp-app2', 'erp-db'],
    });
    expect(stepById(r, 'crm-app1/start/app').after).toEqual(['crm-db/start/db']);
    expect(stepById(r, 'erp-app2/start/app').after).toEqual(['erp-db/start/db']);
    expect(r.plan.waves).toEqual([
      ['crm-db/start/db', 'erp-db/start/db'],
      ['crm-app1/start/app', 'crm-app2/start/app', 'erp-app1/start/app', 'erp-app2/start/app'],
    ]);
  });

  it('a requires across stacks orders across them, and only what it names', () => {
    const r = twoStacks({ appRequires: ['erp-db:db'] });
    expect(r.problems).toEqual([]);
    expect(stepById(r, 'crm-app1/start/app').after).toEqual(['crm-db/start/db', 'erp-db/start/db']);
    expect(stepById(r, 'crm-app2/start/app').after).toEqual(['crm-db/start/db']);
  });

  it('without any stack named there is one stack and the plan names none', () => {
    const r = plan(
      desired(dhost('h1', [svc('db', { tier: 'database' })]), dhost('h2', [svc('app')])),
      observed(ohost('h1', [osvc('db', 'inactive')]), ohost('h2', [osvc('app', 'inactive')])),
    );
    expect(r.plan.stacks).toBeUndefined();
    expect(stepById(r, 'h2/start/app').after).toEqual(['h1/start/db']);
  });

  it('a stack boundary with many steps on both sides is one barrier, not every pair', () => {
    const n = 30;
    const names = Array.from({ length: n }, (_, i) => `h${String(i).padStart(2, '0')}`);
    const r = plan(
      desired(...names.map((h) => dhost(h, [svc('db', { tier: 'database' }), svc('app', { tier: 'app' })]))),
      observed(...names.map((h) => ohost(h, [osvc('db', 'inactive'), osvc('app', 'inactive')]))),
    );
    expect(r.plan.barriers).toEqual([
      {
        id: '@default/starts-before-app',
        reason: 'every start of stack default that the starts of tier app wait for',
        after: names.map((h) => `${h}/start/db`),
      },
    ]);
    for (const h of names)
      expect(stepById(r, `${h}/start/app`).after).toEqual(['@default/starts-before-app']);
    expect(r.plan.waves).toHaveLength(2);
  });
});

describe('group requires: one barrier per group:svc', () => {
  it('every dependent waits on one barrier standing for the group', () => {
    const n = 6;
    const dbs = Array.from({ length: n }, (_, i) => `db${i}`);
    const apps = Array.from({ length: n }, (_, i) => `app${i}`);
    const group = { raw: 'dbs:pg', group: 'dbs', service: 'pg', hosts: dbs };
    const d = desired(
      ...dbs.map((h) => dhost(h, [svc('pg', { tier: 'app' })])),
      ...apps.map((h) => {
        const host = dhost(h, [svc('crm', { tier: 'app' })]);
        (host.services.crm as { requires: unknown[] }).requires = [group];
        return host;
      }),
    );
    const o = observed(
      ...dbs.map((h) => ohost(h, [osvc('pg', 'inactive')])),
      ...apps.map((h) => ohost(h, [osvc('crm', 'inactive')])),
    );
    const g = plan(d, o);
    expect(g.problems).toEqual([]);
    expect(g.plan.barriers?.map((b) => [b.id, b.after.length])).toEqual([['@dbs:pg/started', n]]);
    for (const h of apps) expect(stepById(g, `${h}/start/crm`).after).toEqual(['@dbs:pg/started']);
    expect(g.plan.waves.map((w) => w.length)).toEqual([n, n]);
  });
});
