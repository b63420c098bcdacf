import { describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/apply/executor.js';
import type { CommandResult, HostAccess, HostActions } from '../../../src/apply/types.js';
import type { Plan, Step } from '../../../src/model/plan.js';

/** An in-memory fleet: records the order commands ran in; never a claim that the tool works. */
function fleet(failing: Set<string> = new Set(), unreachable: Set<string> = new Set()) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const perHostRunning = new Map<string, number>();
  const access = async (host: string): Promise<HostAccess> => {
    if (unreachable.has(host)) return { ok: false, reason: 'connection refused' };
    const actions: HostActions = {
      async run(argv): Promise<CommandResult> {
        running++;
        maxRunning = Math.max(maxRunning, running);
        perHostRunning.set(host, (perHostRunning.get(host) ?? 0) + 1);
        if ((perHostRunning.get(host) ?? 0) > 1) throw new Error(`two steps at once on ${host}`);
        await new Promise((r) => setTimeout(r, 5));
        perHostRunning.set(host, (perHostRunning.get(host) ?? 1) - 1);
        running--;
        const id = `${host}:${argv.join(' ')}`;
        log.push(id);
        return failing.has(id)
          ? { code: 1, stdout: '', stderr: 'Job failed. See journal.', timedOut: false }
          : { code: 0, stdout: '', stderr: '', timedOut: false };
      },
      verifyRunning: async () => ({ ok: true }),
      waitHealthy: async () => ({ ok: true }),
    };
    return { ok: true, actions };
  };
  return { log, access, maxRunning: () => maxRunning };
}

function step(
  host: string,
  service: string,
  after: string[],
  wave: number,
  kind: Step['kind'] = 'start',
): Step {
  return {
    id: `${host}/${kind}/${service}`,
    host,
    kind,
    service,
    manager: 'systemd',
    reason: 'test',
    commands: [['systemctl', kind, service]],
    after,
    wave,
  };
}

function plan(steps: Step[]): Plan {
  const waves: string[][] = [];
  for (const s of steps) {
    waves[s.wave - 1] = [...(waves[s.wave - 1] ?? []), s.id];
  }
  return { version: 1, playbooks: [], inventory: [], hosts: {}, steps, waves };
}

// db on h1 → app on h2 → proxy on h3; an independent service on h4.
const crm = () =>
  plan([
    step('h1', 'db', [], 1),
    step('h4', 'other', [], 1),
    step('h2', 'app', ['h1/start/db'], 2),
    step('h3', 'proxy', ['h2/start/app'], 3),
  ]);

