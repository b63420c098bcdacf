import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/drift/index.js';
import type { DriftItem, DriftReport, HostDrift } from '../../../src/model/drift.js';
import type {
  ActiveState,
  DesiredService,
  EnabledState,
  ObservedService,
  Runlevel,
} from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import { sampleReport } from './sample-report.js';

/** The items of host h1 for one declared service against one observed service (or none). */
function itemsFor(want: DesiredService, seen: ObservedService | undefined): DriftItem[] {
  const r = computeDrift(desired(dhost('h1', [want])), observed(ohost('h1', seen ? [seen] : [])));
  return host(r, 'h1').items;
}

function host(r: DriftReport, name: string): HostDrift {
  const h = r.hosts[name];
  if (!h) throw new Error(`no host ${name} in ${Object.keys(r.hosts).join(', ')}`);
  return h;
}

function field(items: DriftItem[], f: DriftItem['field']): DriftItem | undefined {
  return items.find((i) => i.field === f);
}

describe('computeDrift: state', () => {
  it.each<[DesiredService['state'], ActiveState, boolean]>([
    ['running', 'active', true],
    ['running', 'inactive', false],
    ['running', 'failed', false],
    ['running', 'activating', false],
    ['running', 'deactivating', false],
    ['running', 'unknown', false],
    ['stopped', 'inactive', true],
    ['stopped', 'failed', true],
    ['stopped', 'not-found', true],
    ['stopped', 'active', false],
    ['stopped', 'activating', false],
    ['stopped', 'deactivating', false],
    ['stopped', 'unknown', false],
  ])('want %s, observed %s: in sync = %s', (state, active, inSync) => {
    expect(itemsFor(svc('x', { state }), osvc('x', active))).toEqual([
      {
        kind: 'service',
        service: 'x',
        field: 'state',
        desired: state,
        observed: active,
        inSync,
        manager: 'systemd',
      },
    ]);
  });
});

describe('computeDrift: enabled', () => {
  it('adds no enabled item when enabled is not declared', () => {
    expect(itemsFor(svc('x'), osvc('x', 'active', 'disabled')).map((i) => i.field)).toEqual(['state']);
  });

  it.each<[boolean, EnabledState, boolean]>([
    [true, 'enabled', true],
    [true, 'static', true],
    [true, 'disabled', false],
    [true, 'masked', false],
    [true, 'unknown', false],
    [false, 'disabled', true],
    [false, 'masked', true],
    [false, 'enabled', false],
    [false, 'static', false],
    [false, 'unknown', false],
  ])('want enabled: %s, observed %s: in sync = %s', (enabled, seen, inSync) => {
    const items = itemsFor(svc('x', { state: 'stopped', enabled }), osvc('x', 'inactive', seen));
    expect(field(items, 'enabled')).toEqual({
      kind: 'service',
      service: 'x',
      field: 'enabled',
      desired: enabled ? 'enabled' : 'disabled',
      observed: seen,
      inSync,
      manager: 'systemd',
    });
  });
});

describe('computeDrift: services the host does not have', () => {
  const present = (manager: string, observed = 'not-found') => [
    {
      kind: 'service',
      service: 'x',
      field: 'present',
      desired: 'present',
      observed,
      inSync: false,
      manager,
    },
  ];

  it('reports one present drift for a running service missing from the facts, with the init as manager', () => {
    expect(itemsFor(svc('x', { enabled: true }), undefined)).toEqual(
      present('systemd', 'not in the snapshot'),
    );
  });

  it('does the same when the manager reports it not-found', () => {
    expect(itemsFor(svc('x'), osvc('x', 'not-found', 'not-found', 'sysv'))).toEqual(present('sysv'));
  });

  it('wants a stopped service present when it should start at boot', () => {
    expect(itemsFor(svc('x', { state: 'stopped', enabled: true }), undefined)).toEqual(
      present('systemd', 'not in the snapshot'),
    );
  });

  it('finds a missing service stopped and disabled in sync', () => {
    const items = itemsFor(svc('x', { state: 'stopped', enabled: false }), undefined);
    expect(items.map((i) => [i.field, i.observed, i.inSync])).toEqual([
      ['state', 'not-found', true],
      ['enabled', 'not-found', true],
    ]);
  });
});

