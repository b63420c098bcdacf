import { describe, expect, it } from 'vitest';
import type { ActiveState, EnabledState } from '../../../src/model/index.js';
import { diffHost, diffHostDetailed } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

const brief = (changes: ReturnType<typeof diffHost>) =>
  changes.map((c) => `${c.kind} ${c.service ?? c.target}: ${c.reason}`);

describe('diffHost: state', () => {
  it.each<[ActiveState, string]>([
    ['inactive', 'observed inactive, want running'],
    ['failed', 'observed failed, want running'],
    ['activating', 'observed activating, want running'],
    ['deactivating', 'observed deactivating, want running'],
    ['unknown', 'observed unknown, want running'],
  ])('starts a service observed %s', (active, reason) => {
    const changes = diffHost(dhost('h1', [svc('crm-db')]), ohost('h1', [osvc('crm-db', active)]));
    expect(changes).toEqual([
      {
        host: 'h1',
        kind: 'start',
        service: 'crm-db',
        manager: 'systemd',
        reason,
        change: { field: 'state', before: active, after: 'running' },
      },
    ]);
  });

  it('leaves an active service that should run alone', () => {
    expect(diffHost(dhost('h1', [svc('crm-db')]), ohost('h1', [osvc('crm-db', 'active')]))).toEqual([]);
  });

  it.each<ActiveState>(['active', 'activating'])('stops a service observed %s', (active) => {
    const changes = diffHost(
      dhost('h1', [svc('crm-db', { state: 'stopped' })]),
      ohost('h1', [osvc('crm-db', active)]),
    );
    expect(brief(changes)).toEqual([`stop crm-db: observed ${active}, want stopped`]);
  });

  it.each<ActiveState>(['inactive', 'failed', 'deactivating', 'not-found'])(
    'does not stop a service observed %s',
    (active) => {
      const d = dhost('h1', [svc('crm-db', { state: 'stopped' })]);
      expect(diffHostDetailed(d, ohost('h1', [osvc('crm-db', active)]))).toEqual({
        changes: [],
        problems: [],
      });
    },
  );

  it('passes the health gate on with the start', () => {
    const health = { kind: 'tcp' as const, port: 5432, host: '127.0.0.1', timeoutSec: 30 };
    const [start] = diffHost(dhost('h1', [svc('pg', { health })]), ohost('h1', [osvc('pg', 'inactive')]));
    expect(start?.health).toEqual(health);
  });
});

describe('diffHost: enabled at boot', () => {
  const cases: [boolean, EnabledState, string[]][] = [
    [true, 'disabled', ['enable crm-db: observed disabled, want enabled']],
    [true, 'enabled', []],
    [true, 'static', []],
    [true, 'unknown', []],
    [false, 'enabled', ['disable crm-db: observed enabled, want disabled']],
    [false, 'disabled', []],
  ];
  it.each(cases)('enabled: %s, observed %s', (enabled, seen, expected) => {
    const d = dhost('h1', [svc('crm-db', { enabled })]);
    const r = diffHostDetailed(d, ohost('h1', [osvc('crm-db', 'active', seen)]));
    expect(brief(r.changes)).toEqual(expected);
    expect(r.problems).toEqual([]);
  });

  it('does not touch boot state when enabled is not declared', () => {
    expect(
      diffHost(dhost('h1', [svc('crm-db')]), ohost('h1', [osvc('crm-db', 'active', 'disabled')])),
    ).toEqual([]);
  });

  it('refuses to disable a static unit, with a hint', () => {
    const r = diffHostDetailed(
      dhost('h1', [svc('crm-static', { enabled: false })]),
      ohost('h1', [osvc('crm-static', 'active', 'static')]),
    );
    expect(r.changes).toEqual([]);
    expect(r.problems).toEqual([
      {
        host: 'h1',
        service: 'crm-static',
        message: 'crm-static is static on h1: it cannot be disabled',
        hint: 'drop enabled: false, or set masked: true to keep crm-static from being started',
      },
    ]);
  });

  it('starts and enables in one go', () => {
    const d = dhost('h1', [svc('crm-db', { enabled: true })]);
    expect(brief(diffHost(d, ohost('h1', [osvc('crm-db', 'inactive', 'disabled')])))).toEqual([
      'start crm-db: observed inactive, want running',
      'enable crm-db: observed disabled, want enabled',
    ]);
  });
});

