import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/drift/index.js';
import { commandsFor, unsupportedChange } from '../../../src/drivers/index.js';
import type { ObservedService } from '../../../src/model/index.js';
import { buildPlan } from '../../../src/plan/index.js';
import { renderPlanText } from '../../../src/report/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from './helpers.js';

/** A user unit of alice (uid 1001) as the systemd driver reports it. */
function alices(name: string, active: ObservedService['active'], enabled: ObservedService['enabled']) {
  return { ...osvc(name, active, enabled), unit: `${name}.service`, user: 'alice', uid: 1001 };
}

function planOf(d: ReturnType<typeof desired>, o: ReturnType<typeof observed>) {
  return buildPlan({
    desired: d,
    observed: o,
    inventoryFiles: ['inv.yml'],
    commandsFor,
    unsupportedFor: (_h, m, c) => unsupportedChange(m, c),
  });
}

const RUNUSER = [
  'runuser',
  '-u',
  'alice',
  '--',
  'env',
  'XDG_RUNTIME_DIR=/run/user/1001',
  'systemctl',
  '--user',
];

describe('user units in the plan', () => {
  it("acts in alice's manager: start, enable, stop, mask — and leaves the system unit alone", () => {
    const d = desired(
      dhost('h', [
        svc('sync', { user: 'alice', enabled: true }),
        svc('web', { user: 'alice', state: 'stopped', masked: true }),
        svc('ssh', {}),
      ]),
    );
    const o = observed(
      ohost('h', [
        alices('sync', 'inactive', 'disabled'),
        alices('web', 'active', 'disabled'),
        osvc('ssh', 'active'),
      ]),
    );
    const { plan, problems } = planOf(d, o);
    expect(problems).toEqual([]);
    const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(Object.keys(byId).sort()).toEqual(['h/enable/sync', 'h/mask/web', 'h/start/sync', 'h/stop/web']);
    expect(byId['h/start/sync']).toMatchObject({
      user: 'alice',
      commands: [[...RUNUSER, 'start', '--', 'sync.service']],
    });
    expect(byId['h/enable/sync']?.commands).toEqual([[...RUNUSER, 'enable', '--', 'sync.service']]);
    expect(byId['h/mask/web']?.commands).toEqual([[...RUNUSER, 'mask', '--', 'web.service']]);
    expect(plan.hosts.h?.users).toEqual({ sync: 'alice', web: 'alice' });
    expect(renderPlanText(plan, { color: false })).toContain('start    sync (user alice)');
  });

  it('no manager for alice: blocked with the enable-linger hint, and what requires it is skipped', () => {
    const down: ObservedService = {
      ...osvc('sync', 'unknown', 'unknown'),
      user: 'alice',
      uid: 1001,
      problem: "alice's systemd user manager (user@1001.service) is not running",
      problemHint: 'run loginctl enable-linger alice: it starts the manager now and at every boot',
    };
    const d = desired(dhost('h', [svc('sync', { user: 'alice' }), svc('app', { requires: ['sync'] })]));
    const { plan } = planOf(d, observed(ohost('h', [down, osvc('app', 'inactive')])));
    expect(plan.blocked).toEqual([
      {
        host: 'h',
        service: 'sync',
        reason: "cannot observe sync on h: alice's systemd user manager (user@1001.service) is not running",
        hint: 'run loginctl enable-linger alice: it starts the manager now and at every boot',
      },
    ]);
    expect(plan.steps.find((s) => s.id === 'h/start/app')?.blockedBy).toMatch(/h:sync/);
  });

  it('a logged-in user without lingering: planned, with the warning', () => {
    const seen = { ...alices('sync', 'inactive', 'enabled'), warning: 'lingering is off for alice: …' };
    const { plan, problems } = planOf(
      desired(dhost('h', [svc('sync', { user: 'alice' })])),
      observed(ohost('h', [seen])),
    );
    expect(plan.steps.map((s) => s.id)).toEqual(['h/start/sync']);
    expect(problems).toEqual([
      { host: 'h', service: 'sync', message: 'sync on h: lingering is off for alice: …', warning: true },
    ]);
  });

  it("a changed user unit file: one daemon-reload in alice's manager, apart from the system's", () => {
    const d = desired(dhost('h', [svc('sync', { user: 'alice' }), svc('db', {})]));
    const o = observed(
      ohost('h', [
        { ...alices('sync', 'active', 'enabled'), reloadNeeded: true },
        { ...osvc('db', 'active'), unit: 'db.service', reloadNeeded: true },
      ]),
    );
    const reloads = planOf(d, o).plan.steps.filter((s) => s.kind === 'daemon-reload');
    expect(reloads.map((s) => [s.id, s.user, s.commands])).toEqual([
      ['h/daemon-reload/systemd', undefined, [['systemctl', 'daemon-reload']]],
      ['h/daemon-reload/systemd-user-alice', 'alice', [[...RUNUSER, 'daemon-reload']]],
    ]);
  });

  it('a host whose init has no user managers, or a snapshot of the system unit: a problem, never the system unit', () => {
    const onSysv = planOf(
      desired(dhost('s', [svc('sync', { user: 'alice' })])),
      observed(ohost('s', [], { init: 'sysv' })),
    );
    expect(onSysv.plan.steps).toEqual([]);
    expect(onSysv.plan.blocked?.[0]?.reason).toBe(
      "s runs no per-user service managers (init: sysv): sync is declared as alice's user unit",
    );
    const systemSnapshot = planOf(
      desired(dhost('h', [svc('sync', { user: 'alice' })])),
      observed(ohost('h', [osvc('sync', 'inactive')])),
    );
    expect(systemSnapshot.plan.steps).toEqual([]);
    expect(systemSnapshot.plan.blocked?.[0]?.reason).toBe(
      "sync on h was observed as a system unit, but is declared as alice's user unit",
    );
  });

  it('drift says why a user unit cannot be read', () => {
    const down: ObservedService = {
      ...osvc('sync', 'unknown', 'unknown'),
      user: 'alice',
      problem: 'no manager',
    };
    const report = computeDrift(
      desired(dhost('h', [svc('sync', { user: 'alice' })])),
      observed(ohost('h', [down])),
    );
    const item = report.hosts.h?.items?.find((i) => 'field' in i && i.field === 'state');
    expect(item).toMatchObject({ observed: 'unknown (no manager)', inSync: false });
  });
});