describe('executePlan', () => {
  it('respects every edge and runs independent hosts alongside', async () => {
    const f = fleet();
    const out = await executePlan(crm(), { forks: 10, dryRun: false, access: f.access });
    expect(out.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(f.log.indexOf('h1:systemctl start db')).toBeLessThan(f.log.indexOf('h2:systemctl start app'));
    expect(f.log.indexOf('h2:systemctl start app')).toBeLessThan(f.log.indexOf('h3:systemctl start proxy'));
    expect(f.maxRunning()).toBe(2);
  });

  it('skips the transitive dependents of a failed step and goes on with the rest', async () => {
    const f = fleet(new Set(['h1:systemctl start db']));
    const out = await executePlan(crm(), { forks: 10, dryRun: false, access: f.access });
    const byId = Object.fromEntries(out.map((o) => [o.step.id, o]));
    expect(byId['h1/start/db']?.kind).toBe('failed');
    expect(byId['h4/start/other']?.kind).toBe('ok');
    expect(byId['h2/start/app']).toMatchObject({
      kind: 'skipped',
      because: 'h1/start/db',
      cause: 'h1/start/db did not succeed',
    });
    expect(byId['h3/start/proxy']).toMatchObject({
      kind: 'skipped',
      because: 'h2/start/app',
      cause: 'h1/start/db did not succeed',
    });
    const failed = byId['h1/start/db'];
    expect(failed?.kind === 'failed' && failed.stderrTail).toBe('Job failed. See journal.');
    expect(f.log).not.toContain('h2:systemctl start app');
  });

  it('an unreachable host fails its own steps and their dependents, nothing else', async () => {
    const f = fleet(new Set(), new Set(['h2']));
    const out = await executePlan(crm(), { forks: 10, dryRun: false, access: f.access });
    expect(out.map((o) => `${o.step.id}=${o.kind}`)).toEqual([
      'h1/start/db=ok',
      'h4/start/other=ok',
      'h2/start/app=unreachable',
      'h3/start/proxy=skipped',
    ]);
  });

  it('runs steps of one host one at a time, and at most `forks` at once', async () => {
    const f = fleet();
    const p = plan([
      step('h1', 'a', [], 1),
      step('h1', 'b', [], 1),
      step('h2', 'c', [], 1),
      step('h3', 'd', [], 1),
    ]);
    await executePlan(p, { forks: 2, dryRun: false, access: f.access });
    expect(f.maxRunning()).toBeLessThanOrEqual(2);
    expect(f.log.indexOf('h1:systemctl start a')).toBeLessThan(f.log.indexOf('h1:systemctl start b'));
  });

  it('dry run walks the same path and runs no command', async () => {
    const f = fleet();
    const out = await executePlan(crm(), { forks: 10, dryRun: true, access: f.access });
    expect(out.every((o) => o.kind === 'would-run')).toBe(true);
    expect(f.log).toEqual([]);
  });

  it('after an interrupt no new step starts', async () => {
    const f = fleet();
    const abort = new AbortController();
    abort.abort();
    const out = await executePlan(crm(), {
      forks: 10,
      dryRun: false,
      access: f.access,
      signal: abort.signal,
    });
    expect(out.map((o) => o.kind)).toEqual(['not-started', 'not-started', 'skipped', 'skipped']);
    expect(f.log).toEqual([]);
  });

  it('a failed health gate blocks dependents', async () => {
    const f = fleet();
    const gated = crm();
    const access = async (host: string): Promise<HostAccess> => {
      const got = await f.access(host);
      if (!got.ok || host !== 'h1') return got;
      return {
        ok: true,
        actions: { ...got.actions, waitHealthy: async () => ({ ok: false, message: 'gate timed out' }) },
      };
    };
    const db = gated.steps[0];
    if (db) db.health = { kind: 'tcp', host: '127.0.0.1', port: 5432, timeoutSec: 1 };
    const out = await executePlan(gated, { forks: 10, dryRun: false, access });
    expect(out.map((o) => o.kind)).toEqual(['failed', 'ok', 'skipped', 'skipped']);
  });
});

describe('steps blocked by the plan (an unreachable host, a masked unit)', () => {
  it('are skipped with the reason; the planner blocks their requires-dependents too', async () => {
    const f = fleet();
    const p = crm();
    const why = 'requires h9:db, whose host h9 is unreachable';
    for (const s of p.steps.slice(2)) s.blockedBy = why;
    const out = await executePlan(p, { forks: 10, dryRun: false, access: f.access });
    expect(out.map((o) => `${o.step.id}=${o.kind}`)).toEqual([
      'h1/start/db=ok',
      'h4/start/other=ok',
      'h2/start/app=skipped',
      'h3/start/proxy=skipped',
    ]);
    expect(out[3]).toMatchObject({ cause: why });
  });

  it('do not hold up a step that is only after them in tier order', async () => {
    const f = fleet();
    const p = crm();
    const app = p.steps[2];
    if (app) app.blockedBy = 'requires h1:crm-masked, which cannot be started: crm-masked is masked on h1';
    const out = await executePlan(p, { forks: 10, dryRun: false, access: f.access });
    expect(out.map((o) => `${o.step.id}=${o.kind}`)).toEqual([
      'h1/start/db=ok',
      'h4/start/other=ok',
      'h2/start/app=skipped',
      'h3/start/proxy=ok',
    ]);
  });
});
