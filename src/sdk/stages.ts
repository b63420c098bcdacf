import { probeDeclaredGates } from '../apply/gate-probes.js';
import { utcDay } from '../drift/waivers.js';
import { driftWithDrivers } from '../drift/with-drivers.js';
import { assertUsable, loadAll } from '../load/index.js';
import { selectHosts } from '../load/limit.js';
import { requiredOutside, restrictDesired } from '../load/restrict.js';
import { loadCheckedWaivers } from '../load/waivers.js';
import type { Desired } from '../model/desired.js';
import type { DriftReport } from '../model/drift.js';
import type { Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { formatWarning } from '../model/source.js';
import type { Waiver } from '../model/waiver.js';
import { observeBoundMs } from '../observe/bound.js';
import { gatherSnapshot } from '../observe/gather.js';
import type { PlanProblem } from '../plan/index.js';
import { planWithDrivers } from '../plan/with-drivers.js';
import type { ConnectionPool } from '../transport/index.js';
import { abortError, type ConnectOptions, forksOf, limitAgainst, poolFor, resolvePaths } from './options.js';

export interface LoadOptions {
  /** Inventory files or directories (Ansible YAML or INI). */
  inventory: string | string[];
  /** Playbook files or directories. */
  playbooks: string | string[];
  /** An Ansible host pattern, as the CLI's --limit; a relative `@file` is read against `cwd`. */
  limit?: string;
  /** What relative paths are resolved against; without it, paths must be absolute. */
  cwd?: string;
  /**
   * Drift waivers, as the CLI reads them: by default the drift-waivers.yml beside the playbooks
   * (and the playbooks' `waivers:`); a path reads that file instead; false reads none.
   */
  waivers?: string | false;
  /** How far ahead a waiver may expire (default 90 days), as --waiver-max-days. */
  waiverMaxDays?: number;
  /** The day waivers are checked against (default: now). */
  now?: Date;
}

/** The loaded, validated input: what to observe and what is wanted there. */
export interface LoadedFleet {
  inventory: Inventory;
  /** Desired state of the hosts the limit selected (all declared hosts without one). */
  desired: Desired;
  /** With a limit: services on hosts outside it that the selected ones require (observed, not changed). */
  required?: Desired;
  /** What the CLI prints as "warning: …" while loading (a limit term matching nothing, an expired waiver). */
  warnings: string[];
  /** The waivers read and checked (none when `waivers: false`); `drift` marks what they accept. */
  waivers: Waiver[];
}

/**
 * Reads and checks inventory and playbooks, touching no host. Bad input throws a ProblemsError
 * (every problem with file, line and hint) or a UserError, as `runstate validate` reports them.
 */
export async function loadFleet(opts: LoadOptions): Promise<LoadedFleet> {
  const inventoryPaths = resolvePaths(opts.inventory, opts.cwd, 'inventory');
  const playbookPaths = resolvePaths(opts.playbooks, opts.cwd, 'playbook');
  const { inventory, desired } = await loadAll(inventoryPaths, playbookPaths);
  const warnings: string[] = [];
  const limited = restrictDesired(
    desired,
    selectHosts(inventory, limitAgainst(opts.limit, opts.cwd), (m) => warnings.push(m)),
  );
  assertUsable(inventory, Object.keys(limited.hosts));
  const required = requiredOutside(desired, limited);
  let waivers: Waiver[] = [];
  if (opts.waivers !== false) {
    const file = opts.waivers === undefined ? undefined : resolvePaths(opts.waivers, opts.cwd, 'waivers')[0];
    const checked = await loadCheckedWaivers(
      playbookPaths,
      desired,
      inventory,
      { file, maxDays: opts.waiverMaxDays },
      utcDay(opts.now ?? new Date()),
    );
    waivers = checked.loaded.waivers;
    warnings.push(...checked.warnings.map(formatWarning));
  }
  return { inventory, desired: limited, ...(required ? { required } : {}), warnings, waivers };
}

/** A fleet and what its hosts look like now. Plain data: save it, plan or drift from it later. */
export interface Observation {
  fleet: LoadedFleet;
  observed: ObservedSnapshot;
  /** The `required` hosts' state (just the required services). */
  requiredObserved?: ObservedSnapshot;
  /** When observing finished. */
  at: string;
}

/**
 * One connection and one script per host, `forks` at a time; unreachable hosts are part of the
 * result, not errors. Connections are closed before it returns. Aborting stops new connections;
 * it then rejects with the signal's reason.
 */
export async function observe(fleet: LoadedFleet, opts: ConnectOptions = {}): Promise<Observation> {
  const pool = poolFor(opts);
  try {
    const observed = await gatherWith(pool, fleet.inventory, fleet.desired, opts);
    const requiredObserved = fleet.required
      ? await gatherWith(pool, fleet.inventory, fleet.required, opts)
      : undefined;
    if (opts.signal?.aborted) throw abortError(opts.signal);
    return {
      fleet,
      observed,
      ...(requiredObserved ? { requiredObserved } : {}),
      at: new Date().toISOString(),
    };
  } finally {
    await pool.closeAll();
  }
}

export function gatherWith(
  pool: ConnectionPool,
  inventory: Inventory,
  desired: Desired,
  opts: ConnectOptions & { commandTimeout?: number },
  hosts?: string[],
): Promise<ObservedSnapshot> {
  return gatherSnapshot(
    inventory,
    desired,
    pool,
    {
      forks: forksOf(opts),
      timeoutMs: observeBoundMs(opts.observeTimeout, opts.commandTimeout),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent
        ? {
            onObserved: (o) =>
              opts.onEvent?.({
                type: 'host-observed',
                at: new Date().toISOString(),
                host: o.host,
                ms: o.ms,
                channels: o.channels,
              }),
          }
        : {}),
    },
    hosts,
  );
}

