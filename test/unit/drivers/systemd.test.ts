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

  it('a template instance is found as its own unit; indirect counts as static', () => {
    expect(got['crm-worker@1']).toMatchObject({
      active: 'activating',
      enabled: 'static',
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
      'systemctl show -p Id,Names,LoadState,ActiveState,SubState,UnitFileState --no-pager -- "$@"',
    );
  });

  it('asks nothing about units when there are none (show without units shows the manager)', () => {
    expect(systemdDriver.observeScript([])).not.toContain('systemctl show');
  });

  it('refuses a name that is not valid (a bug upstream, never shell text)', () => {
    expect(() => systemdDriver.observeScript(['a;reboot'])).toThrow(/invalid service name/);
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
