import { describe, expect, it } from 'vitest';
import { dockerDriver, parseInspectLines, policyEnabled } from '../../../src/drivers/docker.js';
import { namesFor } from '../../../src/drivers/index.js';
import { fixture } from './fixture.js';

const NAMES = ['c-up', 'c-always', 'c-created', 'c-exited', 'c-missing'];

describe('docker inspect (captured, docker.io engine 20.10.24)', () => {
  it('reads name, status, exit code and restart policy of each container found', () => {
    const lines = fixture('docker/fragment-engine-20.10.txt')
      .split('\n')
      .map((l) => l.replace(/^inspect\|/, ''));
    expect(parseInspectLines(lines)).toEqual([
      { name: 'c-up', status: 'running', exitCode: 0, policy: 'unless-stopped' },
      { name: 'c-always', status: 'exited', exitCode: 137, policy: 'always' },
      { name: 'c-created', status: 'created', exitCode: 0, policy: 'no' },
      { name: 'c-exited', status: 'restarting', exitCode: 3, policy: 'on-failure' },
    ]);
  });

  it('maps run state and restart policy, and a missing container is not-found', () => {
    const { services } = dockerDriver.parse(fixture('docker/fragment-engine-20.10.txt'), NAMES);
    expect(services.map((s) => [s.name, s.active, s.enabled, s.detail])).toEqual([
      ['c-up', 'active', 'enabled', 'running, restart policy unless-stopped'],
      ['c-always', 'inactive', 'enabled', 'exited (code 137), restart policy always'],
      ['c-created', 'inactive', 'disabled', 'created, restart policy no'],
      ['c-exited', 'activating', 'disabled', 'restarting, restart policy on-failure'],
      ['c-missing', 'not-found', 'not-found', 'no such container'],
    ]);
    expect(services.every((s) => s.manager === 'docker' && s.problem === undefined)).toBe(true);
  });

  it('an engine that does not answer is a problem per container, in its own words', () => {
    const { services } = dockerDriver.parse(fixture('docker/fragment-no-engine.txt'), ['c-up', 'c-missing']);
    expect(services.map((s) => s.active)).toEqual(['unknown', 'unknown']);
    expect(services[0]?.problem).toBe(
      'the docker engine did not answer: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    );
  });

  it('discovery lists every container after the requested ones', () => {
    const { services } = dockerDriver.parse(fixture('docker/fragment-discover.txt'), ['c-up'], {
      discover: true,
    });
    expect(services.map((s) => s.name)).toEqual(['c-up', 'c-always', 'c-created', 'c-exited']);
  });

  it('restart policies: always and unless-stopped start with the engine', () => {
    expect(['always', 'unless-stopped', 'no', '', 'on-failure', 'weird'].map(policyEnabled)).toEqual([
      'enabled',
      'enabled',
      'disabled',
      'disabled',
      'disabled',
      'unknown',
    ]);
  });
});

describe('docker observes only what a playbook gives manager: docker', () => {
  it('gets no names from auto or other managers, and then asks the engine nothing', () => {
    const managers = { web: 'docker', db: 'systemd' } as const;
    expect(namesFor(dockerDriver, ['db', 'web', 'other'], { managers })).toEqual(['web']);
    const script = dockerDriver.observeScript([]);
    expect(script).toContain('if [ $# -gt 0 ]; then');
    expect(script.startsWith('set --\n')).toBe(true);
  });

  it('names are quoted words, never shell text', () => {
    expect(dockerDriver.observeScript(['a.b', 'c_d'])).toContain('set -- a.b c_d\n');
    expect(() => dockerDriver.observeScript(['x;rm'])).toThrow(/invalid service name/);
    expect(() => dockerDriver.commands({ kind: 'start', service: 'a@b' })).toThrow(/container name/);
  });
});
