import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  currentLevel,
  defaultLevel,
  HAS_STATUS_ACTIONS,
  linksByService,
  lsbStatus,
  sysvDriver,
} from '../../../src/drivers/sysv.js';
import { fixture } from './fixture.js';

const byName = (output: string, services: string[]) =>
  Object.fromEntries(sysvDriver.parse(output, services).services.map((s) => [s.name, s]));

describe('LSB status codes', () => {
  it('0 running, 1/2 dead with pid/lock file, 3 not running, 4 unknown (distinct)', () => {
    expect(lsbStatus('0').active).toBe('active');
    expect(lsbStatus('1').active).toBe('failed');
    expect(lsbStatus('2').active).toBe('failed');
    expect(lsbStatus('3').active).toBe('inactive');
    expect(lsbStatus('4')).toEqual({ active: 'unknown', detail: 'LSB 4: status unknown' });
    expect(lsbStatus('124')).toEqual({ active: 'unknown', detail: 'status timed out' });
    // The observe script's bound is `timeout -s KILL`: a status call ended by it exits 137.
    expect(lsbStatus('137')).toMatchObject({
      active: 'unknown',
      detail: expect.stringMatching(/^status timed out/),
    });
    expect(lsbStatus('150').detail).toBe('status exit 150: not an LSB status code');
  });
});

describe('sysv parse, captured on Debian 12 (sysv-rc links, PID 1 not init)', () => {
  const services = ['ssh', 'dbus', 'postgresql', 'procps', 'hwclock.sh', 'x11-common', 'nosuch'];
  const out = fixture('sysv/fragment-debian-bookworm.txt');
  const got = byName(out, services);

  it('reads LSB codes, S links and the tool', () => {
    expect(got.ssh).toMatchObject({
      manager: 'sysv',
      active: 'inactive',
      enabled: 'enabled',
      tool: 'update-rc.d',
      runlevels: ['2', '3', '4', '5'],
      detail: 'LSB 3: not running; start links in 2 3 4 5 (update-rc.d)',
    });
    expect(got.procps).toMatchObject({ active: 'active', enabled: 'enabled', runlevels: ['S'] });
    expect(got['x11-common']).toMatchObject({ active: 'unknown', detail: expect.stringMatching(/^LSB 4/) });
    expect(got['hwclock.sh']).toMatchObject({ active: 'failed' });
  });

  it('a missing init script is not-found', () => {
    expect(got.nosuch).toMatchObject({ active: 'not-found', enabled: 'not-found' });
  });

  it('no utmp record and no inittab: no runlevel', () => {
    expect(sysvDriver.parse(out, []).runlevel).toEqual({ current: undefined, default: undefined });
  });
});

describe('sysv parse, RHEL 6 style (chkconfig, runlevel 3)', () => {
  const services = [
    'crm-db',
    'crm-app',
    'crm-cache',
    'crm-hung',
    'sshd',
    'crm-noexec',
    'nosuch',
    'crm-unlisted',
  ];
  const out = fixture('sysv/fragment-rhel6-chkconfig.txt');
  const got = byName(out, services);

  it('enabled means an S link in the current runlevel', () => {
    expect(got['crm-db']).toMatchObject({ active: 'active', enabled: 'enabled', tool: 'chkconfig' });
    // S85 only in rc5.d while the host runs level 3
    expect(got['crm-app']).toMatchObject({ active: 'failed', enabled: 'disabled', runlevels: ['5'] });
    expect(got.sshd).toMatchObject({ active: 'inactive', enabled: 'enabled' });
  });

  it('LSB 4, a timeout and a non-executable script are unknown; no status line is unknown', () => {
    expect(got['crm-cache']).toMatchObject({ active: 'unknown', enabled: 'disabled' });
    expect(got['crm-hung']?.detail).toMatch(/^status timed out/);
    expect(got['crm-noexec']?.detail).toMatch(/^init script not executable/);
    expect(got['crm-unlisted']).toMatchObject({ active: 'unknown', enabled: 'unknown' });
    expect(got.nosuch).toMatchObject({ active: 'not-found' });
  });

  it('current from runlevel, default from inittab', () => {
    expect(sysvDriver.parse(out, []).runlevel).toEqual({ current: '3', default: '3' });
  });
});

describe('sysv: a requested script without a status action (issue 12)', () => {
  // Captured on the bed's SysV host: crm-nostatus prints usage and exits 1 for anything but
  // start/stop, crm-fallthrough falls through to `exit 0`; both log every call, and the log
  // stayed empty while the fragment ran: status was never called.
  const got = byName(fixture('sysv/fragment-bed-nostatus.txt'), [
    'crm-nostatus',
    'crm-fallthrough',
    'crm-db',
  ]);

  it('is unknown, saying why, never failed or running', () => {
    for (const name of ['crm-nostatus', 'crm-fallthrough']) {
      expect(got[name]).toMatchObject({
        active: 'unknown',
        detail:
          'the init script has no status action, so runstate cannot tell whether it runs; no start links (update-rc.d)',
      });
    }
    expect(got['crm-db']).toMatchObject({ active: 'inactive' });
  });

  it('the fragment asks the classifier before calling status, and calls only what it named', () => {
    const script = sysvDriver.observeScript(['crm-nostatus']);
    const classify = script.indexOf(`rs_h=$(${HAS_STATUS_ACTIONS} $rs_q`);
    expect(classify).toBeGreaterThan(0);
    // The batch gets the classifier's list ($rs_h), the per-service re-run only names in it.
    expect(script.indexOf('"$rs_s" status')).toBeGreaterThan(classify);
    expect(script).toMatch(/sh \$rs_h 2>\/dev\/null\)/);
    expect(script).toMatch(/case \$rs_h in \*" \$rs_s "\*\) case \$rs_g in/);
  });
});

