import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriverFacts } from '../../../src/drivers/driver.js';
import { DISCOVER_SH, TIMEOUT, withDiscovered } from '../../../src/drivers/fragment.js';
import { ALL_DRIVERS } from '../../../src/drivers/index.js';
import { openrcDriver, parseServiceList } from '../../../src/drivers/openrc.js';
import { discoveredNames, parseStatusLines, supervisordDriver } from '../../../src/drivers/supervisord.js';
import { serviceNameOf, systemdDriver } from '../../../src/drivers/systemd.js';
import { CLASSIFY_INIT_SCRIPT, sysvDriver } from '../../../src/drivers/sysv.js';
import { upstartDriver } from '../../../src/drivers/upstart.js';
import { SERVICE_NAME_RE } from '../../../src/model/desired.js';
import { fixture } from './fixture.js';
import { availableShells, runScript } from './shells.js';

const D = { discover: true };
const byName = (facts: DriverFacts) => Object.fromEntries(facts.services.map((s) => [s.name, s]));
const names = (facts: DriverFacts) => facts.services.map((s) => s.name);

describe('discovery fragments', () => {
  it('every driver still accepts the old call, and adds nothing to it', () => {
    for (const d of ALL_DRIVERS) {
      expect(d.observeScript(['crm-db'])).toBe(d.observeScript(['crm-db'], {}));
      if (d.kind !== 'supervisord')
        expect(d.observeScript(['crm-db'], D)).not.toBe(d.observeScript(['crm-db']));
    }
  });

  it('systemd lists loaded units and unit files, skips templates, then one show for all', () => {
    const script = systemdDriver.observeScript([], D);
    expect(script).toContain('systemctl list-units --type=service --all --no-legend --no-pager');
    expect(script).toContain('systemctl list-unit-files --type=service --no-legend --no-pager');
    expect(script).toContain('*@.service) ;;');
    // the call, its per-unit fallback, and the second look at alias targets and Also= units
    expect(script.match(/systemctl show -p/g)).toHaveLength(3);
    // No unit known until the host answers: `show` without units would describe the manager.
    expect(script).toContain('if [ "$#" -gt 0 ]; then');
  });

  it('OpenRC reads its state records (rc-status --servicelist), running no init script', () => {
    expect(openrcDriver.observeScript([], D)).toContain('rc-status --servicelist');
  });

  it('sysv runs status only through the classifier, with the timeout', () => {
    const script = sysvDriver.observeScript([], D);
    expect(script).toContain('for rs_s in /etc/init.d/*; do');
    expect(script).toContain(`status) ${TIMEOUT} "$rs_s" status >/dev/null 2>&1 </dev/null`);
  });

  it('upstart adds the job files to the names it checks', () => {
    expect(upstartDriver.observeScript([], D)).toContain('for rs_f in /etc/init/*.conf; do');
  });

  describe.each(availableShells().map((s) => [s.join(' '), s]))('in %s', (_name, shell) => {
    it('every fragment parses (sh -n)', () => {
      for (const d of ALL_DRIVERS) {
        const r = runScript(shell as string[], `set -n\n${d.observeScript(['crm-db', 'a@b'], D)}`);
        expect({ kind: d.kind, stderr: r.stderr, code: r.code }).toEqual({
          kind: d.kind,
          stderr: '',
          code: 0,
        });
      }
    });

    it('rs_add keeps SPEC names only, each once, and never a requested one', () => {
      const words = [
        'ok',
        'crm-worker@1.service',
        'web+api.v2',
        '-leading',
        '.hidden',
        'semi;colon',
        'star*',
        '$(reboot)',
        'ok',
        'requested',
        'x'.repeat(256),
        'y'.repeat(255),
      ];
      const script = [
        "set -- 'requested'",
        DISCOVER_SH,
        ...words.map((w) => `rs_add '${w}'`),
        'set -- "$@" $rs_new',
        'for a in "$@"; do echo "$a"; done',
      ].join('\n');
      const r = runScript(shell as string[], script);
      expect(r.stdout.split('\n').filter(Boolean)).toEqual([
        'requested',
        'ok',
        'crm-worker@1.service',
        'web+api.v2',
        'y'.repeat(255),
      ]);
    });

    it('the init-script classifier: services, one-shots, scripts without status', () => {
      const dir = mkdtempSync(join(tmpdir(), 'rs-initd-'));
      const lsb = (start: string, body: string) =>
        `#!/bin/sh\n### BEGIN INIT INFO\n# Provides: x\n# Default-Start:${start}\n# Default-Stop: 0 1 6\n### END INIT INFO\n${body}\n`;
      const scripts: Record<string, [string, string]> = {
        daemon: [lsb(' 2 3 4 5', 'case "$1" in\n  start) ;;\n  status)\n    exit 3 ;;\nesac'), 'status'],
        piped: [lsb(' 2 3 4 5', 'case "$1" in\n  stop|status) ;;\nesac'), 'status'],
        sysinit: [lsb('\tS', 'case "$1" in\n  start) ;;\nesac'), 'nostatus'],
        initd: [lsb(' 2 3 4 5', '. /lib/init/init-d-script'), 'status'],
        halt: [lsb('', 'case "$1" in\n  start|status) ;;\nesac'), 'skip'],
        single: [lsb(' 1', 'case "$1" in\n  stop|status) ;;\nesac'), 'skip'],
        rhel: ['#!/bin/sh\n# chkconfig: - 85 15\ncase "$1" in\n  status) rh_status ;;\nesac\n', 'status'],
        plain: ['#!/bin/sh\necho hello\n', 'skip'],
        statusword: [lsb(' 2', 'echo "$statusfile"; # the status of things'), 'nostatus'],
      };
      for (const [name, [text]] of Object.entries(scripts)) writeFileSync(join(dir, name), text);
      for (const [name, [, want]] of Object.entries(scripts)) {
        const r = runScript(shell as string[], `${CLASSIFY_INIT_SCRIPT} ${join(dir, name)}`);
        expect(`${name}: ${r.stdout.trim()}`).toBe(`${name}: ${want}`);
      }
    });
  });
});

