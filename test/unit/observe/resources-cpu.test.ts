import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/drift/index.js';
import type { Desired, DesiredService } from '../../../src/model/desired.js';
import type { ReachableHost } from '../../../src/model/observed.js';
import { parseResources, resourcesFragment } from '../../../src/observe/index.js';
import { renderDriftJson } from '../../../src/report/drift-json.js';
import { renderDriftJunit } from '../../../src/report/drift-junit.js';
import { renderDriftMarkdown } from '../../../src/report/drift-markdown.js';
import { renderDriftText } from '../../../src/report/drift-text.js';

const capture = (name: string) =>
  readFileSync(new URL(`../../fixtures/resources/${name}`, import.meta.url), 'utf8');

describe('CPU over a one-second window (captured on the bed)', () => {
  it('systemd: two cgroup readings of usage_usec and /proc/uptime give % of one core', () => {
    const r = parseResources(capture('bed-systemd-cpu.txt'));
    // (2234709 - 1529651) µs over 27604.23 - 27602.60 s: a busy loop sharing 2 cores under load 14.
    expect(r.services?.['runstate-cpuhog']).toEqual({
      source: 'cgroup',
      memoryBytes: 1679360,
      cpuUsec: 1529651,
      cpuPercent: 43.3,
    });
    expect(r.services?.ssh?.cpuPercent).toBe(0);
    // Read once only: no cpu limit was declared for it.
    expect(r.services?.cron).toEqual({ error: 'no running process found' });
    expect(r.services?.nosuch).toEqual({ error: 'no running process found' });
  });

  it('SysV: the processes of the pidfile and their children, clock ticks', () => {
    const r = parseResources(capture('bed-sysv-cpu.txt'));
    expect(r.services?.sshd?.cpuPercent).toBe(1.3);
    expect(r.services?.['runstate-cpuhog']?.cpuPercent).toBeUndefined();
  });

  it('no rate when the counter goes backwards or the source changed between readings', () => {
    const r = parseResources(
      [
        'svc|a|pids|1|500000|10.00',
        'cpu|a|pids|1|400000|11.00',
        'svc|b|cgroup|1|5|10.00',
        'cpu|b|pids|1|9|11.00',
      ].join('\n'),
    );
    expect(r.services?.a?.cpuPercent).toBeUndefined();
    expect(r.services?.b?.cpuPercent).toBeUndefined();
  });

  it('sleeps once per host, and reads again only the services with a cpu limit', () => {
    const sh = resourcesFragment({
      host: false,
      mounts: [],
      services: [
        { name: 'a', manager: 'systemd', cpu: true },
        { name: 'b', manager: 'systemd' },
        { name: 'c', manager: 'systemd', cpu: true },
      ],
    });
    expect(sh.match(/^sleep 1$/gm)).toHaveLength(1);
    expect(sh.match(/sed 's\/\^svc\|\/cpu\|\/'/g)).toHaveLength(2);
    expect(
      resourcesFragment({ host: false, mounts: [], services: [{ name: 'b', manager: 'systemd' }] }),
    ).not.toContain('sleep 1');
  });
});

describe('cpu limits as drift (field resource)', () => {
  const svc = (name: string, cpu: number): DesiredService => ({
    name,
    state: 'running',
    tier: 'main',
    manager: 'auto',
    requires: [],
    origin: {},
    limits: { cpu },
  });
  const desired: Desired = {
    playbooks: ['pb.yml'],
    hosts: {
      h: {
        host: 'h',
        services: {
          'runstate-cpuhog': svc('runstate-cpuhog', 20),
          ssh: svc('ssh', 20),
          nosuch: svc('nosuch', 5),
        },
      },
    },
  };
  const active = (name: string) => ({
    name,
    manager: 'systemd' as const,
    active: 'active' as const,
    enabled: 'enabled' as const,
  });
  const seen: ReachableHost = {
    status: 'ok',
    host: 'h',
    init: 'systemd',
    managers: ['systemd'],
    runlevel: {},
    services: {
      'runstate-cpuhog': active('runstate-cpuhog'),
      ssh: active('ssh'),
      nosuch: { name: 'nosuch', manager: 'systemd', active: 'not-found', enabled: 'not-found' },
    },
    resources: parseResources(capture('bed-systemd-cpu.txt')),
  };
  const report = computeDrift(desired, { version: 1, hosts: { h: seen } });
  const cpuItems = (report.hosts.h?.items ?? []).filter((i) => i.field === 'resource');

  it('over the share drifts, under it is in sync, a service that does not run is not measured (sorted by name)', () => {
    expect(cpuItems.map((i) => [i.service, i.resource, i.desired, i.observed, i.inSync])).toEqual([
      ['nosuch', 'cpu', 'at most 5% of a core', 'not measured: no running process found', true],
      ['runstate-cpuhog', 'cpu', 'at most 20% of a core', '43.3% of a core (cgroup)', false],
      ['ssh', 'cpu', 'at most 20% of a core', '0% of a core (cgroup)', true],
    ]);
  });

  it('shows in every drift format', () => {
    expect(renderDriftText(report, { color: false })).toMatch(
      /runstate-cpuhog resource cpu\s+observed 43\.3% of a core \(cgroup\), want at most 20% of a core/,
    );
    expect(renderDriftMarkdown(report)).toContain(
      '| runstate-cpuhog | resource cpu | at most 20% of a core | 43.3% of a core (cgroup) | **drift** |',
    );
    expect(renderDriftJunit(report)).toContain('name="runstate-cpuhog resource cpu"');
    const json = JSON.parse(renderDriftJson(report)) as { hosts: { h: { items: { resource?: string }[] } } };
    expect(json.hosts.h.items.filter((i) => i.resource === 'cpu')).toHaveLength(3);
  });

  it('an unreachable host names the cpu limit as unknown', () => {
    const r = computeDrift(desired, {
      version: 1,
      hosts: { h: { status: 'unreachable', host: 'h', reason: 'x' } },
    });
    expect(
      (r.hosts.h?.items ?? [])
        .filter((i) => i.field === 'resource')
        .map((i) => [i.service, i.resource, i.observed]),
    ).toEqual([
      ['nosuch', 'cpu', 'unknown'],
      ['runstate-cpuhog', 'cpu', 'unknown'],
      ['ssh', 'cpu', 'unknown'],
    ]);
  });
});
