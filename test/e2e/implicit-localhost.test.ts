import { expect, it } from 'vitest';
import type { ObservedSnapshot } from '../../src/model/observed.js';
import { BED_INVENTORY, describeBed, runstate, tempPlaybook } from './helpers/bed.js';

/**
 * Ansible's implicit localhost on the bed's own inventory, which does not define it: named, it is
 * this machine over a local connection (no SSH); `all` does not reach it. Read-only: `facts` and
 * `plan` observe, nothing is changed here or on the bed.
 */
describeBed('the implicit localhost beside the bed hosts', () => {
  const hostsOf = (stdout: string) => Object.keys((JSON.parse(stdout) as ObservedSnapshot).hosts).sort();

  it('--limit localhost,bed-systemd observes both; --limit all only the bed hosts', async () => {
    const both = await runstate([
      'facts',
      '-i',
      BED_INVENTORY,
      '--limit',
      'localhost,bed-systemd',
      '--format',
      'json',
    ]);
    expect(both.stderr).toBe('');
    expect(both.code).toBe(0);
    expect(hostsOf(both.stdout)).toEqual(['bed-systemd', 'localhost']);
    const snapshot = JSON.parse(both.stdout) as ObservedSnapshot;
    expect(snapshot.hosts.localhost?.status).toBe('ok');
    const all = await runstate(['facts', '-i', BED_INVENTORY, '--limit', 'all', '--format', 'json']);
    expect(all.code).toBe(0);
    expect(hostsOf(all.stdout)).toEqual(['bed-openrc', 'bed-supervisord', 'bed-systemd', 'bed-sysv']);
  });

  it("a playbook's localhost is planned; its all: layer is not applied to it", async () => {
    const pb = tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  all:',
        '    services:',
        '      runstate-no-such-unit-all: { state: stopped }',
        '  localhost:',
        '    services:',
        '      runstate-no-such-unit-local: { state: stopped }',
        '',
      ].join('\n'),
    );
    const r = await runstate(['plan', '-i', BED_INVENTORY, pb, '--limit', 'localhost', '--format', 'json']);
    const plan = JSON.parse(r.stdout) as { hosts: Record<string, { services?: string[] }> };
    expect(Object.keys(plan.hosts)).toEqual(['localhost']);
    expect(plan.hosts.localhost?.services).toEqual(['runstate-no-such-unit-local']);
  });
});
