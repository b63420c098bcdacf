import { describe, expect, it } from 'vitest';
import { SERVICE_NAME_RE } from '../../../src/model/desired.js';
import type { ReachableHost } from '../../../src/model/observed.js';
import { buildObserveScript, newNonce, parseObserveOutput } from '../../../src/observe/index.js';
import { fixture } from '../drivers/fixture.js';
import { availableShells, runScript } from '../drivers/shells.js';

const N = '0123456789abcdef0123456789abcdef';
const D = { discover: true };

function ok(host: ReturnType<typeof parseObserveOutput>): ReachableHost {
  if (host.status !== 'ok') throw new Error(`unreachable: ${host.reason}`);
  return host;
}

describe('buildObserveScript with discover', () => {
  it('adds the listings to the same one script; without it nothing changes', () => {
    const plain = buildObserveScript([], N);
    const discover = buildObserveScript([], N, {}, D);
    expect(plain).toBe(buildObserveScript([], N, {}, {}));
    expect(plain).not.toContain('list-unit-files');
    expect(plain).not.toContain('systemctl show');
    for (const needle of ['list-unit-files', 'rc-status --servicelist', '/etc/init.d/*', '/etc/init/*.conf'])
      expect(discover).toContain(needle);
    expect(discover).toMatch(new RegExp(`@@runstate:${N}:done'\\n\\} </dev/null\\nexit 0\\n$`));
  });

  it('requested names still enter only through `set --` lines', () => {
    const services = ['crm-db', 'web+api.v2'];
    const script = buildObserveScript(services, N, {}, D);
    const lines = script.split('\n').filter((l) => services.some((s) => l.includes(s)));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith('set -- '))).toBe(true);
  });

  // 14.1 KB since detection carries evidence and systemd takes second looks (instances, aliases, Also=);
  // 15.0 KB with docker's discovery (only discovery and hosts declaring containers carry it);
  // 16.0 KB with podman's.
  it('stays small: under 16.5 KB', () => {
    expect(Buffer.byteLength(buildObserveScript(['crm-db'], N, {}, D))).toBeLessThan(16_500);
  });
});

