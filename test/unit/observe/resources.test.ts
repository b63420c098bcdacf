import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/drift/index.js';
import type { Desired } from '../../../src/model/desired.js';
import type { ReachableHost } from '../../../src/model/observed.js';
import { buildObserveScript, parseResources } from '../../../src/observe/index.js';
import { renderDriftJunit } from '../../../src/report/drift-junit.js';
import { renderDriftMarkdown } from '../../../src/report/drift-markdown.js';
import { renderDriftText } from '../../../src/report/drift-text.js';

const capture = (name: string) =>
  readFileSync(new URL(`../../fixtures/resources/${name}`, import.meta.url), 'utf8');

describe('the resources section (captured on the bed)', () => {
  it('systemd host: loadavg, meminfo, df -P per mount, a unit from its cgroup', () => {
    expect(parseResources(capture('bed-systemd.txt'))).toEqual({
      load: [5.3, 19.01, 33.79],
      memory: { totalKiB: 24683548, availableKiB: 23227548, swapTotalKiB: 0, swapFreeKiB: 0 },
      disks: {
        '/': { sizeKiB: 3145728, usedKiB: 715872, availableKiB: 2429856 },
        '/tmp': { sizeKiB: 2468356, usedKiB: 0, availableKiB: 2468356 },
        '/nonexistent': { error: 'no such directory' },
      },
      services: {
        ssh: { source: 'cgroup', memoryBytes: 9900032, cpuUsec: 48032589 },
        nosuch: { error: 'no running process found' },
      },
    });
  });

  it('SysV host: a service from its pidfile and children', () => {
    expect(parseResources(capture('bed-sysv.txt')).services?.sshd).toEqual({
      source: 'pids',
      memoryBytes: 17129472,
      cpuUsec: 750000,
    });
  });

  it('is in the script only when asked: a host with no thresholds pays nothing', () => {
    const nonce = '0123456789abcdef0123456789abcdef';
    expect(buildObserveScript(['a'], nonce)).not.toContain(':begin:resources');
    const script = buildObserveScript(
      ['a'],
      nonce,
      {},
      {
        resources: { host: true, mounts: ['/var/lib/x y'], services: [] },
      },
    );
    expect(script).toContain(':begin:resources');
    expect(script).toContain("'/var/lib/x y'");
  });
});

describe('thresholds and limits as drift (field resource)', () => {
  const origin = {};
  const desired: Desired = {
    playbooks: ['pb.yml'],
    hosts: {
      h: {
        host: 'h',
        resources: { disk: { '/': 20, '/tmp': 90 }, memory: 85, load: 4 },
        services: {
          ssh: {
            name: 'ssh',
            state: 'running',
            tier: 'main',
            manager: 'auto',
            requires: [],
            origin,
            limits: { memory: 8 * 1024 * 1024 },
          },
        },
      },
    },
  };
  const seen: ReachableHost = {
    status: 'ok',
    host: 'h',
    init: 'systemd',
    managers: ['systemd'],
    runlevel: {},
    services: { ssh: { name: 'ssh', manager: 'systemd', active: 'active', enabled: 'enabled' } },
    resources: parseResources(capture('bed-systemd.txt')),
  };
  const report = computeDrift(desired, { version: 1, hosts: { h: seen } });
  const items = report.hosts.h?.items ?? [];

  it('a breach drifts, the rest is in sync, and nothing else is planned for it', () => {
    expect(
      items
        .filter((i) => i.field === 'resource')
        .map((i) => [i.service ?? '', i.resource, i.observed, i.inSync]),
    ).toEqual([
      ['', 'disk /', '22.8% of 3.0 GiB', false],
      ['', 'disk /tmp', '0% of 2.4 GiB', true],
      ['', 'load', '5.3', false],
      ['', 'memory', '5.9% of 23.5 GiB', true],
      ['ssh', 'memory', '9.4 MiB (cgroup)', false],
    ]);
    expect(report.summary.drifts).toBe(3);
  });

  it('shows in every drift format', () => {
    expect(renderDriftText(report, { color: false })).toContain(
      '  resource disk /       observed 22.8% of 3.0 GiB, want at most 20%',
    );
    expect(renderDriftText(report, { color: false })).toContain('ssh resource memory');
    expect(renderDriftMarkdown(report)).toContain(
      '| (host) | resource disk / | at most 20% | 22.8% of 3.0 GiB | **drift** |',
    );
    expect(renderDriftJunit(report)).toContain('classname="h.resource"');
    expect(renderDriftJunit(report)).toContain('failures="3"');
  });
});
