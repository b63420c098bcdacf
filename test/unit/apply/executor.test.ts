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
        actions: { ...got.actions, waitHealthy: async () => ({ ok: false, output: 'Connection refused' }) },
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

describe('barriers', () => {
  // Two stacks, each db → barrier → two apps; a group barrier that a proxy waits for.
  const stacked = (): Plan => ({
    ...plan([
      step('a1', 'db', [], 1),
      step('b1', 'db', [], 1),
      step('a2', 'app', ['@a/starts-before-app'], 2),
      step('a3', 'app', ['@a/starts-before-app'], 2),
      step('b2', 'app', ['@b/starts-before-app'], 2),
      step('b3', 'app', ['@b/starts-before-app'], 2),
      step('p1', 'proxy', ['@b:app/started'], 3),
    ]),
    barriers: [
      { id: '@a/starts-before-app', reason: 'stack a', after: ['a1/start/db'] },
      { id: '@b/starts-before-app', reason: 'stack b', after: ['b1/start/db'] },
      { id: '@b:app/started', reason: 'group b', after: ['b2/start/app', 'b3/start/app'] },
    ],
  });

  it('a step behind a barrier waits for every step before the barrier', async () => {
    const f = fleet();
    const out = await executePlan(stacked(), { forks: 10, dryRun: false, access: f.access });
    expect(out.every((o) => o.kind === 'ok')).toBe(true);
    for (const app of ['a2', 'a3']) {
      expect(f.log.indexOf('a1:systemctl start db')).toBeLessThan(
        f.log.indexOf(`${app}:systemctl start app`),
      );
    }
    for (const app of ['b2', 'b3']) {
      expect(f.log.indexOf(`${app}:systemctl start app`)).toBeLessThan(
        f.log.indexOf('p1:systemctl start proxy'),
      );
    }
  });

  it('a failure skips exactly what is behind its barriers, naming the failed step', async () => {
    const f = fleet(new Set(['b1:systemctl start db']));
    const out = await executePlan(stacked(), { forks: 10, dryRun: false, access: f.access });
    const kinds = Object.fromEntries(out.map((o) => [o.step.id, o.kind]));
    expect(kinds).toEqual({
      'a1/start/db': 'ok',
      'b1/start/db': 'failed',
      'a2/start/app': 'ok',
      'a3/start/app': 'ok',
      'b2/start/app': 'skipped',
      'b3/start/app': 'skipped',
      'p1/start/proxy': 'skipped',
    });
    expect(out.find((o) => o.step.id === 'b2/start/app')).toMatchObject({
      because: 'b1/start/db',
      cause: 'b1/start/db did not succeed',
    });
    expect(out.find((o) => o.step.id === 'p1/start/proxy')).toMatchObject({
      because: 'b2/start/app',
      cause: 'b1/start/db did not succeed',
    });
  });

  it('an after naming neither a step nor a barrier is a bug, said as one', async () => {
    const f = fleet();
    const p = plan([step('h1', 'a', ['@nowhere'], 1)]);
    await expect(executePlan(p, { forks: 1, dryRun: false, access: f.access })).rejects.toThrow(
      'plan step @nowhere is referenced but not defined',
    );
  });
});

describe('gates of requirements that already run', () => {
  const gate = {
    host: 'h1',
    service: 'db',
    health: { kind: 'tcp', host: '127.0.0.1', port: 5432, timeoutSec: 3 },
  } as const;
  const gatedPlan = () => {
    const app = step('h2', 'app', [], 1);
    const worker = step('h3', 'worker', [], 1);
    const proxy = step('h4', 'proxy', ['h2/start/app'], 2);
    return {
      ...plan([
        { ...app, requiredGates: ['h1:db/gates'] },
        { ...worker, requiredGates: ['h1:db/gates'] },
        proxy,
      ]),
      gates: [{ id: 'h1:db/gates', requirement: 'h1:db', gates: [{ ...gate, health: { ...gate.health } }] }],
    };
  };
  const withGate = (result: { ok: true } | { ok: false; output: string }, calls: string[]) => {
    const f = fleet();
    const access = async (host: string): Promise<HostAccess> => {
      const got = await f.access(host);
      if (!got.ok) return got;
      return {
        ok: true,
        actions: {
          ...got.actions,
          waitHealthy: async () => {
            calls.push(host);
            return result;
          },
        },
      };
    };
    return { f, access };
  };

  it('a failing one keeps the dependents waiting, naming the requirement and the probe output', async () => {
    const calls: string[] = [];
    const { f, access } = withGate({ ok: false, output: 'bash: connect: Connection refused' }, calls);
    const out = await executePlan(gatedPlan(), { forks: 10, dryRun: false, access });
    const cause =
      'waiting on unhealthy requirement h1:db: its health gate tcp 127.0.0.1:5432 did not pass within 3s: bash: connect: Connection refused';
    expect(out.map((o) => [o.step.id, o.kind, 'cause' in o ? o.cause : ''])).toEqual([
      ['h2/start/app', 'skipped', cause],
      ['h3/start/worker', 'skipped', cause],
      ['h4/start/proxy', 'skipped', cause],
    ]);
    expect(f.log).toEqual([]);
    expect(calls).toEqual(['h1']); // checked once per run, on the requirement's own host
  });

  it('a passing one lets them start', async () => {
    const calls: string[] = [];
    const { f, access } = withGate({ ok: true }, calls);
    const out = await executePlan(gatedPlan(), { forks: 10, dryRun: false, access });
    expect(out.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(f.log).toHaveLength(3);
    expect(calls).toEqual(['h1']);
  });

  it("a group's gate set is checked once per host per run, however many steps name it", async () => {
    const calls: string[] = [];
    const { f, access } = withGate({ ok: true }, calls);
    const set = {
      id: '@all:db/gates',
      requirement: 'all:db',
      gates: ['h1', 'h2', 'h3'].map((host) => ({ ...gate, host, health: { ...gate.health } })),
    };
    const p = {
      ...plan(['h1', 'h2', 'h3'].map((h) => ({ ...step(h, 'app', [], 1), requiredGates: [set.id] }))),
      gates: [set],
    };
    const out = await executePlan(p, { forks: 10, dryRun: false, access });
    expect(out.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(f.log).toHaveLength(3);
    expect([...calls].sort()).toEqual(['h1', 'h2', 'h3']);
  });

  it('a step naming a gate set the plan does not list is a bug, said as one', async () => {
    const f = fleet();
    const p = plan([{ ...step('h1', 'a', [], 1), requiredGates: ['h9:db/gates'] }]);
    await expect(executePlan(p, { forks: 1, dryRun: false, access: f.access })).rejects.toThrow(
      'names gate set h9:db/gates, which is not defined',
    );
  });

  it('the dry run checks nothing', async () => {
    const calls: string[] = [];
    const { access } = withGate({ ok: false, output: '' }, calls);
    const out = await executePlan(gatedPlan(), { forks: 10, dryRun: true, access });
    expect(out.map((o) => o.kind)).toEqual(['would-run', 'would-run', 'would-run']);
    expect(calls).toEqual([]);
  });
});