describe('parseObserveOutput with discover, on whole outputs captured on the bed', () => {
  it('systemd: every service unit, ssh and cron-like timers’ services included, sorted', () => {
    const host = ok(parseObserveOutput('s', fixture('observe/bed-systemd-discover.txt'), N, [], D));
    const names = Object.keys(host.services);
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThan(80);
    expect(names).toEqual(
      expect.arrayContaining(['ssh', 'dbus', 'crm-db', 'crm-masked', 'getty@tty1', 'apt-daily']),
    );
    // Not-found references (auditd), templates and aliases (sshd → ssh) are not services of their own.
    for (const n of ['auditd', 'crm-worker@', 'sshd', 'autovt@']) expect(names).not.toContain(n);
    expect(host.services.ssh).toMatchObject({ manager: 'systemd', active: 'active', enabled: 'enabled' });
    expect(host.services['crm-masked']).toMatchObject({ enabled: 'masked' });
    expect(host.services['getty@tty1']).toMatchObject({ unit: 'getty@tty1.service' });
  });

  it('systemd with requested names: they come first and keep their answers (alias, not-found)', () => {
    const requested = ['crm-db', 'sshd', 'nosuch', 'crm-worker@1'];
    const host = ok(
      parseObserveOutput('s', fixture('observe/bed-systemd-discover-requested.txt'), N, requested, D),
    );
    expect(Object.keys(host.services).slice(0, 4)).toEqual(requested);
    expect(host.services.sshd).toMatchObject({ unit: 'ssh.service', active: 'active' });
    expect(host.services.ssh).toMatchObject({ unit: 'ssh.service', active: 'active' });
    expect(host.services.nosuch).toMatchObject({ active: 'not-found' });
    expect(host.services['crm-worker@1']).toMatchObject({ unit: 'crm-worker@1.service' });
  });

  it('sysv: LSB services with their links; helpers, *.sh and shutdown scripts left out', () => {
    const host = ok(parseObserveOutput('v', fixture('observe/bed-sysv-discover.txt'), N, [], D));
    const names = Object.keys(host.services);
    expect(names).toEqual(expect.arrayContaining(['ssh', 'sudo', 'crm-db', 'crm-app', 'procps', 'urandom']));
    for (const n of [
      'README',
      'rc',
      'rcS',
      'halt',
      'reboot',
      'single',
      'killprocs',
      'umountfs',
      'hwclock.sh',
    ])
      expect(names).not.toContain(n);
    expect(host.services.ssh).toMatchObject({ manager: 'sysv', active: 'active', enabled: 'enabled' });
    expect(host.services['mount-configfs']).toMatchObject({ active: 'unknown' });
    expect(host.runlevel).toEqual({ current: '2', default: '2' });
  });

  it('sysv with requested names: a missing one stays not-found, found ones are not repeated', () => {
    const host = ok(
      parseObserveOutput('v', fixture('observe/bed-sysv-discover-requested.txt'), N, ['crm-db', 'nosuch'], D),
    );
    expect(host.services.nosuch).toMatchObject({ active: 'not-found' });
    expect(host.services['crm-db']).toMatchObject({ manager: 'sysv', active: 'inactive' });
    const raw = fixture('observe/bed-sysv-discover-requested.txt');
    expect(raw.match(/^st\|crm-db /gm)).toHaveLength(1);
  });

  it('OpenRC: every service OpenRC knows, with runlevel membership', () => {
    const host = ok(parseObserveOutput('o', fixture('observe/bed-openrc-discover.txt'), N, [], D));
    expect(Object.keys(host.services).length).toBeGreaterThan(30);
    expect(host.services.ssh).toMatchObject({ manager: 'openrc', active: 'active', enabled: 'enabled' });
    expect(host.services.agetty).toMatchObject({ active: 'inactive', enabled: 'disabled' });
    expect(host.services.umountfs).toMatchObject({ enabled: 'disabled', runlevels: ['off'] });
  });

  it('SysV with supervisord: the programs from supervisord, the rest from init.d', () => {
    const host = ok(parseObserveOutput('m', fixture('observe/bed-supervisord-discover.txt'), N, [], D));
    expect(host.managers).toEqual(['sysv', 'supervisord']);
    for (const n of ['crm-db', 'crm-app', 'crm-main'])
      expect(host.services[n]).toMatchObject({ manager: 'supervisord', unit: n });
    expect(host.services.supervisor).toMatchObject({ manager: 'sysv', active: 'active' });
    expect(host.services.ssh).toMatchObject({ manager: 'sysv' });
  });

  it('the same outputs read without discover list nothing but what was asked', () => {
    for (const f of ['systemd', 'sysv', 'openrc', 'supervisord']) {
      const host = ok(parseObserveOutput('h', fixture(`observe/bed-${f}-discover.txt`), N, []));
      expect(host.services).toEqual({});
    }
  });

  it('names the host prints that SPEC cannot hold are dropped', () => {
    const out = [
      `@@runstate:${N}:begin:detect`,
      'init=sysv',
      'supervisord=no',
      `@@runstate:${N}:end:detect:0`,
      `@@runstate:${N}:begin:sysv`,
      'st|good 0',
      'st|bad;rm 0',
      "st|it's 0",
      'st|$(x) 0',
      `@@runstate:${N}:end:sysv:0`,
      `@@runstate:${N}:done`,
    ].join('\n');
    expect(Object.keys(ok(parseObserveOutput('h', out, N, [], D)).services)).toEqual(['good']);
  });
});

describe.each(availableShells().map((s) => [s.join(' '), s]))(
  'the discover script run for real in %s',
  (_name, shell) => {
    it('exits 0 and parses; every name is a SPEC name', () => {
      const nonce = newNonce();
      const r = runScript(shell as string[], buildObserveScript(['runstate-test-nosuch'], nonce, {}, D));
      expect(r.code).toBe(0);
      const host = ok(parseObserveOutput('localhost', r.stdout, nonce, ['runstate-test-nosuch'], D));
      for (const name of Object.keys(host.services)) expect(name).toMatch(SERVICE_NAME_RE);
      expect(host.services['runstate-test-nosuch']?.active ?? 'not-found').toBe('not-found');
    });
  },
);
