import type {
  ActiveState,
  Desired,
  DesiredHost,
  DesiredService,
  EnabledState,
  ManagerKind,
  ObservedHost,
  ObservedService,
  ObservedSnapshot,
  ReachableHost,
  Runlevel,
} from '../../../src/model/index.js';
import { buildPlan, type CommandsFor, type PlanResult } from '../../../src/plan/index.js';

/** Stand-in for the drivers: one readable argv per change, enough to see it was injected. */
export const fakeCommands: CommandsFor = (_host, manager, change) => [
  [manager, change.kind, change.service ?? change.target ?? ''],
];

export function svc(
  name: string,
  opts: Partial<Omit<DesiredService, 'name' | 'requires'>> & { requires?: string[] } = {},
): DesiredService {
  const { requires = [], ...rest } = opts;
  return {
    name,
    state: 'running',
    tier: 'app',
    manager: 'auto',
    origin: {},
    ...rest,
    requires: requires.map((raw) => {
      const [host, service] = raw.includes(':') ? (raw.split(':') as [string, string]) : ['?', raw];
      return { raw, host, service };
    }),
  };
}

export function dhost(host: string, services: DesiredService[], runlevel?: Runlevel): DesiredHost {
  // "svc" requirements (no host) mean the same host, as the loader resolves them.
  const resolved = services.map((s) => ({
    ...s,
    requires: s.requires.map((r) => ('host' in r && r.host === '?' ? { ...r, host } : r)),
  }));
  return {
    host,
    ...(runlevel ? { runlevel } : {}),
    services: Object.fromEntries(resolved.map((s) => [s.name, s])),
  };
}

export function desired(...hosts: DesiredHost[]): Desired {
  return { playbooks: ['playbooks/site.yml'], hosts: Object.fromEntries(hosts.map((h) => [h.host, h])) };
}

export function osvc(
  name: string,
  active: ActiveState,
  enabled: EnabledState = 'enabled',
  manager: ManagerKind = 'systemd',
): ObservedService {
  return { name, manager, active, enabled };
}

export function ohost(
  host: string,
  services: ObservedService[],
  opts: Partial<Pick<ReachableHost, 'init' | 'runlevel' | 'managers'>> = {},
): ReachableHost {
  return {
    status: 'ok',
    host,
    init: opts.init ?? 'systemd',
    managers: opts.managers ?? [opts.init === undefined || opts.init === 'unknown' ? 'systemd' : opts.init],
    runlevel: opts.runlevel ?? { current: 'multi-user.target', default: 'multi-user.target' },
    services: Object.fromEntries(services.map((s) => [s.name, s])),
  };
}

export function observed(...hosts: ObservedHost[]): ObservedSnapshot {
  return { version: 1, hosts: Object.fromEntries(hosts.map((h) => [h.host, h])) };
}

export function plan(d: Desired, o: ObservedSnapshot): PlanResult {
  return buildPlan({
    desired: d,
    observed: o,
    inventoryFiles: ['inventory/hosts.yml'],
    commandsFor: fakeCommands,
  });
}

export function stepById(r: PlanResult, id: string) {
  const s = r.plan.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${r.plan.steps.map((x) => x.id).join(', ')}`);
  return s;
}
