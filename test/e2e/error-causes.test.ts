import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BED_INVENTORY,
  describeBed,
  inventoryWith,
  onHost,
  playbookOf,
  resetBed,
  runstate,
  tempPlaybook,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
/** An unprivileged user whose sudo asks for a password (no NOPASSWD), made for this test only. */
const PW_USER = 'rs-pwsudo';

/** The bed inventory with `vars` added under one host (by its ansible_port line). */
function inventoryFor(port: number, vars: Record<string, string | boolean>): string {
  const lines = Object.entries(vars).map(
    ([k, v]) => `          ${k}: ${typeof v === 'string' ? `'${v}'` : v}`,
  );
  return inventoryWith((text) =>
    text.replace(
      `          ansible_port: ${port}\n`,
      `          ansible_port: ${port}\n${lines.join('\n')}\n`,
    ),
  );
}

// Errors that name the real cause, on real hosts.
describeBed('errors that name the real cause', () => {
  beforeAll(async () => {
    resetBed('bed-sysv', 'bed-supervisord');
    await onHost(
      'bed-sysv',
      [
        `id ${PW_USER} >/dev/null 2>&1 || useradd -m -s /bin/sh ${PW_USER}`,
        // A password nobody knows (made now, never stored): sudo has one to ask for, and -n cannot give it.
        `echo '${PW_USER}:${randomBytes(12).toString('hex')}' | chpasswd`,
        `install -d -m 700 -o ${PW_USER} -g ${PW_USER} /home/${PW_USER}/.ssh`,
        `install -m 600 -o ${PW_USER} -g ${PW_USER} /root/.ssh/authorized_keys /home/${PW_USER}/.ssh/authorized_keys`,
        `echo '${PW_USER} ALL=(ALL) ALL' > /etc/sudoers.d/rs-pwsudo-test`,
        'chmod 440 /etc/sudoers.d/rs-pwsudo-test',
      ].join(' && '),
    );
  });
  afterAll(async () => {
    await onHost('bed-sysv', `rm -f /etc/sudoers.d/rs-pwsudo-test; userdel -r ${PW_USER} 2>/dev/null; true`);
  });

  it('sudo that needs a password while observing says so', async () => {
    const inv = inventoryFor(2222, { ansible_user: PW_USER, ansible_become: true });
    const pb = playbookOf({ 'bed-sysv': { services: { 'crm-app': { state: 'running' } } } });
    const facts = await runstate(['facts', '-i', inv, pb, '--limit', 'bed-sysv']);
    expect(facts.code).toBe(3);
    expect(facts.stdout + facts.stderr).toMatch(/sudo on bed-sysv needs a password; give the user NOPASSWD/);
    expect(facts.stdout + facts.stderr).not.toMatch(/printed nothing runstate could read/);
    const plan = await runstate(['plan', '-i', inv, pb, '--limit', 'bed-sysv']);
    expect(plan.stdout + plan.stderr).toMatch(/sudo on bed-sysv needs a password/);
  });

  it("a user who cannot use supervisord's socket is told so, not that the program is missing", async () => {
    const inv = inventoryFor(2224, { ansible_user: 'deploy' });
    const pb = playbookOf({ 'bed-supervisord': { services: { 'crm-main': { state: 'running' } } } });
    const r = await runstate(['plan', '-i', inv, pb]);
    // A host's problem blocks what it touches (exit 3), it does not refuse the run.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /blocked: bed-supervisord:crm-main: cannot observe crm-main on bed-supervisord: permission denied on supervisord's socket; connect as root, set become: true/,
    );
    expect(r.stderr).not.toMatch(/not found/);
    const drift = await runstate(['drift', '-i', inv, pb]);
    expect(drift.stdout).toMatch(
      /crm-main state\s+observed unknown \(permission denied on supervisord's socket.*\), want running/,
    );
  });

  it('a service missing from an --observed snapshot is "not in the snapshot"', async () => {
    const taken = playbookOf({ 'bed-sysv': { services: { 'crm-app': { state: 'running' } } } });
    const snap = await runstate(['facts', '-i', INV, taken, '--format', 'json']);
    expect(snap.code).toBe(0);
    const file = tempPlaybook('').replace(/playbook\.yml$/, 'snapshot.json');
    writeFileSync(file, snap.stdout);
    const wider = playbookOf({
      'bed-sysv': { services: { 'crm-app': { state: 'running' }, 'crm-db': { state: 'running' } } },
    });
    const r = await runstate(['plan', '-i', INV, wider, '--observed', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /blocked: bed-sysv:crm-db: service crm-db is not in the snapshot of bed-sysv; take the snapshot with this playbook/,
    );
    expect(r.stderr).not.toMatch(/not found on/);
  });
});
