import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../../src/drivers/driver.js';
import type { ManagerKind } from '../../../src/model/index.js';
import { buildPlan, type PlanInput } from '../../../src/plan/index.js';
import { desired, dhost, fakeCommands, observed, ohost, osvc, svc } from './helpers.js';

const base = (over: Partial<PlanInput>): PlanInput => ({
  desired: desired(dhost('h1', [svc('worker', { enabled: true })])),
  observed: observed(ohost('h1', [osvc('worker', 'inactive', 'disabled', 'supervisord')])),
  inventoryFiles: [],
  commandsFor: fakeCommands,
  ...over,
});

describe('what the drivers tell the planner', () => {
  it('hands the observed unit name, tool and runlevels to commandsFor', () => {
    const seen: ChangeRequest[] = [];
    const r = buildPlan(
      base({
        desired: desired(dhost('h1', [svc('crm-db')])),
        observed: observed(
          ohost('h1', [
            {
              ...osvc('crm-db', 'inactive', 'enabled', 'sysv'),
              unit: 'crm-db',
              tool: 'chkconfig',
              runlevels: ['3'],
            },
          ]),
        ),
        commandsFor: (host, manager, change) => {
          seen.push(change);
          return fakeCommands(host, manager, change);
        },
      }),
    );
    expect(r.problems).toEqual([]);
    expect(seen).toEqual([
      { kind: 'start', service: 'crm-db', observed: { unit: 'crm-db', tool: 'chkconfig', runlevels: ['3'] } },
    ]);
  });

  it('turns a change the manager cannot make into a problem, with the driver saying why', () => {
    const r = buildPlan(
      base({
        unsupportedFor: (_h, manager: ManagerKind, change) =>
          manager === 'supervisord' && change.kind === 'enable'
            ? 'supervisorctl cannot change start at boot'
            : undefined,
      }),
    );
    expect(r.plan.steps.map((s) => s.id)).toEqual(['h1/start/worker']);
    expect(r.problems).toEqual([
      {
        host: 'h1',
        service: 'worker',
        message: 'cannot enable worker on h1 with supervisord (observed disabled, want enabled)',
        hint: 'supervisorctl cannot change start at boot',
      },
    ]);
  });

  it('never emits a step without commands', () => {
    const r = buildPlan(
      base({ commandsFor: (h, m, c) => (c.kind === 'enable' ? [] : fakeCommands(h, m, c)) }),
    );
    expect(r.plan.steps.map((s) => s.id)).toEqual(['h1/start/worker']);
    expect(r.problems.map((p) => p.hint)).toEqual(['supervisord has no command for it']);
  });

  it('compares runlevels the way the driver says observe reports them', () => {
    const input = base({
      desired: desired(dhost('h1', [], { kind: 'level', level: 3 })),
      observed: observed(ohost('h1', [], { init: 'openrc', runlevel: { current: 'default' } })),
    });
    // By default the planner asks the drivers: on OpenRC level 3 is the runlevel `default`.
    expect(buildPlan(input).plan.steps).toEqual([]);
    const verbatim = (_m: ManagerKind, target: string) => target;
    expect(buildPlan({ ...input, observedRunlevelFor: verbatim }).plan.steps.map((s) => s.id)).toEqual([
      'h1/set-runlevel/runlevel',
    ]);
  });
});
