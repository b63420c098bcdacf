import { describe, expect, it } from 'vitest';
import { dockerDriver, podmanDriver } from '../../../src/drivers/docker.js';
import { ALL_DRIVERS, namesFor } from '../../../src/drivers/index.js';
import { fixture } from './fixture.js';

const NAMES = ['c-up', 'c-always', 'c-created', 'c-exited', 'c-missing'];

describe('podman inspect (captured, Debian podman 4.3.1, rootful)', () => {
  it('maps run state and restart policy; podman says "stopped" where docker says "exited"', () => {
    const { services } = podmanDriver.parse(fixture('podman/fragment-podman-4.3.txt'), NAMES);
    expect(services.map((s) => [s.name, s.active, s.enabled, s.detail])).toEqual([
      ['c-up', 'active', 'enabled', 'running, restart policy unless-stopped'],
      ['c-always', 'inactive', 'enabled', 'exited (code 137), restart policy always'],
      ['c-created', 'inactive', 'disabled', 'created, restart policy no'],
      ['c-exited', 'inactive', 'disabled', 'stopped, restart policy on-failure'],
      ['c-missing', 'not-found', 'not-found', 'no such container'],
    ]);
    expect(services.every((s) => s.manager === 'podman' && s.problem === undefined)).toBe(true);
  });

  it('discovery lists every container after the requested ones', () => {
    const { services } = podmanDriver.parse(fixture('podman/fragment-discover.txt'), ['c-up'], {
      discover: true,
    });
    expect(services.map((s) => s.name)).toEqual(['c-up', 'c-always', 'c-created', 'c-exited']);
  });
});

describe('podman is its own manager beside docker', () => {
  it('asks the podman CLI, and only for names a playbook gives manager: podman', () => {
    const managers = { web: 'docker', pod: 'podman', db: 'systemd' } as const;
    expect(namesFor(podmanDriver, ['db', 'web', 'pod'], { managers })).toEqual(['pod']);
    expect(namesFor(dockerDriver, ['db', 'web', 'pod'], { managers })).toEqual(['web']);
    const script = podmanDriver.observeScript(['pod']);
    expect(script).toContain(' podman inspect --type container ');
    expect(script).not.toContain('docker');
    expect(podmanDriver.detection.probes[0]?.test).toBe('command -v podman >/dev/null 2>&1');
  });

  it('is probed after docker, both declaredOnly', () => {
    const kinds = ALL_DRIVERS.map((d) => d.kind);
    expect(kinds.slice(-2)).toEqual(['docker', 'podman']);
    expect(podmanDriver.detection.declaredOnly).toBe(true);
  });

  it('reads a container resources from its first process, through podman', () => {
    expect(podmanDriver.resourceSource?.('pod')).toContain(
      "podman inspect --type container --format '{{.State.Pid}}' pod",
    );
  });
});
