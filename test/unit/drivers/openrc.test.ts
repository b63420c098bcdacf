import { describe, expect, it } from 'vitest';
import { levelToRunlevel, openrcDriver, runlevelsByService } from '../../../src/drivers/openrc.js';
import { fixture } from './fixture.js';

describe('openrc parse', () => {
  const services = [
    'crm-db',
    'crm-app',
    'crm-idle',
    'crm-boot',
    'crm-net',
    'crm-starting',
    'crm-stopping',
    'crm-custom',
    'nosuch',
  ];
  const facts = openrcDriver.parse(fixture('openrc/fragment-mixed.txt'), services);
  const got = Object.fromEntries(facts.services.map((s) => [s.name, s]));

  it('maps openrc-run status codes', () => {
    expect(got['crm-db']).toMatchObject({ active: 'active', enabled: 'enabled', runlevels: ['default'] });
    expect(got['crm-app']).toMatchObject({
      active: 'failed',
      detail: 'status: crashed; in runlevel default',
    });
    expect(got['crm-idle']).toMatchObject({
      active: 'inactive',
      enabled: 'disabled',
      detail: 'status: stopped; in no runlevel',
    });
    expect(got['crm-net']).toMatchObject({ active: 'activating' });
    expect(got['crm-starting']).toMatchObject({ active: 'activating' });
    expect(got['crm-stopping']).toMatchObject({ active: 'deactivating' });
    expect(got['crm-custom']).toMatchObject({ active: 'unknown', detail: 'status: exit 1; in no runlevel' });
  });

  it('a service in the boot runlevel starts at boot too', () => {
    expect(got['crm-boot']).toMatchObject({ enabled: 'enabled', runlevels: ['boot'] });
  });

  it('a service that does not exist is not-found', () => {
    expect(got.nosuch).toMatchObject({ active: 'not-found', enabled: 'not-found' });
  });

  it('reads the current runlevel', () => {
    expect(facts.runlevel).toEqual({ current: 'default' });
  });

  it('parses rc-update show lines', () => {
    const m = runlevelsByService(['             local |      default nonetwork          ', 'garbage']);
    expect(m).toEqual(new Map([['local', ['default', 'nonetwork']]]));
  });
});

describe('openrc commands', () => {
  const cmd = openrcDriver.commands;
  it('rc-service for run state, rc-update for boot', () => {
    expect(cmd({ kind: 'start', service: 'crm-db' })).toEqual([['rc-service', 'crm-db', 'start']]);
    expect(cmd({ kind: 'stop', service: 'crm-db' })).toEqual([['rc-service', 'crm-db', 'stop']]);
    expect(cmd({ kind: 'restart', service: 'crm-db' })).toEqual([['rc-service', 'crm-db', 'restart']]);
    expect(cmd({ kind: 'enable', service: 'crm-db' })).toEqual([['rc-update', 'add', 'crm-db', 'default']]);
    expect(cmd({ kind: 'disable', service: 'crm-db' })).toEqual([['rc-update', 'del', 'crm-db', 'default']]);
  });

  it('disable removes it from every observed runlevel that starts it', () => {
    const observed = { runlevels: ['boot', 'default', 'off', 'shutdown'] };
    expect(cmd({ kind: 'disable', service: 'crm-db', observed })).toEqual([
      ['rc-update', 'del', 'crm-db', 'boot', 'default'],
    ]);
  });

  it('levels 2-5 map to default; level 1 has no portable name', () => {
    expect(cmd({ kind: 'set-runlevel', target: '1' })).toEqual([]);
    expect(openrcDriver.unsupported?.({ kind: 'set-runlevel', target: '1' })).toMatch(/recovery on Debian/);
    expect(cmd({ kind: 'set-runlevel', target: 'recovery' })).toEqual([['openrc', 'recovery']]);
    expect(cmd({ kind: 'set-runlevel', target: '3' })).toEqual([['openrc', 'default']]);
    expect(cmd({ kind: 'set-runlevel', target: 'nonetwork' })).toEqual([['openrc', 'nonetwork']]);
    expect(levelToRunlevel('5')).toBe('default');
    expect(openrcDriver.observedRunlevel?.('4')).toBe('default');
  });

  it('the boot default is not an OpenRC command', () => {
    const change = { kind: 'set-default-runlevel', target: 'default' } as const;
    expect(cmd(change)).toEqual([]);
    expect(openrcDriver.unsupported?.(change)).toMatch(/chosen by the init/);
  });
});

describe('openrc: a crashed service (still recorded as started)', () => {
  const cmd = openrcDriver.commands;
  it('is stopped by resetting the record (zap), and reset before it is started again', () => {
    const observed = { crashed: true };
    expect(cmd({ kind: 'stop', service: 'crm-db', observed })).toEqual([['rc-service', 'crm-db', 'zap']]);
    expect(cmd({ kind: 'start', service: 'crm-db', observed })).toEqual([
      ['rc-service', 'crm-db', 'zap'],
      ['rc-service', 'crm-db', 'start'],
    ]);
  });
});