describe('sysv: one classifier over every requested script (issue 15)', () => {
  it('names exactly the scripts with a status action, each once, in the order given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-sysv-has-'));
    const scripts: Record<string, string> = {
      a: 'case "$1" in\n  start) : ;;\n  status) exit 0 ;;\n  status) exit 0 ;;\nesac\n',
      b: '#!/bin/sh\nusage: start|stop\n',
      c: '#!/bin/sh /lib/init/init-d-script\nDAEMON=/bin/true\n',
      d: 'case "$1" in start|stop|restart|status) : ;; esac\n',
      e: '# mystatus) is not an action\nmystatus) exit 0\n',
    };
    for (const [n, text] of Object.entries(scripts)) writeFileSync(join(dir, n), text);
    const r = spawnSync(
      'sh',
      ['-c', `${HAS_STATUS_ACTIONS} "$@"`, 'sh', ...Object.keys(scripts).map((n) => join(dir, n))],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(` ${join(dir, 'a')}  ${join(dir, 'c')}  ${join(dir, 'd')} `);
  });
});

describe('sysv helpers', () => {
  it('falls back to who -r for the current level', () => {
    const out = fixture('sysv/fragment-runlevel-from-who.txt');
    expect(sysvDriver.parse(out, []).runlevel?.current).toBe('2');
    // K in rc2.d (current), S only in rc3.d
    expect(byName(out, ['crm-db'])['crm-db']).toMatchObject({ active: 'failed', enabled: 'disabled' });
  });

  it('parses runlevel, who -r, inittab and link names', () => {
    expect(currentLevel(['N 5'], [])).toBe('5');
    expect(currentLevel(['unknown'], ['         run-level 3  2024-01-01 10:00'])).toBe('3');
    expect(currentLevel([], [])).toBeUndefined();
    expect(defaultLevel(['# id:5:initdefault:', 'id:2:initdefault:'])).toBe('2');
    const links = linksByService(['rc2.d/S01ssh', 'rc2.d/K01ssh', 'rc3.d/K01sshd', 'README']);
    expect(links.get('ssh')).toEqual(new Map([['2', 'S']]));
    expect(links.get('sshd')).toEqual(new Map([['3', 'K']]));
  });
});

describe('sysv commands', () => {
  const cmd = sysvDriver.commands;
  it('starts through the init script', () => {
    expect(cmd({ kind: 'start', service: 'crm-db' })).toEqual([['/etc/init.d/crm-db', 'start']]);
    expect(cmd({ kind: 'stop', service: 'crm-db' })).toEqual([['/etc/init.d/crm-db', 'stop']]);
    expect(cmd({ kind: 'restart', service: 'crm-db' })).toEqual([['/etc/init.d/crm-db', 'restart']]);
  });

  it('update-rc.d by default, chkconfig when observed', () => {
    expect(cmd({ kind: 'enable', service: 'crm-db' })).toEqual([
      ['update-rc.d', 'crm-db', 'defaults'],
      ['update-rc.d', 'crm-db', 'enable'],
    ]);
    expect(cmd({ kind: 'disable', service: 'crm-db' })).toEqual([['update-rc.d', 'crm-db', 'disable']]);
    const rhel = { observed: { tool: 'chkconfig' } };
    expect(cmd({ kind: 'enable', service: 'crm-db', ...rhel })).toEqual([
      ['chkconfig', '--add', 'crm-db'],
      ['chkconfig', 'crm-db', 'on'],
    ]);
    expect(cmd({ kind: 'disable', service: 'crm-db', ...rhel })).toEqual([['chkconfig', 'crm-db', 'off']]);
  });

  it('runlevels with telinit; the default by rewriting initdefault', () => {
    expect(cmd({ kind: 'set-runlevel', target: '3' })).toEqual([['telinit', '3']]);
    expect(cmd({ kind: 'set-default-runlevel', target: '2' })).toEqual([
      ['sed', '-i', '-e', 's/^\\([^#:]*\\):[0-6Ss]*:initdefault:/\\1:2:initdefault:/', '/etc/inittab'],
    ]);
  });

  it('a systemd target is unsupported on sysv', () => {
    const change = { kind: 'set-runlevel', target: 'multi-user.target' } as const;
    expect(cmd(change)).toEqual([]);
    expect(sysvDriver.unsupported?.(change)).toBe(
      'a SysV init host takes a runlevel 1-5, not "multi-user.target"',
    );
  });
});
