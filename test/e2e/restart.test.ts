import { beforeAll, expect, it } from 'vitest';
import {
  BED_INVENTORY,
  describeBed,
  events,
  onHost,
  resetBed,
  runstate,
  tempPlaybook,
} from './helpers/bed.js';

// restart.on_change on a real SysV host: restart only when the watched file changed since the
// last (re)start that runstate recorded; never twice for one change.
describeBed('restart on change of watched files', () => {
  const playbook = () =>
    tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  bed-sysv:',
        '    services:',
        '      crm-app:',
        '        state: running',
        '        restart: { on_change: [/etc/crm-app.conf] }',
        '',
      ].join('\n'),
    );
  const apply = (pb: string) => runstate(['apply', '-i', BED_INVENTORY, pb, '--yes']);

  beforeAll(async () => {
    resetBed('bed-sysv');
    await onHost('bed-sysv', 'echo port=1 > /etc/crm-app.conf; rm -rf /var/lib/runstate/restart');
  });

  it('starts and records, does nothing while the file is unchanged, restarts once after an edit', async () => {
    const pb = playbook();
    const first = await apply(pb);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ok\s+start crm-app/);

    const second = await apply(pb);
    expect(second.stdout).toContain('0 changes.');

    await onHost('bed-sysv', 'echo port=2 > /etc/crm-app.conf');
    const plan = await runstate(['plan', '-i', BED_INVENTORY, pb]);
    expect(plan.stdout).toMatch(/restart\s+crm-app\s+\(watched files changed since its last \(re\)start\)/);
    const third = await apply(pb);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/ok\s+restart crm-app/);
    const starts = (await events('bed-sysv')).filter((e) => e.service === 'crm-app' && e.what === 'start');
    expect(starts).toHaveLength(2);

    const fourth = await apply(pb);
    expect(fourth.stdout).toContain('0 changes.');
  });
});
