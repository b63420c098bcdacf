import { describe, expect, it } from 'vitest';
import { parseJobLines, upstartActive, upstartDriver } from '../../../src/drivers/upstart.js';
import { fixture } from './fixture.js';

describe('initctl list lines', () => {
  it('reads a real Ubuntu 12.04 listing, instances included', () => {
    const jobs = parseJobLines(fixture('upstart/initctl-list-ubuntu-12.04.txt').split('\n'));
    expect(jobs).toHaveLength(69);
    expect(jobs.find((j) => j.job === 'ssh')).toEqual({
      job: 'ssh',
      instance: undefined,
      goal: 'start',
      state: 'running',
    });
    expect(jobs.find((j) => j.job === 'ufw')).toMatchObject({ goal: 'start', state: 'running' });
    expect(jobs.filter((j) => j.job === 'network-interface').map((j) => j.instance)).toEqual([
      'eth0',
      'eth1',
      'lo',
      'tun0',
    ]);
  });

  it('goal/state to active', () => {
    expect(upstartActive('start', 'running')).toBe('active');
    expect(upstartActive('start', 'pre-start')).toBe('activating');
    expect(upstartActive('start', 'post-stop')).toBe('activating');
    expect(upstartActive('stop', 'waiting')).toBe('inactive');
    expect(upstartActive('stop', 'killed')).toBe('deactivating');
  });
});

describe('upstart parse', () => {
  const services = [
    'crm-db',
    'crm-app',
    'crm-worker',
    'crm-hung',
    'crm-respawn',
    'network-interface',
    'crm-broken',
    'nosuch',
  ];
  const facts = upstartDriver.parse(fixture('upstart/fragment-mixed.txt'), services);
  const got = Object.fromEntries(facts.services.map((s) => [s.name, s]));

  it('state from initctl list, boot from the job files', () => {
    expect(got['crm-db']).toMatchObject({ active: 'active', enabled: 'enabled', detail: 'start/running' });
    expect(got['crm-app']).toMatchObject({ active: 'inactive', enabled: 'disabled' });
    expect(got['crm-worker']).toMatchObject({ active: 'activating', enabled: 'static' });
    expect(got['crm-hung']).toMatchObject({
      active: 'deactivating',
      enabled: 'disabled',
      detail: 'stop/killed',
    });
    expect(got['crm-respawn']).toMatchObject({ active: 'activating' });
  });

  it('an instance job is active when an instance runs', () => {
    expect(got['network-interface']).toMatchObject({
      active: 'active',
      detail: 'start/running (2 instances)',
    });
  });

  it('a job file that did not load is unknown; no job at all is not-found', () => {
    expect(got['crm-broken']).toMatchObject({ active: 'unknown', enabled: 'enabled' });
    expect(got.nosuch).toMatchObject({ active: 'not-found', enabled: 'not-found' });
  });

  it('runlevel from runlevel, default from rc-sysinit.conf', () => {
    expect(facts.runlevel).toEqual({ current: '2', default: '2' });
  });
});

describe('upstart commands', () => {
  const cmd = upstartDriver.commands;
  it('initctl for run state', () => {
    expect(cmd({ kind: 'start', service: 'crm-db' })).toEqual([['initctl', 'start', 'crm-db']]);
    expect(cmd({ kind: 'stop', service: 'crm-db' })).toEqual([['initctl', 'stop', 'crm-db']]);
    expect(cmd({ kind: 'restart', service: 'crm-db' })).toEqual([['initctl', 'restart', 'crm-db']]);
  });

  it('enable/disable edit the override file; the name is an argument, never shell text', () => {
    expect(cmd({ kind: 'enable', service: 'crm-db' })).toEqual([
      ['sed', '-i', '/^[[:space:]]*manual[[:space:]]*$/d', '/etc/init/crm-db.override'],
    ]);
    const [disable] = cmd({ kind: 'disable', service: 'crm-db' });
    expect(disable).toEqual([
      'sh',
      '-c',
      'grep -qsx manual "$1" || echo manual >> "$1"',
      'sh',
      '/etc/init/crm-db.override',
    ]);
    expect(disable?.[2]).not.toContain('crm-db');
  });

  it('runlevels with telinit; default in rc-sysinit.conf; targets unsupported', () => {
    expect(cmd({ kind: 'set-runlevel', target: '2' })).toEqual([['telinit', '2']]);
    expect(cmd({ kind: 'set-default-runlevel', target: '3' })).toEqual([
      [
        'sed',
        '-i',
        '-e',
        's/^\\([[:space:]]*env[[:space:]]\\{1,\\}DEFAULT_RUNLEVEL=\\).*/\\13/',
        '/etc/init/rc-sysinit.conf',
      ],
    ]);
    expect(cmd({ kind: 'set-runlevel', target: 'graphical.target' })).toEqual([]);
  });
});