describe('computeDrift: manager', () => {
  it('names the declared manager over the observed one', () => {
    const items = itemsFor(svc('x', { manager: 'supervisord' }), osvc('x', 'active', 'enabled', 'systemd'));
    expect(items[0]?.manager).toBe('supervisord');
  });

  it('names no manager for a missing service on a host of unknown init', () => {
    const r = computeDrift(desired(dhost('h1', [svc('x')])), observed(ohost('h1', [], { init: 'unknown' })));
    expect(host(r, 'h1').items[0]).not.toHaveProperty('manager');
  });
});

describe('computeDrift: runlevel', () => {
  const level = (n: 1 | 2 | 3 | 4 | 5): Runlevel => ({ kind: 'level', level: n });
  const target = (name: string): Runlevel => ({ kind: 'target', name });
  const runlevelItems = (
    want: Runlevel,
    opts: Parameters<typeof ohost>[2],
    hook?: (m: string, t: string) => string,
  ) => {
    const r = computeDrift(
      desired(dhost('h1', [], want)),
      observed(ohost('h1', [], opts)),
      hook ? { observedRunlevelFor: hook } : {},
    );
    return host(r, 'h1').items.map((i) => [i.field, i.desired, i.observed, i.inSync, i.manager]);
  };
  const systemd = (current: string, def: string): Parameters<typeof ohost>[2] => ({
    init: 'systemd',
    runlevel: { current, default: def },
  });

  it('maps a level to its systemd target, and compares the boot default on systemd', () => {
    expect(runlevelItems(level(3), systemd('multi-user.target', 'graphical.target'))).toEqual([
      ['runlevel', '3', 'multi-user.target', true, 'systemd'],
      ['default-runlevel', '3', 'graphical.target', false, 'systemd'],
    ]);
    expect(runlevelItems(level(5), systemd('multi-user.target', 'graphical.target'))).toEqual([
      ['runlevel', '5', 'multi-user.target', false, 'systemd'],
      ['default-runlevel', '5', 'graphical.target', true, 'systemd'],
    ]);
  });

  it('compares targets and their runlevelN aliases', () => {
    expect(
      runlevelItems(target('multi-user.target'), systemd('runlevel3.target', 'multi-user.target')),
    ).toEqual([
      ['runlevel', 'multi-user.target', 'runlevel3.target', true, 'systemd'],
      ['default-runlevel', 'multi-user.target', 'multi-user.target', true, 'systemd'],
    ]);
  });

  it('says unknown when the host did not report a runlevel', () => {
    expect(runlevelItems(level(3), { init: 'systemd', runlevel: {} })).toEqual([
      ['runlevel', '3', 'unknown', false, 'systemd'],
      ['default-runlevel', '3', 'unknown', false, 'systemd'],
    ]);
  });

  it('compares the current level and the inittab boot default on SysV', () => {
    expect(runlevelItems(level(3), { init: 'sysv', runlevel: { current: '3', default: '5' } })).toEqual([
      ['runlevel', '3', '3', true, 'sysv'],
      ['default-runlevel', '3', '5', false, 'sysv'],
    ]);
    expect(runlevelItems(level(3), { init: 'sysv', runlevel: { current: '2' } })).toEqual([
      ['runlevel', '3', '2', false, 'sysv'],
      ['default-runlevel', '3', 'unknown', false, 'sysv'],
    ]);
  });

  it("uses the drivers' mapping, or the one it is given", () => {
    const openrc = { init: 'openrc' as const, runlevel: { current: 'default' } };
    expect(runlevelItems(level(3), openrc)).toEqual([['runlevel', '3', 'default', true, 'openrc']]);
    const verbatim = (_m: string, t: string) => t;
    expect(runlevelItems(level(3), openrc, verbatim)).toEqual([
      ['runlevel', '3', 'default', false, 'openrc'],
    ]);
  });

  it('compares verbatim, without a manager, when the init is unknown', () => {
    const unknown = (current: string) => ({ init: 'unknown' as const, runlevel: { current } });
    expect(runlevelItems(level(3), unknown('3'))).toEqual([['runlevel', '3', '3', true, undefined]]);
    expect(runlevelItems(level(3), unknown('multi-user.target'))).toEqual([
      ['runlevel', '3', 'multi-user.target', false, undefined],
    ]);
  });
});

