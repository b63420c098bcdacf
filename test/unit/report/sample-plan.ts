import type { Plan, PlanHost } from '../../../src/model/index.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** A plan host entry; renderers read only the digest and the unreachable reason. */
export function planHost(name: string, d: string, unreachable?: string): PlanHost {
  return unreachable === undefined
    ? {
        digest: d,
        services: [],
        observed: {
          status: 'ok',
          host: name,
          init: 'systemd',
          managers: ['systemd'],
          runlevel: {},
          services: {},
        },
      }
    : {
        digest: d,
        unreachable,
        services: [],
        observed: { status: 'unreachable', host: name, reason: unreachable },
      };
}

/** A small hand-made plan: two hosts, two waves, a runlevel step, one unreachable host. */
export function samplePlan(): Plan {
  return {
    version: 1,
    playbooks: ['playbooks/site.yml'],
    inventory: ['inventory/hosts.yml'],
    hosts: {
      'bed-openrc': planHost('bed-openrc', digest('c'), 'connection refused'),
      'bed-systemd': planHost('bed-systemd', digest('a')),
      'bed-sysv': planHost('bed-sysv', digest('b')),
    },
    steps: [
      {
        id: 'bed-systemd/start/crm-db',
        host: 'bed-systemd',
        kind: 'start',
        service: 'crm-db',
        manager: 'systemd',
        reason: 'observed inactive, want running',
        commands: [['systemctl', 'start', 'crm-db']],
        after: [],
        wave: 1,
        health: { kind: 'tcp', port: 5432, host: '127.0.0.1', timeoutSec: 30 },
      },
      {
        id: 'bed-sysv/set-runlevel/runlevel',
        host: 'bed-sysv',
        kind: 'set-runlevel',
        manager: 'sysv',
        target: '3',
        reason: 'observed runlevel 2, want runlevel 3',
        commands: [['telinit', '3']],
        after: [],
        wave: 1,
      },
      {
        id: 'bed-sysv/start/crm-app',
        host: 'bed-sysv',
        kind: 'start',
        service: 'crm-app',
        manager: 'sysv',
        reason: 'observed failed, want running',
        commands: [['/etc/init.d/crm-app', 'start']],
        after: ['bed-systemd/start/crm-db', 'bed-sysv/set-runlevel/runlevel'],
        wave: 2,
      },
    ],
    waves: [['bed-systemd/start/crm-db', 'bed-sysv/set-runlevel/runlevel'], ['bed-sysv/start/crm-app']],
  };
}

export function emptyPlan(): Plan {
  return {
    version: 1,
    playbooks: ['playbooks/site.yml'],
    inventory: ['inventory/hosts.yml'],
    hosts: { 'bed-systemd': planHost('bed-systemd', digest('a')) },
    steps: [],
    waves: [],
  };
}
