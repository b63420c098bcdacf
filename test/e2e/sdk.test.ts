import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { apply, drift, loadFleet, observe, plan, type RunstateEvent } from '../../src/sdk/index.js';
import {
  BED_DIR,
  BED_INVENTORY,
  crmPort,
  describeBed,
  events,
  onHost,
  playbookOf,
  resetBed,
} from './helpers/bed.js';

const REPO = resolve(import.meta.dirname, '../..');
// The SDK reads no environment: the bed's key is named by the inventory, no agent is used.
const connect = { hostKeyChecking: 'strict' as const };

/** Load → observe → plan → apply through the SDK alone, collecting the run's events. */
async function converge(playbook: string, stopWhen?: (e: RunstateEvent) => boolean) {
  const fleet = await loadFleet({ inventory: BED_INVENTORY, playbooks: playbook });
  const planned = plan(await observe(fleet, connect));
  const abort = new AbortController();
  const run = apply(planned, { ...connect, signal: abort.signal, settle: 1 });
  const seen: RunstateEvent[] = [];
  for await (const e of run.events) {
    seen.push(e);
    if (stopWhen?.(e)) abort.abort();
  }
  return { fleet, planned, result: await run.result, seen };
}

const fleetPlaybook = (dbHealthPath: string) =>
  playbookOf({
    'bed-systemd': {
      services: {
        'crm-db': {
          state: 'running',
          health: { http: `http://127.0.0.1:${crmPort('bed-systemd', 'crm-db')}${dbHealthPath}`, timeout: 3 },
        },
        'crm-app': { state: 'running', requires: ['crm-db'] },
        'crm-proxy': { state: 'running', enabled: true },
      },
    },
    'bed-sysv': {
      services: {
        'crm-db': { state: 'running' },
        'crm-app': { state: 'running', requires: ['crm-db'] },
      },
    },
  });

describeBed('the SDK drives a real apply', () => {
  it('a failing gate, then a passing one, then a second run that changes nothing', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const failing = await converge(fleetPlaybook('/nosuch'));
    expect(failing.result.status).toBe('partial');
    expect(failing.result.exitCode).toBe(3);
    const outcomes = failing.result.status === 'refused' ? [] : failing.result.outcomes;
    const kindOf = (id: string) => outcomes.find((o) => o.step.id === id)?.kind;
    expect(kindOf('bed-systemd/start/crm-db')).toBe('failed');
    expect(kindOf('bed-systemd/start/crm-app')).toBe('skipped');
    expect(kindOf('bed-systemd/start/crm-proxy')).toBe('ok');
    expect(kindOf('bed-sysv/start/crm-app')).toBe('ok'); // an independent branch goes on
    const types = new Set(failing.seen.map((e) => e.type));
    expect(types.has('step-start') && types.has('step-end')).toBe(true);
    // Every step ends with an event, a skipped one too (it never started, but it was decided).
    const ended = failing.seen.filter((e) => e.type === 'step-end');
    expect(ended.length).toBe(outcomes.length);
    const started = failing.seen.filter((e) => e.type === 'step-start').length;
    expect(started).toBe(outcomes.filter((o) => o.kind !== 'skipped').length);

    const passingPlaybook = fleetPlaybook('/health');
    const passing = await converge(passingPlaybook);
    expect(passing.result).toMatchObject({ status: 'converged', exitCode: 0 });
    expect(passing.planned.plan.steps.map((s) => s.id)).toEqual(['bed-systemd/start/crm-app']);

    const before = [...(await events('bed-systemd')), ...(await events('bed-sysv'))];
    const again = await converge(passingPlaybook);
    expect(again.planned.plan.steps).toEqual([]);
    expect(again.result).toMatchObject({ status: 'converged', exitCode: 0, outcomes: [] });
    expect([...(await events('bed-systemd')), ...(await events('bed-sysv'))]).toEqual(before);
    const report = await drift(await observe(again.fleet, connect), connect);
    expect(report.summary).toMatchObject({ drifted: 0, unchecked: 0, drifts: 0 });
  });

  it('an abort mid-run starts no new step, releases the locks and closes the connections', async () => {
    resetBed('bed-systemd');
    const services = ['crm-db', 'crm-app', 'crm-proxy', 'crm-main'];
    const playbook = playbookOf({
      'bed-systemd': {
        services: Object.fromEntries(services.map((s) => [s, { state: 'running' as const }])),
      },
    });
    const run = await converge(playbook, (e) => e.type === 'step-end');
    expect(run.result.status).toBe('interrupted');
    const outcomes = run.result.status === 'refused' ? [] : run.result.outcomes;
    const ran = outcomes.filter((o) => o.kind === 'ok');
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(ran.length).toBeLessThan(services.length);
    expect(outcomes.filter((o) => o.kind === 'not-started').length).toBe(services.length - ran.length);
    // Only what ran started on the host; the lock is gone and no runstate SSH session is left.
    const started = (await events('bed-systemd')).filter((e) => e.what === 'start').map((e) => e.service);
    expect(started.sort()).toEqual(ran.map((o) => o.step.service).sort());
    expect(await onHost('bed-systemd', 'test -e /run/runstate.lock && echo held || echo free')).toBe(
      'free\n',
    );
    const sessions = await onHost('bed-systemd', "pgrep -c -f '^sshd: root@' || true");
    expect(Number(sessions.trim())).toBeLessThanOrEqual(1); // the check's own session
    resetBed('bed-systemd');
  });

  it("docs/sdk.md's example runs against the bed as written", async () => {
    resetBed('bed-sysv');
    const playbook = playbookOf({
      'bed-sysv': { services: { 'crm-db': { state: 'running' }, 'crm-app': { state: 'running' } } },
    });
    const out = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'examples/sdk/converge.ts', BED_INVENTORY, playbook],
        { cwd: REPO, env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 180_000 },
        (err, stdout) => done({ code: err ? Number(err.code ?? 1) : 0, stdout }),
      ),
    );
    expect(out.stdout).toContain('2 step(s) planned');
    expect(out.stdout).toContain('ok bed-sysv/start/crm-db\n');
    expect(out.stdout).toContain('ok bed-sysv/start/crm-app\n');
    expect(out.stdout).toContain('apply: converged (exit 0)');
    expect(out.stdout).toContain('drift: 0 item(s) out of sync on 1 host(s)');
    expect(out.code).toBe(0);
    expect(BED_DIR).toBeTruthy();
    resetBed('bed-sysv');
  });
});
