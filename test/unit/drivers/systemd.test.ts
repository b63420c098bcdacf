import { describe, expect, it } from 'vitest';
import { systemdDriver, systemdUnit, TARGET_GUARD_SH } from '../../../src/drivers/systemd.js';
import { fixture } from './fixture.js';

const byName = (output: string, services: string[]) =>
  Object.fromEntries(systemdDriver.parse(output, services).services.map((s) => [s.name, s]));

describe('systemd unit names', () => {
  it('a bare name means .service; instances and typed names are kept', () => {
    expect(systemdUnit('crm-db')).toBe('crm-db.service');
    expect(systemdUnit('crm-worker@1')).toBe('crm-worker@1.service');
    expect(systemdUnit('crm.app')).toBe('crm.app.service');
    expect(systemdUnit('nginx.service')).toBe('nginx.service');
    expect(systemdUnit('docker.socket')).toBe('docker.socket');
  });
});

describe('systemd parse', () => {
  const services = [
    'crm-db',
    'crm-app',
    'crm-legacy',
    'nosuch',
    'crm-worker@1',
    'sshd',
    'systemd-journald',
    'crm-generated',
  ];
  const got = byName(fixture('systemd/fragment-mixed.txt'), services);

  it('maps LoadState/ActiveState/UnitFileState', () => {
    expect(got['crm-db']).toMatchObject({ active: 'active', enabled: 'enabled', unit: 'crm-db.service' });
    expect(got['crm-app']).toMatchObject({ active: 'failed', enabled: 'disabled' });
    expect(got['systemd-journald']).toMatchObject({ active: 'deactivating', enabled: 'static' });
    expect(got['crm-generated']).toMatchObject({ active: 'inactive', enabled: 'static' });
  });

  it('a masked unit is enabled "masked", its run state still observed', () => {
    expect(got['crm-legacy']).toMatchObject({
      active: 'inactive',
      enabled: 'masked',
      detail: 'masked inactive/dead, masked',
    });
  });

  it('a unit that is not found is not-found twice, never "stopped"', () => {
    expect(got.nosuch).toMatchObject({ manager: 'systemd', active: 'not-found', enabled: 'not-found' });
  });

  it('a template instance is found as its own unit; indirect can be enabled, so counts as disabled', () => {
    expect(got['crm-worker@1']).toMatchObject({
      active: 'activating',
      enabled: 'disabled',
      unit: 'crm-worker@1.service',
    });
  });

  it('an alias is matched through Names and addressed by the real Id; reloading is active', () => {
    expect(got.sshd).toMatchObject({ active: 'active', enabled: 'enabled', unit: 'ssh.service' });
  });

  it('reads the default and the current runlevel target', () => {
    expect(systemdDriver.parse(fixture('systemd/fragment-mixed.txt'), []).runlevel).toEqual({
      current: 'multi-user.target',
      default: 'graphical.target',
    });
  });

  it('falls back to per-unit answers when the one call failed', () => {
    const r = byName(fixture('systemd/fragment-show-failed.txt'), ['crm-db', 'crm-worker@']);
    expect(r['crm-db']).toMatchObject({ active: 'inactive', enabled: 'disabled' });
    expect(r['crm-worker@']).toMatchObject({
      active: 'unknown',
      enabled: 'unknown',
      detail: 'systemctl show gave nothing (exit 1)',
    });
  });

  it('no bus: every service unknown, no runlevel', () => {
    const r = systemdDriver.parse(fixture('systemd/fragment-no-bus.txt'), ['crm-db']);
    expect(r.services).toEqual([
      {
        name: 'crm-db',
        manager: 'systemd',
        active: 'unknown',
        enabled: 'unknown',
        detail: 'systemctl show gave nothing (exit 1)',
        unit: 'crm-db.service',
      },
    ]);
    expect(r.runlevel).toEqual({ current: undefined, default: undefined });
  });
});

describe('systemd fragment', () => {
  it('names every unit once, quoted, in one systemctl show call', () => {
    const script = systemdDriver.observeScript(['crm-db', 'crm-worker@1', 'crm-db']);
    expect(script).toContain('set -- crm-db.service crm-worker\\@1.service\n');
    expect(script.match(/crm-db/g)).toHaveLength(1);
    expect(script).toContain(
      'systemctl show -p Id,Names,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath --no-pager -- "$@"',
    );
  });

  it('asks nothing about units when there are none (show without units shows the manager)', () => {
    expect(systemdDriver.observeScript([])).not.toContain('systemctl show');
  });

  it('refuses a name that is not valid (a bug upstream, never shell text)', () => {
    expect(() => systemdDriver.observeScript(['a;reboot'])).toThrow(/invalid service name/);
  });
});