describe('diffHost: daemon-reload', () => {
  const stale = (name: string) => ({
    ...osvc(name, 'active', 'enabled'),
    unit: `${name}.service`,
    reloadNeeded: true,
  });

  it('one reload per host before its other steps, naming the changed units', () => {
    const d = dhost('h1', [svc('a'), svc('b', { state: 'stopped' }), svc('c')]);
    const o = ohost('h1', [stale('a'), stale('b'), osvc('c', 'inactive', 'enabled')]);
    const r = plan(desired(d), observed(o)).plan;
    expect(r.steps.map((x) => `${x.wave} ${x.id}: ${x.reason}`)).toEqual([
      '1 h1/daemon-reload/systemd: changed on disk since systemd loaded them: a.service, b.service',
      '2 h1/stop/b: observed active, want stopped',
      '2 h1/start/c: observed inactive, want running',
    ]);
  });

  it('a reload alone when nothing else changes; none once reloaded', () => {
    const d = dhost('h1', [svc('a')]);
    expect(brief(diffHost(d, ohost('h1', [stale('a')])))).toEqual([
      'daemon-reload undefined: changed on disk since systemd loaded it: a.service',
    ]);
    expect(diffHost(d, ohost('h1', [osvc('a', 'active', 'enabled')]))).toEqual([]);
  });
});