describe('computeDrift: hosts', () => {
  it('marks unreachable and unobserved hosts unchecked, listing what would have been checked', () => {
    const r = computeDrift(
      desired(
        dhost('down', [svc('a', { enabled: false, manager: 'openrc' })], { kind: 'named', name: 'default' }),
        dhost('gone', [svc('b', { state: 'stopped' })]),
      ),
      observed({ status: 'unreachable', host: 'down', reason: 'timed out' }),
    );
    expect(r.hosts).toEqual({
      down: {
        status: 'unchecked',
        reason: 'timed out',
        items: [
          { kind: 'runlevel', field: 'runlevel', desired: 'default', observed: 'unknown', inSync: false },
          {
            kind: 'service',
            service: 'a',
            field: 'state',
            desired: 'running',
            observed: 'unknown',
            inSync: false,
            manager: 'openrc',
          },
          {
            kind: 'service',
            service: 'a',
            field: 'enabled',
            desired: 'disabled',
            observed: 'unknown',
            inSync: false,
            manager: 'openrc',
          },
        ],
      },
      gone: {
        status: 'unchecked',
        reason: 'not observed',
        items: [
          {
            kind: 'service',
            service: 'b',
            field: 'state',
            desired: 'stopped',
            observed: 'unknown',
            inSync: false,
          },
        ],
      },
    });
    expect(r.summary).toEqual({ hosts: 2, inSync: 0, drifted: 0, unchecked: 2, items: 4, drifts: 0 });
  });

  it('calls a host whose every item matches in sync', () => {
    const r = computeDrift(
      desired(dhost('h1', [svc('a', { enabled: true }), svc('b', { state: 'stopped', enabled: false })])),
      observed(ohost('h1', [osvc('a', 'active', 'static'), osvc('b', 'failed', 'masked')])),
    );
    expect(host(r, 'h1').status).toBe('in-sync');
    expect(host(r, 'h1').items.every((i) => i.inSync)).toBe(true);
    expect(r.summary).toEqual({ hosts: 1, inSync: 1, drifted: 0, unchecked: 0, items: 4, drifts: 0 });
  });

  it('reports desired hosts only, sorted, with items by service then field, runlevel first', () => {
    const r = computeDrift(
      desired(
        dhost('zeta', [svc('b', { enabled: true }), svc('a', { enabled: true })], {
          kind: 'level',
          level: 3,
        }),
        dhost('alpha', []),
      ),
      observed(ohost('zeta', []), ohost('alpha', []), ohost('extra', [osvc('c', 'active')])),
    );
    expect(Object.keys(r.hosts)).toEqual(['alpha', 'zeta']);
    expect(host(r, 'zeta').items.map((i) => `${i.service ?? '-'} ${i.field}`)).toEqual([
      '- runlevel',
      '- default-runlevel',
      'a present',
      'b present',
    ]);
    expect(host(r, 'alpha')).toEqual({ status: 'in-sync', items: [] });
  });

  it('makes the same value every time, with no timestamp', () => {
    const a = sampleReport();
    expect(sampleReport()).toEqual(a);
    expect(a).not.toHaveProperty('generatedAt');
  });

  it('counts the sample: one host of each status', () => {
    const r = sampleReport();
    expect(Object.fromEntries(Object.entries(r.hosts).map(([n, h]) => [n, h.status]))).toEqual({
      db1: 'drift',
      h2: 'unchecked',
      web1: 'in-sync',
    });
    expect(r.summary).toEqual({ hosts: 3, inSync: 1, drifted: 1, unchecked: 1, items: 11, drifts: 4 });
  });
});