describe('systemd discovery', () => {
  it('reports unit ids without .service; keeps the id when the short name means another unit', () => {
    expect(serviceNameOf('ssh.service')).toBe('ssh');
    expect(serviceNameOf('getty@tty1.service')).toBe('getty@tty1');
    expect(serviceNameOf('vpn.socket.service')).toBe('vpn.socket.service');
  });

  it('folds aliases, drops references, templates and names SPEC cannot hold', () => {
    const facts = systemdDriver.parse(fixture('systemd/fragment-discover-edge.txt'), [], D);
    expect(names(facts)).toEqual(['crm-db', 'getty@tty1', 'ssh', 'sudo', 'vpn.socket.service']);
    const got = byName(facts);
    expect(got.ssh).toMatchObject({ active: 'active', enabled: 'enabled', unit: 'ssh.service' });
    expect(got.sudo).toMatchObject({ active: 'inactive', enabled: 'masked' });
    expect(got['vpn.socket.service']).toMatchObject({ active: 'failed', unit: 'vpn.socket.service' });
    expect(facts.runlevel).toEqual({ current: 'multi-user.target', default: 'multi-user.target' });
  });

  it('without discover the same output answers only what was asked', () => {
    const facts = systemdDriver.parse(fixture('systemd/fragment-discover-edge.txt'), ['sshd']);
    expect(facts.services).toEqual([
      expect.objectContaining({ name: 'sshd', active: 'active', unit: 'ssh.service' }),
    ]);
  });
});

describe('OpenRC discovery', () => {
  it('reads the state word, with or without an uptime after it', () => {
    const list = parseServiceList([
      '\u001b[0;1m crm-db \u001b[0m  [  started 00:01:02 (2)  ]',
      ' x [ stopped ]',
      'junk',
    ]);
    expect([...list]).toEqual([
      ['crm-db', 'started'],
      ['x', 'stopped'],
    ]);
  });

  it('maps every rc-status word; enabled from rc-update; bad names dropped', () => {
    const got = byName(openrcDriver.parse(fixture('openrc/fragment-discover-edge.txt'), [], D));
    expect(Object.keys(got).sort()).toEqual(
      [
        'crm-broken',
        'crm-db',
        'crm-flaky',
        'crm-supervised',
        'crm-waits',
        'local',
        'net.eth0',
        'sshd',
      ].sort(),
    );
    expect(got.sshd).toMatchObject({ active: 'active', enabled: 'enabled', runlevels: ['default'] });
    expect(got['crm-db']).toMatchObject({
      active: 'active',
      enabled: 'enabled',
      detail: 'status: started; in runlevel boot',
    });
    expect(got['crm-flaky']).toMatchObject({ active: 'failed', enabled: 'disabled' });
    expect(got['crm-broken']).toMatchObject({ active: 'failed' });
    expect(got['crm-supervised']).toMatchObject({ active: 'failed' });
    expect(got['crm-waits']).toMatchObject({ active: 'activating' });
    expect(got['net.eth0']).toMatchObject({ active: 'activating', enabled: 'enabled' });
    expect(got.local).toMatchObject({
      active: 'inactive',
      enabled: 'disabled',
      detail: 'status: stopped; in no runlevel',
    });
  });
});

