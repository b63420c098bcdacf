import { DRIVER_KNOWLEDGE } from '../drivers/index.js';
import type { Desired, DesiredHost, DesiredService, ManagerKind } from '../model/desired.js';
import {
  DRIFT_FIELDS,
  type DriftField,
  type DriftItem,
  type DriftReport,
  type DriftSummary,
  type HostDrift,
  type RunlevelDriftItem,
  type ServiceDriftItem,
} from '../model/drift.js';
import type { ActiveState, EnabledState, ObservedSnapshot, ReachableHost } from '../model/observed.js';
import { diffHostDetailed, type ObservedRunlevelFor, runlevelTarget } from '../plan/index.js';

export interface DriftOptions {
  /** The drivers' knowledge of how a runlevel reads once reached (as for the planner). */
  observedRunlevelFor?: ObservedRunlevelFor;
}

/** A desired host the observer did not report on (e.g. left out of the snapshot) cannot be checked. */
const NOT_OBSERVED = 'not observed';

/** What the services and runlevels of each desired host look like against what was observed. */
export function computeDrift(
  desired: Desired,
  observed: ObservedSnapshot,
  opts: DriftOptions = {},
): DriftReport {
  const hosts: Record<string, HostDrift> = {};
  for (const name of Object.keys(desired.hosts).sort(byText)) {
    const want = desired.hosts[name];
    if (!want) continue;
    const seen = observed.hosts[name];
    if (seen?.status !== 'ok') {
      hosts[name] = {
        status: 'unchecked',
        reason: seen?.reason ?? NOT_OBSERVED,
        items: sortItems(uncheckedItems(want)),
      };
      continue;
    }
    const items = sortItems([...runlevelItems(want, seen, opts), ...serviceItems(want, seen)]);
    hosts[name] = { status: items.every((i) => i.inSync) ? 'in-sync' : 'drift', items };
  }
  return { version: 1, hosts, summary: summarise(hosts) };
}

/**
 * In sync exactly when the planner would change nothing: its own comparison decides, so `3` matches
 * multi-user.target on systemd, and a boot default is compared where the init's driver has one.
 */
function runlevelItems(want: DesiredHost, seen: ReachableHost, opts: DriftOptions): RunlevelDriftItem[] {
  if (!want.runlevel) return [];
  const target = runlevelTarget(want.runlevel);
  const { current, default: bootDefault } = seen.runlevel;
  if (seen.init === 'unknown') {
    // The planner cannot map a level without knowing the init; only the same words count as in sync.
    return [
      {
        kind: 'runlevel',
        field: 'runlevel',
        desired: target,
        observed: current ?? 'unknown',
        inSync: current === target,
      },
    ];
  }
  const hooks = opts.observedRunlevelFor ? { observedRunlevelFor: opts.observedRunlevelFor } : {};
  const changes = diffHostDetailed(
    { host: want.host, runlevel: want.runlevel, services: {} },
    seen,
    hooks,
  ).changes;
  const changed = new Set(changes.map((c) => c.kind));
  const manager = seen.init;
  const items: RunlevelDriftItem[] = [
    {
      kind: 'runlevel',
      field: 'runlevel',
      desired: target,
      observed: current ?? 'unknown',
      inSync: !changed.has('set-runlevel'),
      manager,
    },
  ];
  if (DRIVER_KNOWLEDGE.capabilities(manager).bootDefault) {
    items.push({
      kind: 'runlevel',
      field: 'default-runlevel',
      desired: target,
      observed: bootDefault ?? 'unknown',
      inSync: !changed.has('set-default-runlevel'),
      manager,
    });
  }
  return items;
}

