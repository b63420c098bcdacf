import { describe, expect, it } from 'vitest';
import { parseObserveOutput, pickService } from '../../../src/observe/index.js';
import { fixture } from '../drivers/fixture.js';

const N = '0123456789abcdef0123456789abcdef';
const m = (rest: string) => `@@runstate:${N}:${rest}`;

function output(detect: string, sections: Record<string, string>, done = true): string {
  const parts = [m('begin:detect'), detect, m('end:detect:0')];
  for (const [name, body] of Object.entries(sections))
    parts.push(m(`begin:${name}`), body, m(`end:${name}:0`));
  if (done) parts.push(m('done'));
  return `${parts.join('\n')}\n`;
}

const systemdOne = (unit: string, load: string, active: string) =>
  [
    `show|Id=${unit}`,
    `show|Names=${unit}`,
    `show|LoadState=${load}`,
    `show|ActiveState=${active}`,
    'show|SubState=dead',
    'show|UnitFileState=',
  ].join('\n');

describe('parseObserveOutput', () => {
  it('a systemd host with supervisord: the manager that has the service loaded wins', () => {
    const systemd = [
      systemdOne('crm-app.service', 'not-found', 'inactive'),
      'show|',
      systemdOne('crm-db.service', 'loaded', 'active'),
      'show|',
      systemdOne('nosuch.service', 'not-found', 'inactive'),
      'show?0',
      'default|multi-user.target',
      'targets|multi-user.target loaded active active Multi-User System',
    ].join('\n');
    const supervisord = fixture('supervisord/fragment-all-states.txt').replace(/\bcrm-idle\b/g, 'crm-db');
    const host = parseObserveOutput(
      'app1',
      output('init=systemd\nsupervisord=yes\npid1=systemd', { systemd, supervisord }),
      N,
      ['crm-app', 'crm-db', 'nosuch'],
    );
    expect(host).toMatchObject({
      status: 'ok',
      host: 'app1',
      init: 'systemd',
      managers: ['systemd', 'supervisord'],
      runlevel: { current: 'multi-user.target', default: 'multi-user.target' },
    });
    if (host.status !== 'ok') throw new Error('unreachable');
    expect(host.services['crm-app']).toMatchObject({ manager: 'supervisord', active: 'active' });
    // Both have it loaded: the init system's answer.
    expect(host.services['crm-db']).toMatchObject({ manager: 'systemd', active: 'active' });
    // Nobody has it: "not-found" as the init system says.
    expect(host.services.nosuch).toMatchObject({ manager: 'systemd', active: 'not-found' });
  });

  it('an upstart host also reads its SysV scripts; upstart answers first', () => {
    const host = parseObserveOutput(
      'old1',
      output('init=upstart\nsupervisord=no', {
        upstart: fixture('upstart/fragment-mixed.txt'),
        sysv: 'tool|update-rc.d\nrunlevel|N 2\nlinks|rc2.d/S20apache2\nst|crm-db 3\nst|apache2 0',
      }),
      N,
      ['crm-db', 'apache2'],
    );
    expect(host).toMatchObject({ status: 'ok', init: 'upstart', managers: ['upstart', 'sysv'] });
    if (host.status !== 'ok') throw new Error('unreachable');
    expect(host.services['crm-db']).toMatchObject({ manager: 'upstart', active: 'active' });
    expect(host.services.apache2).toMatchObject({ manager: 'sysv', active: 'active', enabled: 'enabled' });
    expect(host.runlevel).toEqual({ current: '2', default: '2' });
  });

  it('no init system recognised and no supervisord: reachable, no managers, no services', () => {
    const host = parseObserveOutput('x', output('init=unknown\nsupervisord=no', {}), N, ['a']);
    expect(host).toEqual({
      status: 'ok',
      host: 'x',
      init: 'unknown',
      managers: [],
      runlevel: {},
      services: {},
    });
  });

  it('facts carry no undefined keys (they would vanish from JSON and the digest)', () => {
    const host = parseObserveOutput('s', output('init=sysv\nsupervisord=no', { sysv: 'st|a missing' }), N, [
      'a',
    ]);
    expect(host).toMatchObject({ status: 'ok', runlevel: {} });
    if (host.status !== 'ok') throw new Error('unreachable');
    expect(Object.values(host.services.a ?? {}).includes(undefined)).toBe(false);
  });

  it('output that is not ours, cut short, or missing a promised section is an unreachable host', () => {
    expect(parseObserveOutput('h', 'sh: 1: Syntax error\n', N, [])).toEqual({
      status: 'unreachable',
      host: 'h',
      reason: 'the observe script printed nothing runstate could read (is sh a POSIX shell?)',
    });
    expect(
      parseObserveOutput('h', output('init=sysv\nsupervisord=no', { sysv: 'st|a 0' }, false), N, ['a']),
    ).toMatchObject({
      status: 'unreachable',
      reason: 'the observe output was cut short',
    });
    expect(
      parseObserveOutput('h', output('init=systemd\nsupervisord=yes', { systemd: '' }), N, []),
    ).toMatchObject({
      status: 'unreachable',
      reason: 'the observe output has no supervisord section',
    });
  });

  it('a host cannot forge its detection with a second line', () => {
    const host = parseObserveOutput(
      'h',
      output('init=sysv\nsupervisord=no\ninit=systemd', { sysv: '' }),
      N,
      [],
    );
    expect(host).toMatchObject({ status: 'ok', init: 'sysv' });
  });

  it('output with another nonce is not read at all', () => {
    const other = output('init=sysv\nsupervisord=no', { sysv: '' }).replaceAll(
      N,
      'ffffffffffffffffffffffffffffffff',
    );
    expect(parseObserveOutput('h', other, N, [])).toMatchObject({ status: 'unreachable' });
  });

  it('pickService: loaded first, else the first (init) answer', () => {
    const base = { name: 'a', enabled: 'unknown' } as const;
    const sysd = { ...base, manager: 'systemd', active: 'not-found' } as const;
    const sup = { ...base, manager: 'supervisord', active: 'inactive' } as const;
    expect(pickService([sysd, sup])).toBe(sup);
    expect(pickService([sysd, { ...sup, active: 'not-found' }])).toBe(sysd);
    expect(pickService([])).toBeUndefined();
  });
});

