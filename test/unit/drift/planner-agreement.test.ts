import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/drift/index.js';
import type { DriftField } from '../../../src/model/drift.js';
import type {
  ActiveState,
  DesiredService,
  EnabledState,
  ManagerKind,
  ReachableHost,
  Runlevel,
} from '../../../src/model/index.js';
import { diffHostDetailed } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';

const ACTIVE: (ActiveState | 'missing')[] = [
  'active',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'not-found',
  'unknown',
  'missing',
];
const ENABLED: EnabledState[] = ['enabled', 'disabled', 'static', 'masked', 'not-found', 'unknown'];
const STATES: DesiredService['state'][] = ['running', 'stopped'];
const WANT_ENABLED = [undefined, true, false];

/** Which fields a planner step is about (an unmask is there for a start or an enable). */
const FIELDS_OF = {
  start: ['state'],
  stop: ['state'],
  enable: ['enabled'],
  disable: ['enabled'],
  unmask: ['state', 'enabled'],
} as const;

/**
 * Drift must never call in sync what `plan` would change or refuse: every step the planner makes is a
 * drifted field, and a host with no drift is one the planner leaves alone without complaint.
 */
describe('drift agrees with the planner', () => {
  it('on every combination of declared and observed service state', () => {
    let checked = 0;
    const complaints: string[] = [];
    for (const state of STATES)
      for (const enabled of WANT_ENABLED)
        for (const active of ACTIVE)
          for (const seenEnabled of ENABLED) {
            const want = dhost('h1', [svc('x', { state, ...(enabled === undefined ? {} : { enabled }) })]);
            const seen = ohost('h1', active === 'missing' ? [] : [osvc('x', active, seenEnabled)]);
            const plan = diffHostDetailed(want, seen);
            const drift = computeDrift(desired(want), observed(seen)).hosts.h1;
            const label = JSON.stringify({ state, enabled, active, seenEnabled });
            const drifted = new Set(drift?.items.filter((i) => !i.inSync).map((i) => i.field));
            for (const change of plan.changes) {
              // Unmasking may bring back boot links set before the mask: the planner disables as
              // declared in the same pass, though the masked unit counts as disabled now.
              const unmasked = plan.changes.some((c) => c.kind === 'unmask');
              const fields: readonly DriftField[] =
                unmasked && change.kind === 'disable'
                  ? FIELDS_OF.unmask
                  : FIELDS_OF[change.kind as keyof typeof FIELDS_OF];
              expect(fields, label).toBeDefined();
              expect(fields.some((f) => drifted.has(f)) || drifted.has('present'), label).toBe(true);
            }
            if (drift?.status === 'in-sync') {
              expect(plan.changes, label).toEqual([]);
              if (plan.problems.length > 0) complaints.push(label);
            }
            checked++;
          }
    expect(checked).toBe(2 * 3 * 8 * 6);
    // The only complaints about a host in sync: a unit masked while it runs (nothing to change, but
    // the planner warns it would not start again); every declared field matches, so no drift.
    expect(complaints).toEqual([
      '{"state":"running","active":"active","seenEnabled":"masked"}',
      '{"state":"running","enabled":false,"active":"active","seenEnabled":"masked"}',
    ]);
  });

  it('on runlevels, for every init', () => {
    const wants: Runlevel[] = [
      { kind: 'level', level: 1 },
      { kind: 'level', level: 3 },
      { kind: 'level', level: 5 },
      { kind: 'target', name: 'multi-user.target' },
      { kind: 'target', name: 'graphical.target' },
      { kind: 'named', name: 'default' },
    ];
    const seen = [
      undefined,
      '1',
      '3',
      '5',
      'S',
      'multi-user.target',
      'runlevel3.target',
      'graphical.target',
      'default',
    ];
    const inits: ManagerKind[] = ['systemd', 'sysv', 'openrc', 'upstart'];
    for (const init of inits)
      for (const want of wants)
        for (const current of seen)
          for (const def of seen) {
            const host: ReachableHost = ohost('h1', [], {
              init,
              runlevel: { ...(current ? { current } : {}), ...(def ? { default: def } : {}) },
            });
            const d = dhost('h1', [], want);
            const kinds = new Set(diffHostDetailed(d, host).changes.map((c) => c.kind));
            const items = computeDrift(desired(d), observed(host)).hosts.h1?.items ?? [];
            const label = JSON.stringify({ init, want, current, def });
            const inSync = (f: string) => items.find((i) => i.field === f)?.inSync;
            expect(inSync('runlevel'), label).toBe(!kinds.has('set-runlevel'));
            expect(inSync('default-runlevel'), label).toBe(
              init === 'openrc' ? undefined : !kinds.has('set-default-runlevel'),
            );
          }
  });
});
