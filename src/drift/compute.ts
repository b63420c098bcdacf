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
import { resourceItems } from './resources.js';

export interface DriftOptions {
  /** The drivers' knowledge of how a runlevel reads once reached (as for the planner). */
  observedRunlevelFor?: ObservedRunlevelFor;
  /**
   * Declared gates probed now, per host and service (only running ones are probed). Without it
   * (a snapshot cannot be probed) no `health` items are reported.
   */
  health?: GateProbes;
}

/** One probe per declared gate of a running service: passed, or the probe's last output. */
export type GateProbes = Record<string, Record<string, { ok: true } | { ok: false; output: string }>>;

/** A desired host the observer did not report on (e.g. left out of the snapshot) cannot be checked. */
const NOT_OBSERVED = 'not observed';
/** A declared service a snapshot (`--observed`) holds nothing about: unknown, not absent. */
const NOT_IN_SNAPSHOT = 'not in the snapshot';

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
        items: sortItems(uncheckedItems(want, opts)),
      };
      continue;
    }
    const items = sortItems([
      ...runlevelItems(want, seen, opts),
      ...serviceItems(want, seen),
      ...restartItems(want, seen),
      ...(opts.health ? healthItems(want, seen, opts.health[name] ?? {}) : []),
      ...resourceItems(want, seen),
    ]);
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
      const observed = found ? 'not-found' : NOT_IN_SNAPSHOT;
      items.push({ ...base, field: 'present', desired: 'present', observed, inSync: false });
      continue;
    }
    // OpenRC still records a crashed service as started: the planner resets it (zap), so it drifts.
    const crashed = found?.crashed === true && svc.state === 'stopped';
    items.push({
      ...base,
      field: 'state',
      desired: svc.state,
      observed: found?.crashed
        ? 'failed (crashed; still recorded as started)'
        : found?.problem
          ? `${active} (${found.problem})`
          : active,
      inSync: stateInSync(svc.state, active) && !crashed,
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

/**
 * restart.on_change, read as the planner reads it: a running service whose watched files changed
 * since runstate last (re)started it (or with no record of that yet) is restarted, so it drifts.
 */
function restartItems(want: DesiredHost, seen: ReachableHost): ServiceDriftItem[] {
  const items: ServiceDriftItem[] = [];
  for (const svc of Object.values(want.services)) {
    if (svc.state !== 'running' || (svc.restart?.onChange.length ?? 0) === 0) continue;
    const found = seen.services[svc.name];
    const manager = managerOf(svc, found?.manager ?? (seen.init === 'unknown' ? undefined : seen.init));
    const base = { kind: 'service' as const, service: svc.name, field: 'restart' as const };
    const item = (observed: string, inSync: boolean): ServiceDriftItem => ({
      ...base,
      ...(manager ? { manager } : {}),
      desired: 'current',
      observed,
      inSync,
    });
    // Not running: its start records the files (the state item drifts); not watched: nothing known.
    if (found?.active !== 'active') items.push(item('not running', true));
    else if (!found.watch) items.push(item('not observed', true));
    else if (found.watch.recorded === null) items.push(item('no record of its last start', false));
    else if (found.watch.current !== found.watch.recorded)
      items.push(item('watched files changed since its last (re)start', false));
    else items.push(item('current', true));
  }
  return items;
}

/** A declared gate of a service that should run, probed now: failing is drift, whatever the state. */
function healthItems(want: DesiredHost, seen: ReachableHost, probes: GateProbes[string]): ServiceDriftItem[] {
  const items: ServiceDriftItem[] = [];
  for (const svc of Object.values(want.services)) {
    if (svc.state !== 'running' || !svc.health) continue;
    const found = seen.services[svc.name];
    const manager = managerOf(svc, found?.manager ?? (seen.init === 'unknown' ? undefined : seen.init));
    const probe = probes[svc.name];
    const observed =
      found?.active !== 'active'
        ? 'not running'
        : !probe
          ? 'not probed'
          : probe.ok
            ? 'passing'
            : `failing: ${lastLine(probe.output) || 'no output'}`;
    items.push({
      kind: 'service',
      service: svc.name,
      field: 'health',
      ...(manager ? { manager } : {}),
      desired: 'passing',
      observed,
      inSync: observed === 'passing',
    });
  }
  return items;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
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
function uncheckedItems(want: DesiredHost, opts: DriftOptions): DriftItem[] {
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
    if (svc.state === 'running' && (svc.restart?.onChange.length ?? 0) > 0)
      items.push({ ...base, field: 'restart', desired: 'current', observed: 'unknown', inSync: false });
    if (svc.state === 'running' && svc.health && opts.health)
      items.push({ ...base, field: 'health', desired: 'passing', observed: 'unknown', inSync: false });
    for (const resource of ['memory', 'cpu'] as const)
      if (svc.limits?.[resource] !== undefined)
        items.push({
          ...base,
          field: 'resource',
          resource,
          desired: 'within limits',
          observed: 'unknown',
          inSync: false,
        });
  }
  const r = want.resources ?? {};
  const named = [
    ...(r.load !== undefined ? ['load'] : []),
    ...(r.memory !== undefined ? ['memory'] : []),
    ...(r.swap !== undefined ? ['swap'] : []),
    ...Object.keys(r.disk ?? {}).map((m) => `disk ${m}`),
  ];
  for (const resource of named)
    items.push({
      kind: 'resource',
      field: 'resource',
      resource,
      desired: 'within threshold',
      observed: 'unknown',
      inSync: false,
    });
  return items;
}

const FIELD_RANK: Record<DriftField, number> = Object.fromEntries(
  DRIFT_FIELDS.map((f, i) => [f, i]),
) as Record<DriftField, number>;

/** Host-wide items (runlevel) first, then by service, then in DRIFT_FIELDS order. */
export function compareItems(a: DriftItem, b: DriftItem): number {
  return (
    byText(a.service ?? '', b.service ?? '') ||
    FIELD_RANK[a.field] - FIELD_RANK[b.field] ||
    byText(a.resource ?? '', b.resource ?? '')
  );
}

function sortItems<T extends DriftItem>(items: T[]): T[] {
  return items.sort(compareItems);
}

export function summarise(hosts: Record<string, HostDrift>): DriftSummary {
  const all = Object.values(hosts);
  const count = (status: HostDrift['status']) => all.filter((h) => h.status === status).length;
  const waived = all.reduce(
    (n, h) => n + (h.status === 'unchecked' ? 0 : h.items.filter((i) => !i.inSync && i.waived).length),
    0,
  );
  return {
    hosts: all.length,
    inSync: count('in-sync'),
    drifted: count('drift'),
    unchecked: count('unchecked'),
    items: all.reduce((n, h) => n + h.items.length, 0),
    drifts: all.reduce(
      (n, h) => n + (h.status === 'unchecked' ? 0 : h.items.filter((i) => !i.inSync && !i.waived).length),
      0,
    ),
    ...(waived > 0 ? { waived } : {}),
  };
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