describe('whole outputs captured on the bed', () => {
  const services = ['crm-db', 'crm-masked', 'nosuch'];
  it('systemd host', () => {
    const host = parseObserveOutput('bed-systemd', fixture('observe/bed-systemd.txt'), N, services);
    expect(host).toMatchObject({ status: 'ok', init: 'systemd', managers: ['systemd'] });
    if (host.status !== 'ok') throw new Error('unreachable');
    expect(host.services['crm-db']).toMatchObject({
      manager: 'systemd',
      active: 'inactive',
      enabled: 'disabled',
    });
    expect(host.services['crm-masked']).toMatchObject({ enabled: 'masked' });
  });

  it('SysV host running supervisord: supervisord has the programs, sysv answers for the rest', () => {
    const host = parseObserveOutput(
      'bed-supervisord',
      fixture('observe/bed-sysv-with-supervisord.txt'),
      N,
      services,
    );
    expect(host).toMatchObject({
      status: 'ok',
      init: 'sysv',
      managers: ['sysv', 'supervisord'],
      runlevel: { current: '2', default: '2' },
    });
    if (host.status !== 'ok') throw new Error('unreachable');
    expect(host.services['crm-db']).toMatchObject({
      manager: 'supervisord',
      active: 'inactive',
      enabled: 'disabled',
    });
    expect(host.services.nosuch).toMatchObject({ manager: 'sysv', active: 'not-found' });
  });

  it('OpenRC host', () => {
    const host = parseObserveOutput('bed-openrc', fixture('observe/bed-openrc.txt'), N, services);
    expect(host).toMatchObject({
      status: 'ok',
      init: 'openrc',
      managers: ['openrc'],
      runlevel: { current: 'default' },
    });
  });

  it('the same output read with another nonce is not trusted', () => {
    expect(
      parseObserveOutput('h', fixture('observe/bed-openrc.txt'), 'ffffffffffffffffffffffffffffffff', []),
    ).toMatchObject({
      status: 'unreachable',
    });
  });
});