function serviceItems(want: DesiredHost, seen: ReachableHost): ServiceDriftItem[] {
  const items: ServiceDriftItem[] = [];
  for (const svc of Object.values(want.services)) {
    const found = seen.services[svc.name];
    // A service missing from the facts is one the host does not have: the same as not-found.
    const active: ActiveState = found?.active ?? 'not-found';
    const enabled: EnabledState = found?.enabled ?? 'not-found';
    const manager = managerOf(svc, found?.manager ?? (seen.init === 'unknown' ? undefined : seen.init));
    const base = { kind: 'service' as const, service: svc.name, ...(manager ? { manager } : {}) };
    if (active === 'not-found' && wantsUp(svc)) {
      // Nothing else about a missing service can be compared: one drift, not one per field.
      items.push({ ...base, field: 'present', desired: 'present', observed: 'not-found', inSync: false });
      continue;
    }
    items.push({
      ...base,
      field: 'state',
      desired: svc.state,
      observed: active,
      inSync: stateInSync(svc.state, active),
    });
    if (svc.enabled !== undefined) {
      items.push({
        ...base,
        field: 'enabled',
        desired: svc.enabled ? 'enabled' : 'disabled',
        observed: enabled,
        inSync: enabledInSync(svc.enabled, enabled),
      });
    }
    if (svc.masked) {
      items.push({
        ...base,
        field: 'masked',
        desired: 'masked',
        observed: enabled,
        inSync: enabled === 'masked' || enabled === 'not-found',
      });
    }
  }
  return items;
}

/** As the planner reads it: a service that should run or start at boot has to exist. */
function wantsUp(svc: DesiredService): boolean {
  return svc.state === 'running' || svc.enabled === true;
}

/** Running is only `active`; a transition or an unknown state is not yet what was asked for. */
export function stateInSync(want: DesiredService['state'], seen: ActiveState): boolean {
  if (want === 'running') return seen === 'active';
  return seen === 'inactive' || seen === 'failed' || seen === 'not-found';
}

/**
 * A static unit starts whenever what pulls it in starts, so it counts as enabled; a masked one can
 * never start, so it counts as disabled (as does one the host does not have).
 */
export function enabledInSync(want: boolean, seen: EnabledState): boolean {
  if (want) return seen === 'enabled' || seen === 'static';
  return seen === 'disabled' || seen === 'masked' || seen === 'not-found';
}

/** Resolved as the planner does: the declared manager, else the observed service's, else the init. */
function managerOf(svc: DesiredService, fallback: ManagerKind | undefined): ManagerKind | undefined {
  return svc.manager !== 'auto' ? svc.manager : fallback;
}

/** What would have been checked on a host that could not be: every declared field, observed unknown. */
function uncheckedItems(want: DesiredHost): DriftItem[] {
  const items: DriftItem[] = [];
  if (want.runlevel) {
    const desired = runlevelTarget(want.runlevel);
    items.push({ kind: 'runlevel', field: 'runlevel', desired, observed: 'unknown', inSync: false });
  }
  for (const svc of Object.values(want.services)) {
    const manager = managerOf(svc, undefined);
    const base = { kind: 'service' as const, service: svc.name, ...(manager ? { manager } : {}) };
    items.push({ ...base, field: 'state', desired: svc.state, observed: 'unknown', inSync: false });
    if (svc.enabled !== undefined) {
      const desired = svc.enabled ? 'enabled' : 'disabled';
      items.push({ ...base, field: 'enabled', desired, observed: 'unknown', inSync: false });
    }
  }
  return items;
}

const FIELD_RANK: Record<DriftField, number> = Object.fromEntries(
  DRIFT_FIELDS.map((f, i) => [f, i]),
) as Record<DriftField, number>;

/** Host-wide items (runlevel) first, then by service, then in DRIFT_FIELDS order. */
export function compareItems(a: DriftItem, b: DriftItem): number {
  return byText(a.service ?? '', b.service ?? '') || FIELD_RANK[a.field] - FIELD_RANK[b.field];
}

function sortItems<T extends DriftItem>(items: T[]): T[] {
  return items.sort(compareItems);
}

export function summarise(hosts: Record<string, HostDrift>): DriftSummary {
  const all = Object.values(hosts);
  const count = (status: HostDrift['status']) => all.filter((h) => h.status === status).length;
  return {
    hosts: all.length,
    inSync: count('in-sync'),
    drifted: count('drift'),
    unchecked: count('unchecked'),
    items: all.reduce((n, h) => n + h.items.length, 0),
    drifts: all.reduce(
      (n, h) => n + (h.status === 'unchecked' ? 0 : h.items.filter((i) => !i.inSync).length),
      0,
    ),
  };
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
