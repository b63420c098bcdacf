import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BED_INVENTORY,
  describeBed,
  freshStateHome,
  onHost,
  resetBed,
  runstate,
  tempPlaybook,
  waitFor,
} from './helpers/bed.js';

/*
 * systemd user units (issue 12) on the bed's systemd host: `user: rs-alice` services live in
 * rs-alice's own manager (user@UID.service, kept up by lingering), observed in the same round
 * trip as the system units and changed with `runuser -u rs-alice -- env XDG_RUNTIME_DIR=… systemctl
 * --user`. rs-bob has a unit but no lingering, so no manager: his unit is blocked with the
 * enable-linger hint. beforeAll makes both users, their unit files and rs-alice's lingering;
 * afterAll stops rs-alice's manager and removes both users, so the shared bed ends as it was.
 */

const INV = BED_INVENTORY;
const ALICE = 'rs-alice';
const BOB = 'rs-bob';
// Outside the bed's crm_ports (18101-18111 on this host); user units may bind unprivileged ports.
const WEB_PORT = 18191;
const CLOSED_PORT = 18192;

const UNIT = (description: string, exec: string, install = 'WantedBy=default.target') =>
  `[Unit]\nDescription=runstate e2e: ${description}\n[Service]\nExecStart=${exec}\n[Install]\n${install}\n`;

const UNITS: Record<string, string> = {
  'ru-web': UNIT('user web', `/bin/busybox httpd -f -p 127.0.0.1:${WEB_PORT} -h /tmp`),
  'ru-worker': UNIT('user worker', '/bin/sleep infinity'),
  'ru-sync': UNIT('user sync', '/bin/sleep infinity'),
  'ru-gated': UNIT('user gated', '/bin/sleep infinity'),
  'ru-after': UNIT('user after gated', '/bin/sleep infinity'),
};

/** sh that writes a user's unit files into ~/.config/systemd/user, owned by that user. */
function writeUnits(user: string, units: Record<string, string>): string {
  const dir = `/home/${user}/.config/systemd/user`;
  return [
    `mkdir -p ${dir}`,
    ...Object.entries(units).map(([name, text]) => `printf '%s' '${text}' > ${dir}/${name}.service`),
    `chown -R ${user}: /home/${user}/.config`,
  ].join('\n');
}

/** The user's own systemctl, as the test's independent eyes (runuser, like runstate). */
const asUser = (user: string, args: string) =>
  `runuser -u ${user} -- env XDG_RUNTIME_DIR=/run/user/$(id -u ${user}) systemctl --user ${args}`;

const alice = (args: string) => onHost('bed-systemd', asUser(ALICE, args)).then((s) => s.trim());
/** is-active / is-enabled exit non-zero for inactive / disabled: read the word, not the code. */
const aliceSays = (args: string) =>
  onHost('bed-systemd', `${asUser(ALICE, args)} || true`).then((s) => s.trim().split('\n'));

const apply = (pb: string) => runstate(['apply', '-i', INV, pb, '--yes']);

const MAIN = tempPlaybook(`version: 1
hosts:
  bed-systemd:
    services:
      crm-db:
        state: running
        tier: database
      ru-web:
        user: ${ALICE}
        state: running
        tier: app
        requires: [crm-db]
        health: { tcp: ${WEB_PORT}, timeout: 10 }
      ru-worker:
        user: ${ALICE}
        state: stopped
      ru-sync:
        user: ${ALICE}
        state: running
        enabled: true
`);

const GATED = tempPlaybook(`version: 1
hosts:
  bed-systemd:
    services:
      ru-gated:
        user: ${ALICE}
        state: running
        health: { tcp: ${CLOSED_PORT}, timeout: 3 }
      ru-after:
        user: ${ALICE}
        state: running
        requires: [ru-gated]
`);

const NO_LINGER = tempPlaybook(`version: 1
hosts:
  bed-systemd:
    services:
      ru-bob:
        user: ${BOB}
        state: running
        enabled: true
      crm-app:
        state: running
`);