describe('sysv discovery', () => {
  it('every reported script, requested ones first; a missing one is not discovered', () => {
    const facts = sysvDriver.parse(fixture('sysv/fragment-discover-rhel6.txt'), ['crm-db'], D);
    expect(names(facts)).toEqual(['crm-db', 'crm-hung', 'httpd', 'iptables', 'netconsole', 'sshd']);
    const got = byName(facts);
    expect(got.sshd).toMatchObject({
      active: 'active',
      enabled: 'enabled',
      tool: 'chkconfig',
      runlevels: ['3', '5'],
    });
    expect(got.httpd).toMatchObject({ active: 'inactive', enabled: 'enabled' });
    expect(got.netconsole).toMatchObject({
      active: 'unknown',
      enabled: 'disabled',
      detail:
        'the init script has no status action, so runstate cannot tell whether it runs; no start links (chkconfig)',
    });
    expect(got['crm-hung']).toMatchObject({
      active: 'unknown',
      detail: expect.stringMatching(/^status timed out/),
    });
  });
});

describe('upstart discovery', () => {
  it('loaded jobs and job files; instances fold into their job', () => {
    const facts = upstartDriver.parse(fixture('upstart/fragment-discover.txt'), [], D);
    expect(names(facts)).toEqual([
      'crm-db',
      'crm-off',
      'crm-oneshot',
      'cron',
      'network-interface',
      'rc',
      'ssh',
      'tty1',
    ]);
    const got = byName(facts);
    expect(got.ssh).toMatchObject({ active: 'active', enabled: 'enabled' });
    expect(got['network-interface']).toMatchObject({
      active: 'active',
      detail: 'start/running (2 instances)',
    });
    expect(got['crm-db']).toMatchObject({ active: 'unknown', detail: 'job file present but not loaded' });
    expect(got['crm-off']).toMatchObject({ enabled: 'disabled' });
    expect(got['crm-oneshot']).toMatchObject({ enabled: 'static' });
  });
});

describe('supervisord discovery', () => {
  const out = fixture('supervisord/fragment-all-states.txt');

  it('a process under its name, a group (or numprocs pool) under the group name', () => {
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('status|'))
      .map((l) => l.slice(7));
    expect(discoveredNames(parseStatusLines(lines))).toEqual([
      'crm-app',
      'crm-backoff',
      'crm-exits',
      'crm-fatal',
      'crm-idle',
      'crm-slow',
      'crm-stubborn',
      'grp',
      'pool',
    ]);
  });

  it('groups are addressed as group:* and combine their processes', () => {
    const got = byName(supervisordDriver.parse(out, [], D));
    expect(got.grp).toMatchObject({ unit: 'grp:*', active: 'unknown', detail: 'STOPPED 1/2, RUNNING 1/2' });
    expect(got.pool).toMatchObject({ unit: 'pool:*', active: 'active' });
    expect(got['crm-fatal']).toMatchObject({ active: 'failed' });
  });
});

describe('withDiscovered', () => {
  it('requested first as given, then new valid names sorted', () => {
    const s = (name: string) => ({ name });
    expect(withDiscovered([s('b'), s('a')], [s('z'), s('a'), s('bad name'), s('c'), s('c')])).toEqual([
      s('b'),
      s('a'),
      s('c'),
      s('z'),
    ]);
  });
});

describe('captured on the bed: discovery alone', () => {
  const sections = (file: string) => {
    const text = fixture(file);
    const body = (kind: string) => {
      const m = new RegExp(`:begin:${kind}\\n([\\s\\S]*?)\\n@@runstate:[0-9a-f]+:end:${kind}:`).exec(text);
      return m?.[1] ?? '';
    };
    return body;
  };

  it('every name is a SPEC name and every state is known', () => {
    const cases: [string, (typeof ALL_DRIVERS)[number]][] = [
      ['observe/bed-systemd-discover.txt', systemdDriver],
      ['observe/bed-sysv-discover.txt', sysvDriver],
      ['observe/bed-openrc-discover.txt', openrcDriver],
      ['observe/bed-supervisord-discover.txt', supervisordDriver],
    ];
    for (const [file, driver] of cases) {
      const facts = driver.parse(sections(file)(driver.kind), [], D);
      expect(facts.services.length).toBeGreaterThan(5);
      for (const s of facts.services) {
        expect(s.name).toMatch(SERVICE_NAME_RE);
        expect(s.active).not.toBe('not-found');
      }
    }
  });
});
