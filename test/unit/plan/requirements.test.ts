import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../src/model/index.js';
import { buildPlan } from '../../../src/plan/index.js';
import { desired, dhost, fakeCommands, observed, ohost, osvc, plan, stepById, svc } from './helpers.js';

const GATE: HealthCheck = { kind: 'tcp', host: '127.0.0.1', port: 5432, timeoutSec: 5 };

describe('gates of what a start requires', () => {
  it('a requirement that already runs has no step: its gate rides on the dependent', () => {
    const r = plan(
      desired(
        dhost('db1', [svc('pg', { tier: 'database', health: GATE })]),
        dhost('app1', [svc('app', { requires: ['db1:pg'] })]),
      ),
      observed(ohost('db1', [osvc('pg', 'active')]), ohost('app1', [osvc('app', 'inactive')])),
    );
    expect(r.plan.steps.map((s) => s.id)).toEqual(['app1/start/app']);
    expect(stepById(r, 'app1/start/app').requiredGates).toEqual(['db1:pg/gates']);
    expect(r.plan.gates).toEqual([
      { id: 'db1:pg/gates', requirement: 'db1:pg', gates: [{ host: 'db1', service: 'pg', health: GATE }] },
    ]);
  });

  it('a requirement started in the same plan is waited on through its own step, not checked twice', () => {
    const r = plan(
      desired(
        dhost('db1', [svc('pg', { tier: 'database', health: GATE })]),
        dhost('app1', [svc('app', { requires: ['db1:pg'] })]),
      ),
      observed(ohost('db1', [osvc('pg', 'inactive')]), ohost('app1', [osvc('app', 'inactive')])),
    );
    expect(stepById(r, 'app1/start/app').requiredGates).toBeUndefined();
    expect(stepById(r, 'app1/start/app').after).toContain('db1/start/pg');
  });

  it("a group's gates are one set in the plan, named by every dependent (not copied N × M)", () => {
    const dbs = ['db1', 'db2', 'db3'];
    const apps = ['app1', 'app2', 'app3', 'app4'];
    const groupWide = (host: string) => {
      const h = dhost(host, [svc('app')]);
      const app = h.services.app;
      if (app) app.requires = [{ raw: 'dbs:pg', group: 'dbs', service: 'pg', hosts: dbs }];
      return h;
    };
    const r = plan(
      desired(
        ...dbs.map((h) => dhost(h, [svc('pg', { tier: 'database', health: GATE })])),
        ...apps.map(groupWide),
      ),
      observed(
        ...dbs.map((h) => ohost(h, [osvc('pg', 'active')])),
        ...apps.map((h) => ohost(h, [osvc('app', 'inactive')])),
      ),
    );
    for (const h of apps) expect(stepById(r, `${h}/start/app`).requiredGates).toEqual(['@dbs:pg/gates']);
    expect(r.plan.gates).toEqual([
      {
        id: '@dbs:pg/gates',
        requirement: 'dbs:pg',
        gates: dbs.map((host) => ({ host, service: 'pg', health: GATE })),
      },
    ]);
  });

  it('a requirement without a gate adds nothing', () => {
    const r = plan(
      desired(dhost('h1', [svc('pg', { tier: 'database' }), svc('app', { requires: ['pg'] })])),
      observed(ohost('h1', [osvc('pg', 'active'), osvc('app', 'inactive')])),
    );
    expect(stepById(r, 'h1/start/app')).not.toHaveProperty('requiredGates');
  });
});

describe('--limit: requirements outside it', () => {
  const limited = desired(dhost('app1', [svc('app', { requires: ['db1:pg'] })]));
  const outsideDesired = desired(dhost('db1', [svc('pg', { tier: 'database', health: GATE })]));
  const build = (db: Parameters<typeof observed>[0]) =>
    buildPlan({
      desired: limited,
      observed: observed(ohost('app1', [osvc('app', 'inactive')])),
      inventoryFiles: [],
      commandsFor: fakeCommands,
      outside: { desired: outsideDesired, observed: observed(db) },
    });

  it('one that is stopped there blocks the start, with a warning that says why', () => {
    const r = build(ohost('db1', [osvc('pg', 'inactive')]));
    const why = 'requires db1:pg (outside --limit), which is inactive there';
    expect(stepById(r, 'app1/start/app').blockedBy).toBe(why);
    expect(r.problems).toEqual([
      {
        host: 'app1',
        service: 'app',
        message: `${why}; app will not be started`,
        hint: 'apply without --limit, or include db1 in it',
        warning: true,
      },
    ]);
  });

  it('one whose host is unreachable blocks it too', () => {
    const r = build({ status: 'unreachable', host: 'db1', reason: 'connection refused' });
    expect(stepById(r, 'app1/start/app').blockedBy).toBe(
      'requires db1:pg (outside --limit), whose host is unreachable: connection refused',
    );
  });

  it('one that runs there is gated like any other', () => {
    const r = build(ohost('db1', [osvc('pg', 'active')]));
    expect(r.problems).toEqual([]);
    expect(stepById(r, 'app1/start/app')).toMatchObject({ requiredGates: ['db1:pg/gates'] });
    expect(r.plan.gates?.[0]?.gates).toEqual([{ host: 'db1', service: 'pg', health: GATE }]);
    expect(stepById(r, 'app1/start/app')).not.toHaveProperty('blockedBy');
  });
});

describe('a heal of some services only (watch --heal)', () => {
  it('gates a healed start on a requirement that is not healed, even on the same host', () => {
    const all = desired(
      dhost('h1', [svc('pg', { tier: 'database', health: GATE }), svc('app', { requires: ['pg'] })]),
    );
    const seen = observed(ohost('h1', [osvc('pg', 'active'), osvc('app', 'inactive')]));
    const healOnly = desired(dhost('h1', [svc('app', { requires: ['pg'] })]));
    const why = { label: 'not healed in this run', hint: 'it is healed first once it may be' };
    const r = buildPlan({
      desired: healOnly,
      observed: seen,
      inventoryFiles: [],
      commandsFor: fakeCommands,
      outside: { desired: all, observed: seen, why },
    });
    expect(stepById(r, 'h1/start/app').requiredGates).toEqual(['h1:pg/gates']);
    expect(r.plan.gates?.[0]?.gates).toEqual([{ host: 'h1', service: 'pg', health: GATE }]);

    const crashed = observed(ohost('h1', [osvc('pg', 'failed'), osvc('app', 'inactive')]));
    const blocked = buildPlan({
      desired: healOnly,
      observed: crashed,
      inventoryFiles: [],
      commandsFor: fakeCommands,
      outside: { desired: all, observed: crashed, why },
    });
    expect(stepById(blocked, 'h1/start/app').blockedBy).toBe(
      'requires h1:pg (not healed in this run), which is failed there',
    );
  });
});