describe('systemd unit file states (issue 12)', () => {
  // Captured on the bed (Debian 12, systemd 252): crm-app `enable --runtime`, crm-linked
  // `link --runtime`, crm-indirect with only Also=crm-indirect-helper (helper disabled),
  // crm-worker@1 enabled, crm-masked masked, ssh.service asked as its alias sshd.
  const names = [
    'crm-app',
    'crm-linked',
    'crm-indirect',
    'crm-masked',
    'crm-worker@1',
    'crm-worker@2',
    'sshd',
  ];
  const states = byName(fixture('systemd/fragment-bed-unit-file-states.txt'), names);

  it('enabled-runtime is not enabled at boot: its links live in /run', () => {
    expect(states['crm-app']).toMatchObject({
      enabled: 'disabled',
      detail: 'loaded inactive/dead, enabled-runtime',
    });
    expect(states['crm-app']?.warning).toBeUndefined();
  });

  it('linked-runtime is there now and gone at reboot: disabled, with a warning', () => {
    expect(states['crm-linked']).toMatchObject({
      enabled: 'disabled',
      warning: 'its unit file is linked only in /run: systemd forgets the unit at reboot',
    });
  });

  it('indirect (Also= only) is disabled while its Also= units are', () => {
    expect(states['crm-indirect']).toMatchObject({
      enabled: 'disabled',
      detail: 'loaded inactive/dead, indirect; Also= crm-indirect-helper.service',
    });
  });

  it('indirect is enabled once every Also= unit is', () => {
    const after = byName(fixture('systemd/fragment-bed-indirect-also-enabled.txt'), ['crm-indirect']);
    expect(after['crm-indirect']).toMatchObject({
      enabled: 'enabled',
      detail: 'loaded inactive/dead, indirect; enabled through Also= crm-indirect-helper.service',
    });
  });

  it('instances are confirmed by is-enabled; the alias answers as its unit', () => {
    expect(states['crm-worker@1']).toMatchObject({ enabled: 'enabled', unit: 'crm-worker@1.service' });
    expect(states['crm-worker@2']).toMatchObject({ enabled: 'disabled' });
    expect(states.sshd).toMatchObject({ enabled: 'enabled', unit: 'ssh.service' });
    expect(states['crm-masked']).toMatchObject({ enabled: 'masked' });
  });

  // Transcribed from systemd PR #8038: before v238 `show` gave an instance its template's state
  // (template@1 enabled made template@3 "enabled"), while is-enabled said disabled.
  it('before v238, is-enabled wins over the template state show reports for an instance', () => {
    const old = byName(fixture('systemd/fragment-pre238-instance.txt'), ['template@3']);
    expect(old['template@3']).toMatchObject({
      enabled: 'disabled',
      detail: 'loaded inactive/dead, enabled; is-enabled says disabled',
    });
  });

  // Transcribed: an alias (bind9 → named, from systemd issue #18134) answered as `alias`.
  it('alias follows the unit its file points to', () => {
    const alias = byName(fixture('systemd/fragment-alias.txt'), ['bind9']);
    expect(alias.bind9).toMatchObject({
      enabled: 'enabled',
      detail: 'loaded active/running, alias; alias of named.service',
    });
  });

  it('an alias whose target was not read is unknown, never static', () => {
    const text = fixture('systemd/fragment-alias.txt').replace(/^(aliasof|more)[|?].*\n/gm, '');
    expect(byName(text, ['bind9']).bind9).toMatchObject({ enabled: 'unknown' });
  });

  it('NeedDaemonReload=yes (captured: a running unit whose file was edited) is reloadNeeded', () => {
    const r = byName(fixture('systemd/fragment-bed-need-daemon-reload.txt'), ['crm-reload', 'crm-db']);
    expect(r['crm-reload']).toMatchObject({ active: 'active', reloadNeeded: true });
    expect(r['crm-db']?.reloadNeeded).toBeUndefined();
  });
});

