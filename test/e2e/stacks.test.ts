import { afterAll, expect, it } from 'vitest';
import { BED_INVENTORY, describeBed, events, playbookOf, resetBed, runstate } from './helpers/bed.js';

const INV = BED_INVENTORY;
const HOSTS = ['bed-systemd', 'bed-sysv', 'bed-openrc', 'bed-supervisord'] as const;

/** Stack "billing": a database that cannot start (crm-broken) and an app; stack "crm": both fine. */
function fleet(withStacks: boolean): string {
  const stack = (name: string) => (withStacks ? { stack: name } : {});
  return playbookOf({
    'bed-sysv': { ...stack('billing'), services: { 'crm-broken': { state: 'running', tier: 'database' } } },
    'bed-openrc': { ...stack('billing'), services: { 'crm-app': { state: 'running', tier: 'app' } } },
    'bed-systemd': { ...stack('crm'), services: { 'crm-db': { state: 'running', tier: 'database' } } },
    'bed-supervisord': { ...stack('crm'), services: { 'crm-app': { state: 'running', tier: 'app' } } },
  });
}

afterAll(() => resetBed(...HOSTS));

describeBed('stacks: tiers order services within a stack', () => {
  it('without stacks, every app start waits for every database start of the fleet', async () => {
    resetBed(...HOSTS);
    const r = await runstate(['plan', '-i', INV, fleet(false), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { steps: { id: string; after: string[] }[]; stacks?: unknown };
    expect(plan.stacks).toBeUndefined();
    const app = plan.steps.find((s) => s.id === 'bed-supervisord/start/crm-app');
    expect(app?.after).toContain('bed-sysv/start/crm-broken');
  });

  it('a failing database start in one stack does not skip the other stack’s app start', async () => {
    resetBed(...HOSTS);
    const pb = fleet(true);
    const shown = await runstate(['plan', '-i', INV, pb]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/stack billing: bed-openrc, bed-sysv/);
    expect(shown.stdout).toMatch(/stack crm: bed-supervisord, bed-systemd/);

    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAILED\s+start crm-broken/);
    expect(r.stdout).toMatch(
      /skipped\s+start crm-app \(because bed-sysv\/start\/crm-broken did not succeed\)/,
    );
    expect(r.stdout).toMatch(/Summary: 2 ok, 1 failed, 1 skipped, 0 unreachable/);
    expect((await events('bed-systemd')).map((e) => `${e.service} ${e.what}`)).toEqual(['crm-db start']);
    expect((await events('bed-supervisord')).map((e) => `${e.service} ${e.what}`)).toEqual(['crm-app start']);
    expect(await events('bed-openrc')).toEqual([]);

    // Second run: the crm stack is converged; billing fails the same way and still skips its app.
    const again = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/Summary: 0 ok, 1 failed, 1 skipped, 0 unreachable/);
    expect((await events('bed-supervisord')).map((e) => `${e.service} ${e.what}`)).toEqual(['crm-app start']);
  });
});