describe('diffHost: masked and missing services', () => {
  const kinds = (changes: { kind: string; reason: string }[]) => changes.map((c) => `${c.kind}: ${c.reason}`);

  it('unmasks a masked service that should run, then starts it: one pass', () => {
    const r = diffHostDetailed(
      dhost('h1', [svc('crm-masked')]),
      ohost('h1', [osvc('crm-masked', 'inactive', 'masked')]),
    );
    expect(r.problems).toEqual([]);
    expect(kinds(r.changes)).toEqual([
      'unmask: observed masked, want running',
      'start: observed inactive, want running',
    ]);
  });

  it('unmask → enable → start when it should also start at boot', () => {
    const d = dhost('h1', [svc('crm-masked', { enabled: true })]);
    const r = diffHostDetailed(d, ohost('h1', [osvc('crm-masked', 'inactive', 'masked')]));
    expect(kinds(r.changes)).toEqual([
      'unmask: observed masked, want running',
      'start: observed inactive, want running',
      'enable: observed masked, want enabled',
    ]);
    const steps = plan(desired(d), observed(ohost('h1', [osvc('crm-masked', 'inactive', 'masked')]))).plan;
    expect(steps.steps.map((x) => `${x.wave} ${x.kind}`)).toEqual(['1 unmask', '2 enable', '2 start']);
  });

  it('a masked service that runs now and has nothing to start is a warning, not a change', () => {
    const r = diffHostDetailed(
      dhost('h1', [svc('crm-masked')]),
      ohost('h1', [osvc('crm-masked', 'active', 'masked')]),
    );
    expect(r.changes).toEqual([]);
    expect(r.problems.map((p) => [p.message, p.warning])).toEqual([
      ['crm-masked is masked on h1: it runs now but nothing can start it again', true],
    ]);
  });

  it('a manager that cannot unmask says so with its own hint', () => {
    const r = diffHostDetailed(
      dhost('h1', [svc('x')]),
      ohost('h1', [osvc('x', 'inactive', 'masked', 'supervisord')]),
    );
    expect(r.changes).toEqual([]);
    expect(r.problems.map((p) => p.hint)).toEqual(['supervisord cannot unmask it: lift the mask by hand']);
  });

  it('masked: true stops, then masks', () => {
    const d = dhost('h1', [svc('crm-old', { state: 'stopped', masked: true })]);
    const r = diffHostDetailed(d, ohost('h1', [osvc('crm-old', 'active', 'enabled')]));
    expect(kinds(r.changes)).toEqual([
      'stop: observed active, want stopped',
      'mask: observed enabled, want masked',
    ]);
    const p = plan(desired(d), observed(ohost('h1', [osvc('crm-old', 'active', 'enabled')]))).plan;
    expect(p.steps.map((x) => `${x.wave} ${x.id}`)).toEqual(['1 h1/stop/crm-old', '2 h1/mask/crm-old']);
    expect(diffHost(d, ohost('h1', [osvc('crm-old', 'inactive', 'masked')]))).toEqual([]);
  });

  it('accepts a masked service that should stay stopped and disabled', () => {
    const d = dhost('h1', [svc('crm-masked', { state: 'stopped', enabled: false })]);
    const r = diffHostDetailed(d, ohost('h1', [osvc('crm-masked', 'inactive', 'masked')]));
    expect(r).toEqual({ changes: [], problems: [] });
  });

  it('reports a not-found service that should run', () => {
    const r = diffHostDetailed(
      dhost('h1', [svc('crm-x')]),
      ohost('h1', [osvc('crm-x', 'not-found', 'not-found')]),
    );
    expect(r.changes).toEqual([]);
    expect(r.problems).toEqual([
      {
        host: 'h1',
        service: 'crm-x',
        message: 'service crm-x not found on h1 (systemd)',
        hint: 'install it or fix the name',
        prevents: 'up',
      },
    ]);
  });

  it('a service missing from the facts (only a snapshot lacks one) is "not in the snapshot"', () => {
    const r = diffHostDetailed(dhost('h2', [svc('crm-x')]), ohost('h2', [], { init: 'openrc' }));
    expect(r.problems.map((p) => p.message)).toEqual(['service crm-x is not in the snapshot of h2']);
    expect(r.problems[0]?.hint).toMatch(/take the snapshot with this playbook/);
  });

  it('names the declared manager when one is declared', () => {
    const r = diffHostDetailed(
      dhost('h2', [svc('crm-x', { manager: 'supervisord' })]),
      ohost('h2', [osvc('crm-x', 'not-found', 'not-found', 'sysv')], {
        managers: ['systemd', 'supervisord'],
      }),
    );
    expect(r.problems.map((p) => p.message)).toEqual(['service crm-x not found on h2 (supervisord)']);
  });

  it('a service its manager could not be asked about is a problem saying why, not a start', () => {
    const seen = {
      ...osvc('crm-x', 'unknown', 'unknown', 'supervisord'),
      problem: "permission denied on supervisord's socket",
    };
    const r = diffHostDetailed(dhost('h2', [svc('crm-x')]), ohost('h2', [seen]));
    expect(r.changes).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([
      "cannot observe crm-x on h2: permission denied on supervisord's socket",
    ]);
  });

  it('is in sync when a service that should be stopped does not exist', () => {
    const d = dhost('h1', [svc('crm-x', { state: 'stopped' })]);
    expect(diffHostDetailed(d, ohost('h1', []))).toEqual({ changes: [], problems: [] });
  });
});

describe('diffHost: manager', () => {
  it('uses the observed manager for auto', () => {
    const [c] = diffHost(
      dhost('h1', [svc('worker')]),
      ohost('h1', [osvc('worker', 'inactive', 'unknown', 'supervisord')]),
    );
    expect(c?.manager).toBe('supervisord');
  });

  it('uses the declared manager over the observed one', () => {
    const d = dhost('h1', [svc('worker', { manager: 'sysv' })]);
    const seen = ohost('h1', [osvc('worker', 'inactive', 'unknown', 'systemd')], {
      managers: ['systemd', 'sysv'],
    });
    const [c] = diffHost(d, seen);
    expect(c?.manager).toBe('sysv');
  });
});

