import { describe, expect, it } from 'vitest';
import { parseAutostart, parseStatusLines, supervisordDriver } from '../../../src/drivers/supervisord.js';
import { fixture } from './fixture.js';

describe('supervisorctl status lines (captured, supervisor 4.2.5)', () => {
  it('reads every state, group members and numprocs names', () => {
    const procs = parseStatusLines(fixture('supervisord/status-all-states.txt').split('\n'));
    expect(procs.map((p) => `${p.name} ${p.state}`)).toEqual([
      'crm-app RUNNING',
      'crm-backoff BACKOFF',
      'crm-exits EXITED',
      'crm-fatal FATAL',
      'crm-idle STOPPED',
      'crm-slow STARTING',
      'crm-stubborn STOPPING',
      'grp:other RUNNING',
      'grp:prog RUNNING',
      'pool:pool_00 RUNNING',
      'pool:pool_01 RUNNING',
    ]);
    expect(procs[3]?.description).toBe("can't find command '/nonexistent/crm-fatal'");
  });

  it('ignores error lines and a socket that does not answer', () => {
    expect(
      parseStatusLines(fixture('supervisord/status-named-missing.txt').split('\n')).map((p) => p.name),
    ).toEqual(['crm-app', 'grp:other', 'grp:prog']);
    expect(parseStatusLines(fixture('supervisord/status-no-socket.txt').split('\n'))).toEqual([]);
  });
});

describe('supervisord parse (captured fragment output)', () => {
  const services = [
    'crm-app',
    'crm-idle',
    'crm-exits',
    'crm-fatal',
    'crm-backoff',
    'crm-slow',
    'crm-stubborn',
    'grp',
    'prog',
    'other',
    'pool',
    'nosuch',
  ];
  const got = Object.fromEntries(
    supervisordDriver
      .parse(fixture('supervisord/fragment-all-states.txt'), services)
      .services.map((s) => [s.name, s]),
  );

  it('maps states; detail carries no pid, uptime or date', () => {
    expect(got['crm-app']).toEqual({
      name: 'crm-app',
      manager: 'supervisord',
      active: 'active',
      enabled: 'enabled',
      detail: 'RUNNING',
      unit: 'crm-app',
    });
    expect(got['crm-exits']).toMatchObject({ active: 'inactive', detail: 'EXITED' });
    expect(got['crm-slow']).toMatchObject({ active: 'activating' });
    expect(got['crm-stubborn']).toMatchObject({ active: 'deactivating' });
  });

  it('FATAL is failed; BACKOFF is still being retried, so activating; both with supervisor words', () => {
    expect(got['crm-fatal']).toMatchObject({
      active: 'failed',
      detail: "FATAL: can't find command '/nonexistent/crm-fatal'",
    });
    expect(got['crm-backoff']).toMatchObject({
      active: 'activating',
      detail: expect.stringMatching(/^BACKOFF: Exited too quickly/),
    });
  });

  it('autostart from the config and its [include] files (default true)', () => {
    expect(got['crm-idle']).toMatchObject({ active: 'inactive', enabled: 'disabled' });
    expect(got.other).toMatchObject({ enabled: 'disabled', unit: 'grp:other' });
    expect(got.prog).toMatchObject({ active: 'active', enabled: 'enabled', unit: 'grp:prog' });
  });

  it('a group name means all its processes', () => {
    expect(got.grp).toMatchObject({
      active: 'unknown',
      enabled: 'unknown',
      unit: 'grp:*',
      detail: 'STOPPED 1/2, RUNNING 1/2',
    });
    expect(got.pool).toMatchObject({
      active: 'active',
      enabled: 'enabled',
      unit: 'pool:*',
      detail: 'RUNNING 2/2',
    });
  });

  it('an unknown program is not-found', () => {
    expect(got.nosuch).toMatchObject({
      active: 'not-found',
      enabled: 'not-found',
      detail: 'no such program',
    });
  });

  it('supervisorctl not answering makes everything unknown', () => {
    const r = supervisordDriver.parse(fixture('supervisord/fragment-no-socket.txt'), ['crm-app']);
    expect(r.services[0]).toMatchObject({
      active: 'unknown',
      enabled: 'unknown',
      detail: 'could not read supervisord (exit 4): unix:///var/run/supervisor.sock no such file',
    });
  });

  // Supervisor 3 printed its socket error to stdout and exited 0 (Supervisor/supervisor#610).
  it('a socket error with exit 0 (supervisor 3) is "could not read", never "not found"', () => {
    const r = supervisordDriver.parse(fixture('supervisord/fragment-v3-no-socket-exit0.txt'), [
      'crm-app',
      'crm-db',
    ]);
    for (const s of r.services) {
      expect(s).toMatchObject({
        active: 'unknown',
        enabled: 'unknown',
        detail: 'could not read supervisord (exit 0): unix:///var/run/supervisord.sock no such file',
      });
    }
  });

  it('an empty status with exit 0 is "could not read" too', () => {
    const r = supervisordDriver.parse(fixture('supervisord/fragment-empty-exit0.txt'), ['crm-app']);
    expect(r.services[0]).toMatchObject({
      active: 'unknown',
      detail: 'could not read supervisord: supervisorctl status listed no process (exit 0)',
    });
  });
});

describe('supervisord config reading', () => {
  it('sections reset per file; booleans in supervisor spellings', () => {
    const programs = parseAutostart([
      '#file /etc/supervisord.conf',
      '[program:a]',
      'autostart = No',
      '[program:b]',
      '#file /etc/supervisor/conf.d/x.conf',
      'autostart=false',
      '[program:c]',
      'autostart: off ; comment',
    ]);
    expect(programs).toEqual(
      new Map([
        ['a', false],
        ['b', true],
        ['c', false],
      ]),
    );
    expect(parseAutostart([])).toBeUndefined();
  });
});

describe('supervisord commands', () => {
  const cmd = supervisordDriver.commands;
  it('supervisorctl with the observed name', () => {
    expect(cmd({ kind: 'start', service: 'crm-app' })).toEqual([['supervisorctl', 'start', 'crm-app']]);
    expect(cmd({ kind: 'stop', service: 'pool', observed: { unit: 'pool:*' } })).toEqual([
      ['supervisorctl', 'stop', 'pool:*'],
    ]);
    expect(cmd({ kind: 'restart', service: 'prog', observed: { unit: 'grp:prog' } })).toEqual([
      ['supervisorctl', 'restart', 'grp:prog'],
    ]);
  });

  it('enable/disable and runlevels: no commands, a reason instead', () => {
    for (const kind of ['enable', 'disable'] as const) {
      expect(cmd({ kind, service: 'crm-app' })).toEqual([]);
      expect(supervisordDriver.unsupported?.({ kind, service: 'crm-app' })).toMatch(/autostart=/);
    }
    expect(cmd({ kind: 'set-runlevel', target: '3' })).toEqual([]);
  });

  it('refuses an observed name that is not a supervisor name', () => {
    expect(() => cmd({ kind: 'start', service: 'x', observed: { unit: 'x; reboot' } })).toThrow(
      /bad supervisor name/,
    );
  });
});
