import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BED_INVENTORY,
  describeBed,
  factsJson,
  inventoryWith,
  onHost,
  playbookOf,
  resetBed,
  restoreRunlevels,
  runstate,
  waitFor,
} from './helpers/bed.js';

/*
 * Issue 12 on real hosts: unit states the parsers used to misread, masked units, changed unit
 * files, init scripts without status, BACKOFF programs, SysV boot defaults and runstate_init.
 * Each converging apply is followed by a second one that has nothing to do. Extra units, scripts
 * and programs are created in beforeAll and removed in afterAll, so the shared bed ends as it was.
 */

const INV = BED_INVENTORY;

interface Facts {
  hosts: Record<
    string,
    {
      detection?: Record<string, string>;
      services: Record<string, { active: string; enabled: string; detail?: string; reloadNeeded?: boolean }>;
    }
  >;
}

const apply = (pb: string, inv = INV) => runstate(['apply', '-i', inv, pb, '--yes']);
const plan = (pb: string, inv = INV) => runstate(['plan', '-i', inv, pb]);

async function seen(pb: string, host: string, service: string) {
  const facts = (await factsJson(pb)) as Facts;
  return facts.hosts[host]?.services[service];
}

const UNIT = (description: string, install: string) =>
  `[Unit]\nDescription=runstate e2e: ${description}\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\n${install}\n`;

const SYSTEMD_SETUP = [
  `printf '%s' '${UNIT('Also= only', 'Also=crm-indirect-helper.service')}' > /etc/systemd/system/crm-indirect.service`,
  `printf '%s' '${UNIT('helper', 'WantedBy=multi-user.target')}' > /etc/systemd/system/crm-indirect-helper.service`,
  `printf '%s' '${UNIT('reload', 'WantedBy=multi-user.target')}' > /etc/systemd/system/crm-reload.service`,
  'systemctl daemon-reload',
].join('\n');

const SYSTEMD_UNDO = [
  'systemctl stop crm-reload crm-indirect crm-indirect-helper 2>/dev/null',
  'systemctl disable --runtime --quiet crm-app 2>/dev/null',
  'systemctl unmask --runtime --quiet crm-main crm-rtmask 2>/dev/null',
  'systemctl disable --now --quiet crm-rtmask 2>/dev/null',
  'rm -f /usr/local/lib/systemd/system/crm-rtmask.service',
  'rm -f /etc/systemd/system/crm-indirect.service /etc/systemd/system/crm-indirect-helper.service /etc/systemd/system/crm-reload.service',
  'rm -f /etc/systemd/system/*.wants/crm-indirect*.service /etc/systemd/system/*.wants/crm-reload.service',
  'systemctl daemon-reload',
].join('\n');

/** An init script that implements only start and stop, and logs every call it gets. */
const NOSTATUS = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          crm-nostatus
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
### END INIT INFO
echo "$1" >> /run/crm-nostatus.calls
case "$1" in
  start|stop) ;;
  *) echo "Usage: $0 {start|stop}" >&2; exit 1 ;;
