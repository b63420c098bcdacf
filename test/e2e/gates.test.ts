import { expect, it } from 'vitest';
import {
  BED_INVENTORY,
  crmPort,
  describeBed,
  events,
  onHost,
  playbookOf,
  resetBed,
  runstate,
} from './helpers/bed.js';

const INV = BED_INVENTORY;

/** crm-db on the systemd host with a gate, and crm-app on the SysV host requiring it. */
const dbAndApp = (health: Record<string, string | number>) =>
  playbookOf({
    'bed-systemd': { services: { 'crm-db': { state: 'running', health } } },
    'bed-sysv': { services: { 'crm-app': { state: 'running', requires: ['bed-systemd:crm-db'] } } },
  });

// Health gates on real hosts: a gate holds on every run (not only the run that starts the
// requirement), drift reports a declared gate that fails now, failures carry the probe's output,
// and a gate never outlives its own timeout.
describeBed('health gates that hold on every run', () => {
  it('a gate that failed keeps the dependent from starting on the second apply; drift reports it', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const db = crmPort('bed-systemd', 'crm-db');
    const failing = dbAndApp({ http: `http://127.0.0.1:${db}/nosuch`, timeout: 3 });

    const first = await runstate(['apply', '-i', INV, failing, '--yes']);
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/FAILED\s+start crm-db: health gate did not pass within 3s \(.*404.*\)/);
    expect(first.stdout).toMatch(/\| .*404/); // the probe's own output, under the failure
    expect(first.stdout).toMatch(
      /skipped\s+start crm-app \(because bed-systemd\/start\/crm-db did not succeed\)/,
    );

    // crm-db now runs, so the second plan has no step for it: only the start of crm-app, which
    // checks crm-db's gate again first.
    const plan = await runstate(['plan', '-i', INV, failing, '--format', 'json']);
    const parsed = JSON.parse(plan.stdout) as {
      steps: { id: string; requiredGates?: unknown[] }[];
      gates?: unknown[];
    };
    const steps = parsed.steps;
    expect(steps.map((s) => s.id)).toEqual(['bed-sysv/start/crm-app']);
    // The gate is listed once in the plan's gate sets; the step names the set.
    expect(steps[0]?.requiredGates).toEqual(['bed-systemd:crm-db/gates']);
    expect(parsed.gates).toEqual([
      {
        id: 'bed-systemd:crm-db/gates',
        requirement: 'bed-systemd:crm-db',
        gates: [
          {
            host: 'bed-systemd',
            service: 'crm-db',
            health: { kind: 'http', url: `http://127.0.0.1:${db}/nosuch`, timeoutSec: 3 },
          },
        ],
      },
    ]);
    const second = await runstate(['apply', '-i', INV, failing, '--yes']);
    expect(second.code).toBe(3);
    expect(second.stdout).toMatch(
      /skipped\s+start crm-app \(because waiting on unhealthy requirement bed-systemd:crm-db: its health gate http \S+\/nosuch did not pass within 3s: .*404.*\)/,
    );
    expect(await events('bed-sysv')).toEqual([]);

    const text = await runstate(['drift', '-i', INV, failing]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/crm-db health\s+observed failing: .*404.*, want passing/);
    expect(text.stdout).toMatch(/crm-app state\s+observed inactive, want running/);
    const json = await runstate(['drift', '-i', INV, failing, '--format', 'json']);
    const items = (JSON.parse(json.stdout) as { hosts: Record<string, { items: Record<string, unknown>[] }> })
      .hosts['bed-systemd']?.items;
    expect(items?.find((i) => i.field === 'health')).toMatchObject({
      service: 'crm-db',
      desired: 'passing',
      inSync: false,
    });
    const junit = await runstate(['drift', '-i', INV, failing, '--format', 'junit']);
    expect(junit.stdout).toMatch(
      /name="crm-db health"[^>]*>\s*<failure message="health: observed failing: [^"]*404/,
    );
    const md = await runstate(['drift', '-i', INV, failing, '--format', 'markdown']);
    expect(md.stdout).toMatch(/\| crm-db \| health \| passing \| failing: .*404.* \| \*\*drift\*\* \|/);

    // A gate that passes lets the dependent start, and the next run changes nothing.
    const passing = dbAndApp({ http: `http://127.0.0.1:${db}/health`, timeout: 5 });
    const third = await runstate(['apply', '-i', INV, passing, '--yes']);
    expect(third.code).toBe(0);
    expect(third.stderr).toMatch(/bed-sysv: waiting for health gate bed-systemd:crm-db \(required\): http/);
    expect(third.stdout).toMatch(/ok\s+start crm-app/);
    const fourth = await runstate(['apply', '-i', INV, passing, '--yes']);
    expect(fourth.stdout).toContain('0 changes.');
    const inSync = await runstate(['drift', '-i', INV, passing]);
    expect(inSync.code).toBe(0);
    resetBed('bed-systemd', 'bed-sysv');
  });

  it('--limit that would start an app whose requirement is stopped elsewhere warns and skips it', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const pb = dbAndApp({ tcp: crmPort('bed-systemd', 'crm-db'), timeout: 3 });
    const r = await runstate(['apply', '-i', INV, pb, '--limit', 'app', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /warning: bed-sysv:crm-app: requires bed-systemd:crm-db \(outside --limit\), which is inactive there; crm-app will not be started; apply without --limit, or include bed-systemd in it/,
    );
    expect(r.stdout).toMatch(
      /skipped\s+start crm-app \(because requires bed-systemd:crm-db \(outside --limit\), which is inactive there\)/,
    );
    expect(await events('bed-sysv')).toEqual([]);
    expect(await events('bed-systemd')).toEqual([]); // looked at, never touched

    // Running there, its gate is checked again before the start.
    await onHost('bed-systemd', 'systemctl start crm-db');
    const ok = await runstate(['apply', '-i', INV, pb, '--limit', 'app', '--yes']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok\s+start crm-app/);
    resetBed('bed-systemd', 'bed-sysv');
  });

  it('a slow gate command ends at its own timeout, saying so', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const pb = dbAndApp({ command: 'sleep 40', timeout: 3 });
    const started = Date.now();
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    // Printed for the report's figures, not asserted (no timed assertions).
    console.log(`slow gate (command: sleep 40, timeout: 3): apply took ${Date.now() - started} ms`);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED\s+start crm-db: health gate did not pass within 3s \(probe still running after 3s: killed at the gate's deadline\)/,
    );
    expect(r.stdout).toMatch(/skipped\s+start crm-app/);
    // Nothing is left running on the host after the gate.
    expect(await onHost('bed-systemd', "pgrep -x sleep -a | grep -c ' 40$' || true")).toBe('0\n');
    resetBed('bed-systemd', 'bed-sysv');
  });

  it('a tcp gate names the refused connection', async () => {
    resetBed('bed-systemd');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running', health: { tcp: 1, timeout: 2 } } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED\s+start crm-db: health gate did not pass within 2s \(.*Connection refused\)/,
    );
    resetBed('bed-systemd');
  });
});
