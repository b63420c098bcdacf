import { describe, expect, it } from 'vitest';
import type { Tier } from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, plan, stepById, svc } from './helpers.js';

/** One host per service, each service down and wanted up (or the reverse), in the given tiers. */
function onePerHost(state: 'running' | 'stopped', tiers: Tier[]) {
  const seen = state === 'running' ? 'inactive' : 'active';
  const hosts = tiers.map((tier, i) => ({ host: `h${i + 1}`, svc: `${tier}-svc`, tier }));
  return plan(
    desired(...hosts.map((h) => dhost(h.host, [svc(h.svc, { state, tier: h.tier })]))),
    observed(...hosts.map((h) => ohost(h.host, [osvc(h.svc, seen)]))),
  );
}

describe('orderIntoWaves via buildPlan', () => {
  it('starts tiers in order database → app → network → main across hosts', () => {
    const r = onePerHost('running', ['main', 'network', 'app', 'database']);
    expect(r.plan.waves).toEqual([
      ['h4/start/database-svc'],
      ['h3/start/app-svc'],
      ['h2/start/network-svc'],
      ['h1/start/main-svc'],
    ]);
    expect(stepById(r, 'h1/start/main-svc').after).toEqual(['h2/start/network-svc']);
    expect(r.problems).toEqual([]);
  });

  it('stops tiers in reverse: main first, database last', () => {
    const r = onePerHost('stopped', ['database', 'app', 'network', 'main']);
    expect(r.plan.waves).toEqual([
      ['h4/stop/main-svc'],
      ['h3/stop/network-svc'],
      ['h2/stop/app-svc'],
      ['h1/stop/database-svc'],
    ]);
  });

  it('runs independent hosts of one tier in one wave', () => {
    const r = onePerHost('running', ['app', 'app', 'app']);
    expect(r.plan.waves).toEqual([['h1/start/app-svc', 'h2/start/app-svc', 'h3/start/app-svc']]);
  });

  it('starts a required service on another host first', () => {
    const r = plan(
      desired(dhost('h1', [svc('crm-app', { requires: ['h2:crm-db'] })]), dhost('h2', [svc('crm-db')])),
      observed(ohost('h1', [osvc('crm-app', 'inactive')]), ohost('h2', [osvc('crm-db', 'inactive')])),
    );
    expect(r.plan.waves).toEqual([['h2/start/crm-db'], ['h1/start/crm-app']]);
    expect(stepById(r, 'h1/start/crm-app').after).toEqual(['h2/start/crm-db']);
  });

  it('lets an explicit requires win over the tier order', () => {
    // A database that requires a main-tier service: main must start first, tiers notwithstanding.
    const r = plan(
      desired(
        dhost('h1', [svc('db', { tier: 'database', requires: ['h2:broker'] })]),
        dhost('h2', [svc('broker', { tier: 'main' })]),
        dhost('h3', [svc('api', { tier: 'app' })]),
      ),
      observed(
        ohost('h1', [osvc('db', 'inactive')]),
        ohost('h2', [osvc('broker', 'inactive')]),
        ohost('h3', [osvc('api', 'inactive')]),
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.plan.waves).toEqual([['h3/start/api'], ['h2/start/broker'], ['h1/start/db']]);
  });

  it('stops dependents before what they require, across hosts', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('crm-app', { state: 'stopped', requires: ['h2:crm-db'] })]),
        dhost('h2', [svc('crm-db', { state: 'stopped' })]),
      ),
      observed(ohost('h1', [osvc('crm-app', 'active')]), ohost('h2', [osvc('crm-db', 'active')])),
    );
    expect(r.plan.waves).toEqual([['h1/stop/crm-app'], ['h2/stop/crm-db']]);
  });

  it('passes the order through a service that is already running', () => {
    const r = plan(
      desired(dhost('h1', [svc('a', { requires: ['b'] }), svc('b', { requires: ['c'] }), svc('c', {})])),
      observed(ohost('h1', [osvc('a', 'inactive'), osvc('b', 'active'), osvc('c', 'inactive')])),
    );
    expect(r.plan.waves).toEqual([['h1/start/c'], ['h1/start/a']]);
  });

  it('keeps only direct predecessors in after', () => {
    const r = plan(
      desired(dhost('h1', [svc('a', { requires: ['b', 'c'] }), svc('b', { requires: ['c'] }), svc('c')])),
      observed(ohost('h1', [osvc('a', 'inactive'), osvc('b', 'inactive'), osvc('c', 'inactive')])),
    );
    expect(stepById(r, 'h1/start/a').after).toEqual(['h1/start/b']);
    expect(r.plan.waves).toEqual([['h1/start/c'], ['h1/start/b'], ['h1/start/a']]);
  });

  it('runs enables and disables in the first wave, waiting for nothing and holding nothing back', () => {
    const r = plan(
      desired(dhost('h1', [svc('up', { enabled: true }), svc('down', { state: 'stopped', enabled: false })])),
      observed(ohost('h1', [osvc('up', 'inactive', 'disabled'), osvc('down', 'active', 'enabled')])),
    );
    expect(r.plan.waves).toEqual([['h1/stop/down', 'h1/disable/down', 'h1/enable/up', 'h1/start/up']]);
    for (const s of r.plan.steps) expect(s.after).toEqual([]);
  });

  it('does not order an enable after what the service requires', () => {
    const r = plan(
      desired(dhost('h1', [svc('a', { enabled: true, requires: ['b'] }), svc('b')])),
      observed(ohost('h1', [osvc('a', 'active', 'disabled'), osvc('b', 'inactive')])),
    );
    expect(r.plan.waves).toEqual([['h1/enable/a', 'h1/start/b']]);
  });

  it('the 4-host demo: every enable in wave 1, starts in tier order after them', () => {
    const tiers: Tier[] = ['database', 'app', 'network', 'main'];
    const hosts = tiers.map((tier, i) => ({ host: `h${i + 1}`, svc: `${tier}-svc`, tier }));
    const r = plan(
      desired(...hosts.map((h) => dhost(h.host, [svc(h.svc, { tier: h.tier, enabled: true })]))),
      observed(...hosts.map((h) => ohost(h.host, [osvc(h.svc, 'inactive', 'disabled')]))),
    );
    expect(r.plan.waves).toEqual([
      [
        'h1/enable/database-svc',
        'h1/start/database-svc',
        'h2/enable/app-svc',
        'h3/enable/network-svc',
        'h4/enable/main-svc',
      ],
      ['h2/start/app-svc'],
      ['h3/start/network-svc'],
      ['h4/start/main-svc'],
    ]);
  });

  it('changes the runlevel before any service step of that host', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('crm-db', { tier: 'database' })], { kind: 'level', level: 5 }),
        dhost('h2', [svc('crm-web', { tier: 'main' })]),
      ),
      observed(ohost('h1', [osvc('crm-db', 'inactive')]), ohost('h2', [osvc('crm-web', 'inactive')])),
    );
    // The boot default follows a successful isolate: a failed isolate skips it.
    expect(r.plan.waves).toEqual([
      ['h1/set-runlevel/runlevel'],
      ['h1/set-default-runlevel/runlevel'],
      ['h1/start/crm-db'],
      ['h2/start/crm-web'],
    ]);
    expect(stepById(r, 'h1/set-default-runlevel/runlevel').after).toEqual(['h1/set-runlevel/runlevel']);
    expect(stepById(r, 'h1/start/crm-db').after).toEqual(['h1/set-default-runlevel/runlevel']);
  });

  it('lists the steps of one host in a wave in the fixed kind order', () => {
    const r = plan(
      desired(dhost('h1', [svc('new'), svc('old', { state: 'stopped' })])),
      observed(ohost('h1', [osvc('new', 'inactive'), osvc('old', 'active')])),
    );
    expect(r.plan.waves).toEqual([['h1/stop/old', 'h1/start/new']]);
    expect(r.plan.steps.map((s) => s.id)).toEqual(['h1/stop/old', 'h1/start/new']);
  });

  it('names a whole requires cycle and still returns an acyclic plan', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('a', { requires: ['h2:b'] })]),
        dhost('h2', [svc('b', { requires: ['h1:a'] })]),
      ),
      observed(ohost('h1', [osvc('a', 'inactive')]), ohost('h2', [osvc('b', 'inactive')])),
    );
    expect(r.problems).toEqual([
      {
        host: 'h1',
        service: 'a',
        message: 'dependency cycle: h1:a → h2:b → h1:a',
        hint: 'remove one of these requires',
        wholeRun: true,
      },
    ]);
    expect(r.plan.steps).toHaveLength(2);
    expect(r.plan.waves.flat().sort()).toEqual(['h1/start/a', 'h2/start/b']);
  });

  it('warns when a service is stopped under a dependent that stays running', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('crm-app', { requires: ['h2:crm-db'] })]),
        dhost('h2', [svc('crm-db', { state: 'stopped' })]),
      ),
      observed(ohost('h1', [osvc('crm-app', 'active')]), ohost('h2', [osvc('crm-db', 'active')])),
    );
    expect(r.plan.waves).toEqual([['h2/stop/crm-db']]);
    expect(r.problems).toEqual([
      {
        host: 'h2',
        service: 'crm-db',
        message: 'h2:crm-db will be stopped, but h1:crm-app requires it and stays running',
        hint: 'stop h1:crm-app as well or drop the requires',
        warning: true,
      },
    ]);
  });

  it('records unreachable hosts without steps, with their digest', () => {
    const r = plan(
      desired(dhost('h1', [svc('a')]), dhost('h2', [svc('b')]), dhost('h3', [svc('c')])),
      observed(ohost('h1', [osvc('a', 'inactive')]), {
        status: 'unreachable',
        host: 'h2',
        reason: 'connection refused',
      }),
    );
    expect(r.plan.steps.map((s) => s.id)).toEqual(['h1/start/a']);
    expect(r.plan.hosts.h2).toEqual({
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      unreachable: 'connection refused',
      services: ['b'],
      observed: { status: 'unreachable', host: 'h2', reason: 'connection refused' },
    });
    expect(r.plan.hosts.h3?.unreachable).toBe('not observed');
    expect(Object.keys(r.plan.hosts)).toEqual(['h1', 'h2', 'h3']);
  });

  it('lists observed hosts that no playbook mentions', () => {
    const r = plan(desired(), observed(ohost('spare', [])));
    expect(Object.keys(r.plan.hosts)).toEqual(['spare']);
    expect(r.plan.steps).toEqual([]);
    expect(r.plan.waves).toEqual([]);
  });

  it('asks the injected commandsFor for each step', () => {
    const r = plan(
      desired(dhost('h1', [svc('crm-db')], { kind: 'level', level: 3 })),
      observed(
        ohost('h1', [osvc('crm-db', 'inactive')], {
          runlevel: { current: 'rescue.target', default: 'multi-user.target' },
        }),
      ),
    );
    expect(r.plan.steps.map((s) => [s.id, s.manager, s.commands])).toEqual([
      ['h1/set-runlevel/runlevel', 'systemd', [['systemd', 'set-runlevel', '3']]],
      ['h1/start/crm-db', 'systemd', [['systemd', 'start', 'crm-db']]],
    ]);
  });
});
