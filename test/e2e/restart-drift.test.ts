import { afterAll, beforeAll, expect, it } from 'vitest';
import { BED_INVENTORY, describeBed, onHost, resetBed, runstate, tempPlaybook } from './helpers/bed.js';

const INV = BED_INVENTORY;

// Plan and drift agree on restart.on_change: a watched file that changed since runstate last
// (re)started the service is drift (field `restart`) exactly when plan would restart it.
describeBed('restart.on_change is drift when plan would restart', () => {
  const pb = () =>
    tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  bed-openrc:',
        '    services:',
        '      crm-proxy:',
        '        state: running',
        '        restart: { on_change: [/etc/crm-proxy.conf] }',
        '',
      ].join('\n'),
    );
  beforeAll(async () => {
    resetBed('bed-openrc');
    await onHost(
      'bed-openrc',
      'echo mode=1 > /etc/crm-proxy.conf; rm -f /var/lib/runstate/restart/crm-proxy.sha256',
    );
  });
  afterAll(async () => {
    await onHost('bed-openrc', 'rm -f /etc/crm-proxy.conf /var/lib/runstate/restart/crm-proxy.sha256');
    resetBed('bed-openrc');
  });

  it('in sync after apply; drift (and a restart in the plan) after an edit; in sync again after apply', async () => {
    const playbook = pb();
    expect((await runstate(['apply', '-i', INV, playbook, '--yes'])).code).toBe(0);
    const clean = await runstate(['drift', '-i', INV, playbook, '--format', 'json']);
    expect(clean.code).toBe(0);
    const items = JSON.parse(clean.stdout).hosts['bed-openrc'].items as { field: string; observed: string }[];
    expect(items.find((i) => i.field === 'restart')).toMatchObject({ observed: 'current' });

    await onHost('bed-openrc', 'echo mode=2 > /etc/crm-proxy.conf');
    const drift = await runstate(['drift', '-i', INV, playbook]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(
      /crm-proxy restart\s+observed watched files changed since its last \(re\)start, want current/,
    );
    const plan = await runstate(['plan', '-i', INV, playbook]);
    expect(plan.stdout).toMatch(/restart\s+crm-proxy/);

    expect((await runstate(['apply', '-i', INV, playbook, '--yes'])).code).toBe(0);
    expect((await runstate(['drift', '-i', INV, playbook])).code).toBe(0);
  });
});
