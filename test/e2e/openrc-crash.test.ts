import { afterAll, beforeAll, expect, it } from 'vitest';
import { BED_INVENTORY, describeBed, onHost, playbookOf, resetBed, runstate } from './helpers/bed.js';

const INV = BED_INVENTORY;
const crmDb = (state: 'running' | 'stopped') =>
  playbookOf({ 'bed-openrc': { services: { 'crm-db': { state }, 'crm-app': { state: 'stopped' } } } });

/** Starts crm-db with OpenRC, then kills its process behind OpenRC's back: rc-service still says started. */
async function crash(): Promise<void> {
  await onHost(
    'bed-openrc',
    'rc-service crm-db start >/dev/null 2>&1; kill -9 "$(cat /run/crm-db.pid)"; sleep 0.5',
  );
  // The platform's own view, which runstate must see through.
  expect(await onHost('bed-openrc', 'rc-service crm-db status; echo "exit $?"')).toMatch(
    /status: started\s+exit 0/,
  );
}

// Debian's OpenRC records no daemons, so a service whose process died still reads "started".
describeBed('a crashed OpenRC service', () => {
  beforeAll(() => resetBed('bed-openrc'));
  afterAll(async () => {
    await onHost('bed-openrc', 'rc-service crm-db zap >/dev/null 2>&1 || true');
    resetBed('bed-openrc');
  });

  it('is failed (crashed) to facts, drift and plan, and state: stopped zaps it', async () => {
    await crash();
    const facts = JSON.parse(
      (await runstate(['facts', '-i', INV, crmDb('running'), '--format', 'json'])).stdout,
    );
    expect(facts.hosts['bed-openrc'].services['crm-db']).toMatchObject({ active: 'failed', crashed: true });

    const drift = await runstate(['drift', '-i', INV, crmDb('running')]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(
      /crm-db state\s+observed failed \(crashed; still recorded as started\), want running/,
    );
    const stoppedDrift = await runstate(['drift', '-i', INV, crmDb('stopped')]);
    expect(stoppedDrift.code).toBe(2);

    const plan = await runstate(['plan', '-i', INV, crmDb('stopped')]);
    expect(plan.stdout).toMatch(
      /stop\s+crm-db\s+\(observed crashed \(its manager still records it as started\), want stopped\)/,
    );
    const dry = await runstate(['apply', '-i', INV, crmDb('stopped'), '--dry-run']);
    expect(dry.stdout).toContain('bed-openrc: rc-service crm-db zap');

    const stop = await runstate(['apply', '-i', INV, crmDb('stopped'), '--yes']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/ok\s+stop crm-db/);
    expect(await onHost('bed-openrc', 'rc-service crm-db status; echo "exit $?"')).toMatch(
      /status: stopped\s+exit 3/,
    );
    const again = await runstate(['apply', '-i', INV, crmDb('stopped'), '--yes']);
    expect(again.stdout).toContain('0 changes.');
    expect((await runstate(['drift', '-i', INV, crmDb('stopped')])).code).toBe(0);
  });

  it('state: running resets the record and starts it again; verify-after-start sees the truth', async () => {
    await crash();
    const dry = await runstate(['apply', '-i', INV, crmDb('running'), '--dry-run']);
    expect(dry.stdout).toMatch(/bed-openrc: rc-service crm-db zap\n\s+bed-openrc: rc-service crm-db start/);
    const start = await runstate(['apply', '-i', INV, crmDb('running'), '--yes']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/ok\s+start crm-db/);
    expect((await runstate(['drift', '-i', INV, crmDb('running')])).code).toBe(0);
    await onHost('bed-openrc', 'rc-service crm-db stop >/dev/null 2>&1');
  });

  it('crm-flaky, which dies on its own right after starting, is a failed start', async () => {
    const pb = playbookOf({ 'bed-openrc': { services: { 'crm-flaky': { state: 'running' } } } });
    const r = await runstate(['apply', '-i', INV, pb, '--yes', '--settle', '3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED\s+start crm-flaky: crm-flaky was started but is failed \(status: started, but the process of its pidfile is gone \(crashed\)/,
    );
    await onHost('bed-openrc', 'rc-service crm-flaky zap >/dev/null 2>&1 || true');
  });
});