describeBed('systemd user units on a real host (issue 12)', () => {
  beforeAll(async () => {
    resetBed('bed-systemd');
    await onHost(
      'bed-systemd',
      [
        `useradd -m -s /bin/sh ${ALICE}`,
        `useradd -m -s /bin/sh ${BOB}`,
        writeUnits(ALICE, UNITS),
        writeUnits(BOB, { 'ru-bob': UNIT('bob', '/bin/sleep infinity') }),
        `loginctl enable-linger ${ALICE}`,
      ].join('\n'),
    );
    // Lingering starts rs-alice's manager; it answers once its private socket is there.
    await waitFor(
      `${ALICE}'s user manager`,
      async () =>
        (
          await onHost(
            'bed-systemd',
            `test -S /run/user/$(id -u ${ALICE})/systemd/private && echo up || true`,
          )
        ).trim() === 'up',
    );
    await alice('daemon-reload');
    await alice('start ru-worker');
  }, 60_000);

  afterAll(async () => {
    await onHost(
      'bed-systemd',
      [
        `uid=$(id -u ${ALICE}) && { loginctl disable-linger ${ALICE}; systemctl stop user@$uid.service; }`,
        `for u in ${ALICE} ${BOB}; do id -u $u >/dev/null 2>&1 && userdel -r $u 2>/dev/null; done`,
        'rm -f /var/lib/systemd/linger/rs-alice /var/lib/systemd/linger/rs-bob',
        'systemctl reset-failed',
        'true',
      ].join('\n'),
    );
    resetBed('bed-systemd');
  }, 60_000);

  it("observes a user's units in that user's manager, beside a system unit", async () => {
    const r = await runstate(['facts', '-i', INV, MAIN, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const services = JSON.parse(r.stdout).hosts['bed-systemd'].services;
    expect(services['ru-worker']).toMatchObject({ user: ALICE, active: 'active', enabled: 'disabled' });
    expect(services['ru-web']).toMatchObject({ user: ALICE, active: 'inactive', unit: 'ru-web.service' });
    expect(services['crm-db']).toMatchObject({ active: 'inactive' });
    expect(services['crm-db'].user).toBeUndefined();
  });

  it('apply starts, stops and enables user units (and a system unit), then a second apply changes nothing', async () => {
    const p = await runstate(['plan', '-i', INV, MAIN]);
    expect(p.stdout).toMatch(/start\s+ru-web \(user rs-alice\)/);
    expect(p.stdout).toMatch(/stop\s+ru-worker \(user rs-alice\)/);
    expect(p.stdout).toMatch(/enable\s+ru-sync \(user rs-alice\)/);

    const r = await apply(MAIN);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`runuser -u ${ALICE} -- env XDG_RUNTIME_DIR=/run/user/`);
    expect(await aliceSays('is-active ru-web ru-worker ru-sync')).toEqual(['active', 'inactive', 'active']);
    expect(await aliceSays('is-enabled ru-sync')).toEqual(['enabled']);
    // The system unit of the playbook ran as root's system unit; none of alice's is a system unit.
    expect((await onHost('bed-systemd', 'systemctl is-active crm-db')).trim()).toBe('active');
    expect((await onHost('bed-systemd', 'systemctl show -p LoadState --value ru-web')).trim()).toBe(
      'not-found',
    );

    const again = await apply(MAIN);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it("drift made by hand in alice's manager is reported, and apply heals it", async () => {
    await alice('stop ru-web');
    await alice('disable ru-sync');
    await alice('start ru-worker');
    const drift = await runstate(['drift', '-i', INV, MAIN]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toMatch(/ru-web\s+state\s+observed inactive, want running/);
    expect(drift.stdout).toMatch(/ru-sync\s+enabled\s+observed disabled, want enabled/);
    expect(drift.stdout).toMatch(/ru-worker\s+state\s+observed active, want stopped/);

    // Healed through a saved plan: apply --plan observes the same users' managers again.
    const saved = `${freshStateHome()}/plan.json`;
    const p = await runstate(['plan', '-i', INV, MAIN, '--out', saved]);
    expect(p.code, p.stderr).toBe(0);
    const heal = await runstate(['apply', '-i', INV, '--plan', saved, '--yes']);
    expect(heal.code, heal.stdout + heal.stderr).toBe(0);
    expect(heal.stdout).toMatch(/Summary: 3 ok, 0 failed/);
    expect(await aliceSays('is-active ru-web ru-worker')).toEqual(['active', 'inactive']);
    const clean = await runstate(['drift', '-i', INV, MAIN]);
    expect(clean.code, clean.stdout).toBe(0);
  });

  it('a failing health gate on a user unit holds back what requires it, on every run', async () => {
    const r = await apply(GATED);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).toContain(String(CLOSED_PORT));
    expect(await aliceSays('is-active ru-after')).toEqual(['inactive']);

    const again = await apply(GATED);
    expect(again.code, again.stdout + again.stderr).toBe(3);
    expect(again.stdout + again.stderr).toMatch(/waiting on unhealthy requirement bed-systemd:ru-gated/);
    expect(await aliceSays('is-active ru-after')).toEqual(['inactive']);
  });

  it('a user without lingering has no manager: blocked with the enable-linger hint, the rest applied', async () => {
    const p = await runstate(['plan', '-i', INV, NO_LINGER]);
    expect(p.code, p.stdout + p.stderr).toBe(3);
    expect(p.stdout).toContain(
      `bed-systemd:ru-bob: cannot observe ru-bob on bed-systemd: ${BOB}'s systemd user manager`,
    );
    expect(p.stdout).toContain(`loginctl enable-linger ${BOB}`);
    expect(p.stdout).toMatch(/start\s+crm-app/);

    const r = await apply(NO_LINGER);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect((await onHost('bed-systemd', 'systemctl is-active crm-app')).trim()).toBe('active');
    // Nothing started bob's manager behind his back.
    const bobs = await onHost(
      'bed-systemd',
      `test -S /run/user/$(id -u ${BOB})/systemd/private && echo up || echo none`,
    );
    expect(bobs.trim()).toBe('none');
  });
});