describe('diffHost: runlevel', () => {
  const systemd = (current?: string, dflt?: string) =>
    ohost('h1', [], {
      init: 'systemd',
      runlevel: { ...(current ? { current } : {}), ...(dflt ? { default: dflt } : {}) },
    });

  it('treats level 3 as multi-user.target on systemd', () => {
    const d = dhost('h1', [], { kind: 'level', level: 3 });
    expect(diffHost(d, systemd('multi-user.target', 'multi-user.target'))).toEqual([]);
  });

  it('treats runlevelN.target spellings as their target', () => {
    const d = dhost('h1', [], { kind: 'target', name: 'multi-user.target' });
    expect(diffHost(d, systemd('runlevel3.target', '2'))).toEqual([]);
  });

  it('sets the runlevel and the boot default on systemd', () => {
    const d = dhost('h1', [], { kind: 'level', level: 5 });
    expect(diffHost(d, systemd('multi-user.target', 'multi-user.target'))).toEqual([
      {
        host: 'h1',
        kind: 'set-runlevel',
        manager: 'systemd',
        target: '5',
        reason: 'observed multi-user.target, want runlevel 5 (graphical.target)',
        change: { field: 'runlevel', before: 'multi-user.target', after: '5' },
      },
      {
        host: 'h1',
        kind: 'set-default-runlevel',
        manager: 'systemd',
        target: '5',
        reason: 'observed boot default multi-user.target, want runlevel 5 (graphical.target)',
        change: { field: 'boot_default', before: 'multi-user.target', after: '5' },
      },
    ]);
  });

  it('sets only the boot default when the current target matches', () => {
    const d = dhost('h1', [], { kind: 'target', name: 'graphical.target' });
    expect(brief(diffHost(d, systemd('graphical.target', 'multi-user.target')))).toEqual([
      'set-default-runlevel graphical.target: observed boot default multi-user.target, want graphical.target',
    ]);
  });

  it('says when the current runlevel was not observed', () => {
    const d = dhost('h1', [], { kind: 'target', name: 'graphical.target' });
    expect(brief(diffHost(d, systemd(undefined, 'graphical.target')))).toEqual([
      'set-runlevel graphical.target: observed unknown, want graphical.target',
    ]);
  });

  it('compares SysV levels as printed, and sets the inittab boot default', () => {
    const d = dhost('h1', [], { kind: 'level', level: 3 });
    const host = ohost('h1', [], { init: 'sysv', runlevel: { current: '2', default: '2' } });
    expect(diffHost(d, host)).toEqual([
      {
        host: 'h1',
        kind: 'set-runlevel',
        manager: 'sysv',
        target: '3',
        reason: 'observed runlevel 2, want runlevel 3',
        change: { field: 'runlevel', before: '2', after: '3' },
      },
      {
        host: 'h1',
        kind: 'set-default-runlevel',
        manager: 'sysv',
        target: '3',
        reason: 'observed boot default runlevel 2, want runlevel 3',
        change: { field: 'boot_default', before: '2', after: '3' },
      },
    ]);
    expect(diffHost(d, ohost('h1', [], { init: 'sysv', runlevel: { current: '3', default: '3' } }))).toEqual(
      [],
    );
  });

  it("sets Upstart's DEFAULT_RUNLEVEL when only the boot default differs", () => {
    const d = dhost('h1', [], { kind: 'level', level: 2 });
    const host = ohost('h1', [], { init: 'upstart', runlevel: { current: '2', default: '3' } });
    expect(brief(diffHost(d, host))).toEqual([
      'set-default-runlevel 2: observed boot default runlevel 3, want runlevel 2',
    ]);
  });

  it('has no boot default step on OpenRC (its init chooses the boot runlevel)', () => {
    const d = dhost('h1', [], { kind: 'named', name: 'default' });
    expect(diffHost(d, ohost('h1', [], { init: 'openrc', runlevel: { current: 'default' } }))).toEqual([]);
  });

  it('compares OpenRC runlevel names', () => {
    const d = dhost('h1', [], { kind: 'named', name: 'default' });
    const at = (current: string) => ohost('h1', [], { init: 'openrc', runlevel: { current } });
    expect(diffHost(d, at('default'))).toEqual([]);
    expect(brief(diffHost(d, at('boot')))).toEqual(['set-runlevel default: observed boot, want default']);
  });

  it('reports a runlevel it cannot set when the init system is unknown', () => {
    const d = dhost('h1', [], { kind: 'level', level: 3 });
    const r = diffHostDetailed(d, ohost('h1', [], { init: 'unknown', runlevel: {} }));
    expect(r.changes).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([
      'cannot set the runlevel of h1 to 3: its init system is unknown',
    ]);
  });
});
