import { describe, expect, it } from 'vitest';
import { healTargets } from '../../../src/drift/heal-targets.js';
import { computeDrift } from '../../../src/drift/index.js';
import { hostDigest, scopeToServices } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

const blockedOf = (steps: { id: string; blockedBy?: string }[]) =>
  Object.fromEntries(steps.map((s) => [s.id, s.blockedBy]));

describe('a problem on one host blocks only what depends on it', () => {
  // systemd units are unmasked in the plan (issue 12); a manager that cannot unmask blocks instead.
  it('a masked unit blocks its dependents; drift elsewhere and on the same host still plans', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('crm-masked', { tier: 'database' }), svc('crm-db', { tier: 'database' })]),
        dhost('h2', [svc('crm-app', { requires: ['h1:crm-masked'] }), svc('cron', { tier: 'main' })]),
        dhost('h3', [svc('crm-web', { tier: 'network', requires: ['h2:crm-app'] })]),
      ),
      observed(
        ohost('h1', [osvc('crm-masked', 'inactive', 'masked', 'supervisord'), osvc('crm-db', 'inactive')]),
        ohost('h2', [osvc('crm-app', 'inactive'), osvc('cron', 'inactive')]),
        ohost('h3', [osvc('crm-web', 'inactive')]),
      ),
    );
    expect(r.plan.blocked).toEqual([
      {
        host: 'h1',
        service: 'crm-masked',
        reason: 'crm-masked is masked on h1',
        hint: 'supervisord cannot unmask it: lift the mask by hand',
      },
    ]);
    const why = 'requires h1:crm-masked, which cannot be started: crm-masked is masked on h1';
    expect(blockedOf(r.plan.steps)).toEqual({
      'h1/start/crm-db': undefined,
      'h2/start/crm-app': why,
      'h2/start/cron': undefined,
      'h3/start/crm-web': why,
    });
    // Not an input problem: nothing refuses the whole run.
    expect(r.problems.some((p) => p.wholeRun)).toBe(false);
  });

  it('a missing init script blocks the same way', () => {
    const r = plan(
      desired(dhost('h1', [svc('gone'), svc('here')]), dhost('h2', [svc('app', { requires: ['h1:gone'] })])),
      observed(
        ohost('h1', [osvc('gone', 'not-found', 'not-found'), osvc('here', 'inactive')]),
        ohost('h2', [osvc('app', 'inactive')]),
      ),
    );
    expect(r.plan.blocked?.map((b) => b.reason)).toEqual(['service gone not found on h1 (systemd)']);
    expect(blockedOf(r.plan.steps)).toEqual({
      'h1/start/here': undefined,
      'h2/start/app': 'requires h1:gone, which cannot be started: service gone not found on h1 (systemd)',
    });
  });
});

describe('a service that cannot be stopped', () => {
  it('blocks the stop of what it requires, which must wait for it to stop first', () => {
    const r = plan(
      desired(
        dhost('h1', [svc('app', { state: 'stopped', manager: 'sysv', requires: ['h2:db'] })]),
        dhost('h2', [svc('db', { state: 'stopped', tier: 'database' }), svc('cache', { state: 'stopped' })]),
      ),
      observed(
        ohost('h1', [osvc('app', 'active')]),
        ohost('h2', [osvc('db', 'active'), osvc('cache', 'active')]),
      ),
    );
    expect(r.plan.blocked?.map((b) => `${b.host}:${b.service}: ${b.reason}`)).toEqual([
      'h1:app: h1 has no sysv (init: systemd)',
    ]);
    expect(blockedOf(r.plan.steps)).toEqual({
      'h2/stop/cache': undefined,
      'h2/stop/db': 'h1:app requires it and cannot be stopped: h1 has no sysv (init: systemd)',
    });
  });
});

describe('a declared manager the host does not run', () => {
  it('is a problem of that host, and no systemctl step is planned for a SysV host', () => {
    const r = plan(
      desired(dhost('bed-sysv', [svc('crm-app', { manager: 'systemd' }), svc('crm-cache')])),
      observed(
        ohost(
          'bed-sysv',
          [
            osvc('crm-app', 'inactive', 'disabled', 'sysv'),
            osvc('crm-cache', 'inactive', 'disabled', 'sysv'),
          ],
          {
            init: 'sysv',
          },
        ),
      ),
    );
    expect(r.plan.blocked).toEqual([
      {
        host: 'bed-sysv',
        service: 'crm-app',
        reason: 'bed-sysv has no systemd (init: sysv)',
        hint: 'its managers: sysv; declare manager: auto (or one of them) for crm-app there',
      },
    ]);
    expect(r.plan.steps.map((s) => s.id)).toEqual(['bed-sysv/start/crm-cache']);
  });

  it('is no problem where the host has it (supervisord next to the init system)', () => {
    const r = plan(
      desired(dhost('h1', [svc('crm-main', { manager: 'supervisord' })])),
      observed(
        ohost('h1', [osvc('crm-main', 'inactive', 'unknown', 'supervisord')], {
          init: 'systemd',
          managers: ['systemd', 'supervisord'],
        }),
      ),
    );
    expect(r.plan.blocked).toBeUndefined();
    expect(r.plan.steps.map((s) => s.id)).toEqual(['h1/start/crm-main']);
  });
});

describe('heal plans and their digest', () => {
  const want = desired(dhost('h1', [svc('crm-db', { tier: 'database' }), svc('crm-worker@1')]));
  const seen = observed(ohost('h1', [osvc('crm-db', 'active'), osvc('crm-worker@1', 'inactive')]));

  it('heals only the drifted service of a host declaring several', () => {
    const targets = healTargets(want, computeDrift(want, seen), () => true);
    expect(Object.keys(targets.desired.hosts.h1?.services ?? {})).toEqual(['crm-worker@1']);
    expect(targets.leftAlone).toEqual([]);
  });

  it('records a digest of exactly the services the plan covers, as the re-check observes them', () => {
    const targets = healTargets(want, computeDrift(want, seen), () => true);
    const r = plan(targets.desired, seen);
    expect(r.plan.hosts.h1?.services).toEqual(['crm-worker@1']);
    // What findStale observes again: only crm-worker@1.
    const reObserved = ohost('h1', [osvc('crm-worker@1', 'inactive')]);
    expect(r.plan.hosts.h1?.digest).toBe(hostDigest(reObserved));
    expect(hostDigest(scopeToServices(seen.hosts.h1 as never, ['crm-worker@1']))).toBe(
      hostDigest(reObserved),
    );
  });

  it('leaves alone what the limiter refuses, naming it host:service', () => {
    const targets = healTargets(want, computeDrift(want, seen), (k) => k !== 'h1:crm-worker@1');
    expect(targets.leftAlone).toEqual(['h1:crm-worker@1']);
    expect(targets.desired.hosts.h1?.services).toEqual({});
  });
});
