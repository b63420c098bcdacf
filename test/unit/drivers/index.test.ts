import { describe, expect, it } from 'vitest';
import {
  ALL_DRIVERS,
  commandsFor,
  driverFor,
  observedRunlevelFor,
  unsupportedChange,
} from '../../../src/drivers/index.js';
import { MANAGERS } from '../../../src/model/desired.js';

describe('driver registry', () => {
  it('one driver per manager kind', () => {
    expect(ALL_DRIVERS.map((d) => d.kind).sort()).toEqual([...MANAGERS].sort());
    for (const kind of MANAGERS) expect(driverFor(kind).kind).toBe(kind);
  });

  it('commandsFor is the driver of the manager', () => {
    expect(commandsFor('h1', 'systemd', { kind: 'start', service: 'crm-db' })).toEqual([
      ['systemctl', 'start', '--', 'crm-db.service'],
    ]);
    expect(commandsFor('h1', 'openrc', { kind: 'start', service: 'crm-db' })).toEqual([
      ['rc-service', 'crm-db', 'start'],
    ]);
  });

  it('says what a manager cannot do', () => {
    expect(unsupportedChange('supervisord', { kind: 'enable', service: 'crm-app' })).toMatch(/autostart/);
    expect(unsupportedChange('systemd', { kind: 'enable', service: 'crm-app' })).toBeUndefined();
    expect(observedRunlevelFor('systemd', '3')).toBe('multi-user.target');
    expect(observedRunlevelFor('sysv', '3')).toBe('3');
    expect(observedRunlevelFor('openrc', '3')).toBe('default');
  });

  it('a name that is not valid is a bug, not a command', () => {
    for (const d of ALL_DRIVERS) expect(() => d.commands({ kind: 'start', service: '$(reboot)' })).toThrow();
  });
});
