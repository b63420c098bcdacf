import { describe, expect, it } from 'vitest';
import {
  computeDrift,
  renderDriftJunit,
  renderDriftMarkdown,
  renderDriftText,
} from '../../../src/drift/index.js';
import type { HealthCheck, ObservedService } from '../../../src/model/index.js';
import { diffHostDetailed } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import { compile, loadSchema } from '../schemas/schema-walk.js';

const GATE: HealthCheck = { kind: 'http', url: 'http://127.0.0.1:8080/health', timeoutSec: 5 };

describe('drift: declared health gates, probed now', () => {
  const want = dhost('h1', [
    svc('api', { health: GATE }),
    svc('db', { health: GATE }),
    svc('old', { state: 'stopped', health: GATE }),
  ]);
  const seen = ohost('h1', [osvc('api', 'active'), osvc('db', 'inactive'), osvc('old', 'inactive')]);

  it('a failing gate of a running service is drift, with the probe output', () => {
    const r = computeDrift(desired(want), observed(seen), {
      health: { h1: { api: { ok: false, output: 'wget: server returned error: HTTP/1.0 404 Not Found' } } },
    });
    const health = r.hosts.h1?.items.filter((i) => i.field === 'health');
    expect(health?.map((i) => [i.service, i.observed, i.inSync])).toEqual([
      ['api', 'failing: wget: server returned error: HTTP/1.0 404 Not Found', false],
      ['db', 'not running', false],
    ]);
    const text = renderDriftText(r, { color: false });
    expect(text).toContain(
      'api health   observed failing: wget: server returned error: HTTP/1.0 404 Not Found, want passing',
    );
    expect(renderDriftJunit(r)).toContain(
      'health: observed failing: wget: server returned error: HTTP/1.0 404 Not Found',
    );
    expect(renderDriftMarkdown(r)).toContain(
      '| api | health | passing | failing: wget: server returned error: HTTP/1.0 404 Not Found | **drift** |',
    );
  });

  it('a passing gate is in sync; without probes (a snapshot) there are no health items', () => {
    const ok = computeDrift(desired(want), observed(seen), { health: { h1: { api: { ok: true } } } });
    expect(ok.hosts.h1?.items.find((i) => i.service === 'api' && i.field === 'health')?.inSync).toBe(true);
    const none = computeDrift(desired(want), observed(seen));
    expect(none.hosts.h1?.items.some((i) => i.field === 'health')).toBe(false);
  });

  it('an unchecked host lists its health items too, so counts agree in every format', () => {
    const r = computeDrift(
      desired(want),
      observed({ status: 'unreachable', host: 'h1', reason: 'refused' }),
      {
        health: {},
      },
    );
    expect(r.hosts.h1?.items.filter((i) => i.field === 'health').map((i) => i.service)).toEqual([
      'api',
      'db',
    ]);
  });
});

describe('drift agrees with the planner on restart.on_change', () => {
  const watched = svc('app', { restart: { onChange: ['/etc/app.conf'] } });
  const cases: [string, ObservedService][] = [
    ['unchanged', { ...osvc('app', 'active'), watch: { current: 'a'.repeat(64), recorded: 'a'.repeat(64) } }],
    ['changed', { ...osvc('app', 'active'), watch: { current: 'b'.repeat(64), recorded: 'a'.repeat(64) } }],
    ['unrecorded', { ...osvc('app', 'active'), watch: { current: 'b'.repeat(64), recorded: null } }],
    ['not watched', osvc('app', 'active')],
    [
      'stopped, changed',
      { ...osvc('app', 'inactive'), watch: { current: 'b'.repeat(64), recorded: 'a'.repeat(64) } },
    ],
  ];
  for (const [label, seen] of cases) {
    it(label, () => {
      const d = dhost('h1', [watched]);
      const o = ohost('h1', [seen]);
      const restarts = diffHostDetailed(d, o).changes.some((c) => c.kind === 'restart');
      const item = computeDrift(desired(d), observed(o)).hosts.h1?.items.find((i) => i.field === 'restart');
      expect(item?.inSync).toBe(!restarts);
    });
  }

  it('names what changed', () => {
    const [, seen] = cases[1] as [string, ObservedService];
    const item = computeDrift(
      desired(dhost('h1', [watched])),
      observed(ohost('h1', [seen])),
    ).hosts.h1?.items.find((i) => i.field === 'restart');
    expect(item).toMatchObject({
      desired: 'current',
      observed: 'watched files changed since its last (re)start',
    });
  });
});

describe('drift agrees with the planner on a crashed service (OpenRC still says started)', () => {
  const crashed: ObservedService = { ...osvc('svc', 'failed', 'disabled', 'openrc'), crashed: true };
  for (const state of ['running', 'stopped'] as const) {
    it(`state: ${state}`, () => {
      const d = dhost('h1', [svc('svc', { state })]);
      const o = ohost('h1', [crashed], { init: 'openrc' });
      const changes = diffHostDetailed(d, o).changes.map((c) => c.kind);
      expect(changes).toEqual([state === 'running' ? 'start' : 'stop']);
      const item = computeDrift(desired(d), observed(o)).hosts.h1?.items.find((i) => i.field === 'state');
      expect(item).toMatchObject({ inSync: false, observed: 'failed (crashed; still recorded as started)' });
    });
  }
});

describe('drift.schema.json', () => {
  it('accepts reports with health and restart items', () => {
    const validate = compile(loadSchema('drift.schema.json'));
    const d = dhost('h1', [svc('api', { health: GATE, restart: { onChange: ['/etc/api.conf'] } })]);
    const seen = { ...osvc('api', 'active'), watch: { current: 'b'.repeat(64), recorded: 'a'.repeat(64) } };
    const r = computeDrift(desired(d), observed(ohost('h1', [seen])), {
      health: { h1: { api: { ok: false, output: 'connection refused' } } },
    });
    expect(r.hosts.h1?.items.map((i) => i.field)).toEqual(['state', 'restart', 'health']);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
  });
});