esac
exit 0
`;

/** A program that exits at once and is retried for a long time: BACKOFF / STARTING, never RUNNING. */
const BACKOFF = `[program:crm-backoff]
command=/bin/false
autostart=true
startsecs=5
startretries=100000
`;

describeBed('what runstate believes about real hosts (issue 12)', () => {
  beforeAll(async () => {
    resetBed('bed-systemd', 'bed-sysv', 'bed-supervisord');
    await onHost('bed-systemd', SYSTEMD_SETUP);
    await onHost(
      'bed-sysv',
      `cat > /etc/init.d/crm-nostatus <<'EOF'\n${NOSTATUS}EOF\nchmod 755 /etc/init.d/crm-nostatus; rm -f /run/crm-nostatus.calls`,
    );
  });

  afterAll(async () => {
    await onHost('bed-systemd', SYSTEMD_UNDO);
    await onHost(
      'bed-sysv',
      'update-rc.d crm-nostatus remove >/dev/null 2>&1; rm -f /etc/init.d/crm-nostatus /run/crm-nostatus.calls',
    );
    await onHost(
      'bed-supervisord',
      'rm -f /etc/supervisor/conf.d/crm-backoff.conf; supervisorctl reread >/dev/null; supervisorctl update >/dev/null',
    );
    await restoreRunlevels();
    resetBed('bed-systemd', 'bed-sysv', 'bed-supervisord');
  });

  it('systemd enabled-runtime is not enabled at boot: drift says so, apply enables, then nothing to do', async () => {
    await onHost('bed-systemd', 'systemctl enable --runtime --quiet crm-app');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-app': { state: 'stopped', enabled: true } } },
    });
    expect(await seen(pb, 'bed-systemd', 'crm-app')).toMatchObject({
      enabled: 'disabled',
      detail: expect.stringContaining('enabled-runtime'),
    });
    const drift = await runstate(['drift', '-i', INV, pb]);
    expect(drift.code, drift.stdout).toBe(2);
    expect(drift.stdout).toMatch(/crm-app\s+enabled\s+observed disabled, want enabled/);

    const r = await apply(pb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enable\s+crm-app/);
    expect((await onHost('bed-systemd', 'systemctl is-enabled crm-app')).trim()).toBe('enabled');
    const again = await apply(pb);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 changes');
  });

  it('a unit masked only in /run (mask --runtime): warned, unmasked in one pass, then nothing to do', async () => {
    // A /run mask hides only units below /run in the search path: a unit file in /etc wins over it
    // (systemd still runs it), so crm-main stays what it is. The vendor-dir unit is masked.
    await onHost(
      'bed-systemd',
      [
        'mkdir -p /usr/local/lib/systemd/system',
        `printf '%s' '${UNIT('runtime mask', 'WantedBy=multi-user.target')}' > /usr/local/lib/systemd/system/crm-rtmask.service`,
        'systemctl daemon-reload',
        'systemctl mask --runtime --quiet crm-main crm-rtmask',
      ].join('\n'),
    );
    const pb = playbookOf({
      'bed-systemd': {
        services: { 'crm-rtmask': { state: 'running', enabled: true }, 'crm-main': { state: 'stopped' } },
      },
    });
    expect(await seen(pb, 'bed-systemd', 'crm-main')).toMatchObject({ enabled: 'disabled' });
    expect(await seen(pb, 'bed-systemd', 'crm-rtmask')).toMatchObject({
      enabled: 'masked',
      detail: expect.stringContaining('masked-runtime'),
    });
    const p = await plan(pb);
    expect(p.stderr).toContain('it is masked only in /run: the mask is gone at reboot');
    const r = await apply(pb);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const order = ['unmask', 'enable', 'start'].map((k) => r.stdout.search(new RegExp(`${k}\\s+crm-rtmask`)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(
      (await onHost('bed-systemd', 'systemctl is-enabled crm-rtmask; systemctl is-active crm-rtmask')).trim(),
    ).toBe('enabled\nactive');
    const again = await apply(pb);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 changes');
  });

  it('systemd indirect (Also= only): enabled: false is in sync, enabled: true enables, then nothing to do', async () => {
    const off = playbookOf({
      'bed-systemd': { services: { 'crm-indirect': { state: 'stopped', enabled: false } } },
    });
    const p = await plan(off);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('No changes');
    expect(p.stderr).not.toContain('static');

    const on = playbookOf({
      'bed-systemd': { services: { 'crm-indirect': { state: 'stopped', enabled: true } } },
    });
    const r = await apply(on);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enable\s+crm-indirect/);
    expect((await onHost('bed-systemd', 'systemctl is-enabled crm-indirect-helper')).trim()).toBe('enabled');
    const again = await apply(on);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 changes');
  });

  it('a masked unit converges in one pass: unmask → enable → start; then stop → mask', async () => {
    const up = playbookOf({
      'bed-systemd': { services: { 'crm-masked': { state: 'running', enabled: true } } },
    });
    const r = await apply(up);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const order = ['unmask', 'enable', 'start'].map((k) => r.stdout.search(new RegExp(`${k}\\s+crm-masked`)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect((await onHost('bed-systemd', 'systemctl is-active crm-masked')).trim()).toBe('active');
    expect((await apply(up)).stdout).toContain('0 changes');

    const down = playbookOf({
      'bed-systemd': { services: { 'crm-masked': { state: 'stopped', masked: true } } },
    });
    const d = await apply(down);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout.search(/stop\s+crm-masked/)).toBeLessThan(d.stdout.search(/mask\s+crm-masked/));
    expect((await onHost('bed-systemd', 'systemctl is-enabled crm-masked || true')).trim()).toBe('masked');
    expect((await apply(down)).stdout).toContain('0 changes');
  });

  it('a unit file changed on disk: one daemon-reload first, with the reason; then nothing to do', async () => {
    await onHost(
      'bed-systemd',
      "systemctl start crm-reload && echo '# changed' >> /etc/systemd/system/crm-reload.service",
    );
    const pb = playbookOf({ 'bed-systemd': { services: { 'crm-reload': { state: 'running' } } } });
    expect(await seen(pb, 'bed-systemd', 'crm-reload')).toMatchObject({
      active: 'active',
      reloadNeeded: true,
    });
    const p = await plan(pb);
    expect(p.stdout).toMatch(
      /daemon-reload\s+systemd\s+\(changed on disk since systemd loaded it: crm-reload\.service\)/,
    );
    const r = await apply(pb);
    expect(r.code, r.stderr).toBe(0);
    expect((await onHost('bed-systemd', 'systemctl show -p NeedDaemonReload crm-reload')).trim()).toBe(
      'NeedDaemonReload=no',
    );
    expect((await apply(pb)).stdout).toContain('0 changes');
  });

  it('a SysV script without status is unknown, saying why, and is never asked for status', async () => {
    const pb = playbookOf({
      'bed-sysv': { services: { 'crm-nostatus': { state: 'stopped', enabled: true } } },
    });
    expect(await seen(pb, 'bed-sysv', 'crm-nostatus')).toMatchObject({
      active: 'unknown',
      detail: expect.stringContaining('the init script has no status action'),
    });
    const r = await apply(pb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enable\s+crm-nostatus/);
    expect((await apply(pb)).stdout).toContain('0 changes');
    const calls = await onHost('bed-sysv', 'cat /run/crm-nostatus.calls 2>/dev/null || true');
    expect(calls).not.toContain('status');
  });

  it('a supervisord program in BACKOFF is on its way up: state: stopped stops it, then nothing to do', async () => {
    await onHost(
      'bed-supervisord',
      `printf '%s' '${BACKOFF}' > /etc/supervisor/conf.d/crm-backoff.conf; supervisorctl reread >/dev/null; supervisorctl update >/dev/null`,
    );
    await waitFor('crm-backoff retried by supervisord', async () =>
      /BACKOFF|STARTING/.test(await onHost('bed-supervisord', 'supervisorctl status crm-backoff || true')),
    );
    const pb = playbookOf({ 'bed-supervisord': { services: { 'crm-backoff': { state: 'stopped' } } } });
    expect((await seen(pb, 'bed-supervisord', 'crm-backoff'))?.active).toBe('activating');
    const r = await apply(pb);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stop\s+crm-backoff/);
    expect(await onHost('bed-supervisord', 'supervisorctl status crm-backoff || true')).toMatch(/STOPPED/);
    expect((await apply(pb)).stdout).toContain('0 changes');
  });

  it('SysV boot default: inittab initdefault is compared and set, then nothing to do', async () => {
    await onHost('bed-sysv', "sed -i 's/^id:[0-6]:initdefault:/id:3:initdefault:/' /etc/inittab");
    try {
      const pb = playbookOf({ 'bed-sysv': { runlevel: 2 } });
      const drift = await runstate(['drift', '-i', INV, pb]);
      expect(drift.code, drift.stdout).toBe(2);
      expect(drift.stdout).toMatch(/default-runlevel\s+observed 3, want 2/);
      const r = await apply(pb);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/set-default-runlevel\s+2/);
      expect((await onHost('bed-sysv', "grep ':initdefault:' /etc/inittab")).trim()).toBe(
        'id:2:initdefault:',
      );
      expect((await apply(pb)).stdout).toContain('0 changes');
    } finally {
      await onHost('bed-sysv', "sed -i 's/^id:[0-6]:initdefault:/id:2:initdefault:/' /etc/inittab");
    }
  });

  it('facts say how the init was detected; runstate_init in the inventory overrides detection', async () => {
    const pb = playbookOf({ 'bed-sysv': { services: { 'crm-db': { state: 'stopped' } } } });
    const facts = (await factsJson(pb)) as Facts;
    expect(facts.hosts['bed-sysv']?.detection).toEqual({ sysv: '/etc/init.d and runlevel present' });
    const text = await runstate(['facts', '-i', INV, pb]);
    expect(text.stdout).toContain('sysv detected: /etc/init.d and runlevel present');

    const forced = inventoryWith((t) => t.replace(/(\n(\s+)bed-sysv:\n)/, '$1$2  runstate_init: sysv\n'));
    const f = await runstate(['facts', '-i', forced, pb, '--format', 'json']);
    expect(f.code, f.stderr).toBe(0);
    const got = (JSON.parse(f.stdout) as Facts).hosts['bed-sysv'];
    expect(got?.detection).toEqual({ sysv: 'inventory runstate_init=sysv' });
    expect(got?.services['crm-db']?.active).toBe('inactive');
    expect((await plan(pb, forced)).stdout).toContain('bed-sysv   sysv: inventory runstate_init=sysv');

    const wrong = inventoryWith((t) => t.replace(/(\n(\s+)bed-sysv:\n)/, '$1$2  runstate_init: runit\n'));
    const bad = await runstate(['plan', '-i', wrong, pb]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/runstate_init/);
  });
});