describe('systemd commands', () => {
  const cmd = systemdDriver.commands;
  it('start/stop/restart/enable/disable a unit', () => {
    expect(cmd({ kind: 'start', service: 'crm-db' })).toEqual([
      ['systemctl', 'start', '--', 'crm-db.service'],
    ]);
    expect(cmd({ kind: 'stop', service: 'crm-worker@1' })).toEqual([
      ['systemctl', 'stop', '--', 'crm-worker@1.service'],
    ]);
    expect(cmd({ kind: 'restart', service: 'crm-db' })).toEqual([
      ['systemctl', 'restart', '--', 'crm-db.service'],
    ]);
    expect(cmd({ kind: 'enable', service: 'crm-db' })).toEqual([
      ['systemctl', 'enable', '--', 'crm-db.service'],
    ]);
    expect(cmd({ kind: 'disable', service: 'crm-db' })).toEqual([
      ['systemctl', 'disable', '--', 'crm-db.service'],
    ]);
  });

  it('uses the observed unit id (an alias resolves to its real unit)', () => {
    expect(cmd({ kind: 'enable', service: 'sshd', observed: { unit: 'ssh.service' } })).toEqual([
      ['systemctl', 'enable', '--', 'ssh.service'],
    ]);
  });

  it('runlevels: a level isolates runlevelN.target, a target is isolated, default is set canonically — each after the host resolved the target', () => {
    const guard = (unit: string) => ['sh', '-c', TARGET_GUARD_SH, 'sh', unit];
    expect(cmd({ kind: 'set-runlevel', target: '3' })).toEqual([
      guard('runlevel3.target'),
      ['systemctl', 'isolate', 'runlevel3.target'],
    ]);
    expect(cmd({ kind: 'set-runlevel', target: 'multi-user.target' })).toEqual([
      guard('multi-user.target'),
      ['systemctl', 'isolate', 'multi-user.target'],
    ]);
    expect(cmd({ kind: 'set-default-runlevel', target: '5' })).toEqual([
      guard('graphical.target'),
      ['systemctl', 'set-default', 'graphical.target'],
    ]);
    expect(cmd({ kind: 'set-default-runlevel', target: 'multi-user.target' })).toEqual([
      guard('multi-user.target'),
      ['systemctl', 'set-default', 'multi-user.target'],
    ]);
  });

  it('refuses OpenRC names, the shutdown family and units that are not services', () => {
    const why = (c: Parameters<typeof cmd>[0]) => systemdDriver.unsupported?.(c);
    expect(why({ kind: 'set-runlevel', target: 'rescue' })).toMatch(/not the OpenRC runlevel "rescue"/);
    expect(cmd({ kind: 'set-runlevel', target: 'rescue' })).toEqual([]);
    expect(why({ kind: 'set-runlevel', target: 'reboot.target' })).toMatch(/stops or reboots/);
    expect(why({ kind: 'set-default-runlevel', target: 'ctrl-alt-del.target' })).toMatch(/stops or reboots/);
    expect(why({ kind: 'start', service: 'reboot.target' })).toBe(
      'reboot.target is a target unit, not a service',
    );
    expect(why({ kind: 'stop', service: 'x', observed: { unit: 'system.slice' } })).toMatch(/slice unit/);
    expect(cmd({ kind: 'start', service: 'reboot.target' })).toEqual([]);
    expect(why({ kind: 'start', service: 'crm-db' })).toBeUndefined();
    expect(why({ kind: 'start', service: 'docker.socket' })).toBeUndefined();
  });

  it('a target that is not a name is unsupported, with no commands', () => {
    expect(cmd({ kind: 'set-runlevel', target: 'a b' })).toEqual([]);
    expect(systemdDriver.unsupported?.({ kind: 'set-runlevel', target: 'a b' })).toMatch(/not a runlevel/);
  });

  it('reports levels the way observe sees them', () => {
    expect(systemdDriver.observedRunlevel?.('3')).toBe('multi-user.target');
    expect(systemdDriver.observedRunlevel?.('1')).toBe('rescue.target');
    expect(systemdDriver.observedRunlevel?.('runlevel5.target')).toBe('graphical.target');
    expect(systemdDriver.observedRunlevel?.('multi-user.target')).toBe('multi-user.target');
  });
});