/** A plan, the problems met making it, and whether they refuse the whole run (a cycle). */
export interface Planned {
  plan: Plan;
  /** Host problems (masked, missing, no such manager) block only what needs them; see `plan.blocked`. */
  problems: PlanProblem[];
  /** True when a problem of the input itself means nothing may be applied. */
  refused: boolean;
  /** The inventory the plan was made with: apply connects through it. */
  inventory: Inventory;
}

/** Diff and order, exactly as `runstate plan`: pure, no host is contacted. */
export function plan(observation: Observation): Planned {
  const { fleet } = observation;
  const { plan, problems, refused } = planWithDrivers({
    desired: fleet.desired,
    observed: observation.observed,
    inventoryFiles: fleet.inventory.files,
    ...(fleet.required && observation.requiredObserved
      ? { outside: { desired: fleet.required, observed: observation.requiredObserved } }
      : {}),
  });
  return { plan, problems, refused, inventory: fleet.inventory };
}

export interface DriftOptions extends ConnectOptions {
  /**
   * Probe each declared health gate of a running service now (one attempt, on its host), as
   * `runstate drift` does. Default true; false compares only what was observed (no connection).
   */
  probeGates?: boolean;
  /** When the check is made: the report's time, and the day waivers hold on (default: now). */
  now?: Date;
}

/**
 * Desired vs observed per host and item, as `runstate drift --format json` (schemas/drift.schema.json),
 * with the fleet's waivers marked (`waived`, or `waiverExpired` from the expiry day on).
 */
export async function drift(observation: Observation, opts: DriftOptions = {}): Promise<DriftReport> {
  const { fleet, observed } = observation;
  const waivers = { waivers: fleet.waivers, inventory: fleet.inventory };
  const at = () => opts.now ?? new Date();
  if (opts.probeGates === false) return driftWithDrivers(fleet.desired, observed, undefined, at(), waivers);
  const pool = poolFor(opts);
  try {
    const health = await probeDeclaredGates(
      { desired: fleet.desired, observed, inventory: fleet.inventory, pool },
      forksOf(opts),
      opts.signal,
    );
    if (opts.signal?.aborted) throw abortError(opts.signal);
    return driftWithDrivers(fleet.desired, observed, health, at(), waivers);
  } finally {
    await pool.closeAll();
  }
}

/** The exit code `runstate drift` would give this report: 0 in sync, 2 drift, 3 some host unchecked. */
export { driftExitCode } from '../drift/index.js';
