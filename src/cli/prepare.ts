import { planDigest } from '../apply/saved-plan.js';
import { staleHosts } from '../apply/stale.js';
import { assertUsable, loadAll, loadInventory } from '../load/index.js';
import { requiredOutside, restrictDesired } from '../load/restrict.js';
import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import { serviceOnHost } from '../model/notation.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import type { OutsideLimit } from '../plan/index.js';
import { planWithDrivers } from '../plan/with-drivers.js';
import type { ConnectionPool } from '../transport/index.js';
import { type CommonOptions, EXIT, type Io } from './context.js';
import { gatherFacts, newPool } from './gather.js';
import { readSavedPlan, readSnapshot } from './json-input.js';
import { selectHosts } from './limit.js';
import { hostsThatApplied, savedPlanProblems } from './saved-plan.js';
import { packageVersion } from './version.js';

export { describeChange } from '../apply/stale.js';
export { restrictDesired } from '../load/restrict.js';

export type Prepared =
  | { ok: true; plan: Plan; inventory: Inventory; pool: ConnectionPool }
  | { ok: false; exitCode: number };

export interface Fleet {
  inventory: Inventory;
  /** Desired state of the hosts `--limit` selected. */
  desired: Desired;
  observed: ObservedSnapshot;
  /** Open connections (none when observed came from a snapshot); the caller closes them. */
  pool: ConnectionPool;
  /** With --limit: required services on hosts outside it, observed so a start can rely on them. */
  outside?: OutsideLimit;
}

/**
 * For apply: the pool to observe with, and a step run once the hosts are known but before they are
 * observed — apply takes the host locks there, so a concurrent apply is waited for, not planned over.
 */
export interface ObserveHooks {
  pool?: ConnectionPool;
  beforeObserve?: (inventory: Inventory, hosts: string[]) => Promise<void>;
  /** Right after loading, before any host is contacted: more input to check (drift's waivers). */
  afterLoad?: (inventory: Inventory, desired: Desired) => Promise<void>;
}

/** Load → limit → observe (or read a snapshot). Shared by plan, apply, drift and watch. */
export async function observeFleet(
  playbooks: string[],
  opts: CommonOptions & { observed?: string },
  io: Io,
  hooks: ObserveHooks = {},
): Promise<Fleet> {
  const { inventory, desired } = await loadAll(opts.inventory, playbooks);
  await hooks.afterLoad?.(inventory, desired);
  const limited = restrictDesired(
    desired,
    selectHosts(inventory, opts.limit, (m) => io.err(`warning: ${m}\n`)),
  );
  assertUsable(inventory, Object.keys(limited.hosts));
  const required = requiredOutside(desired, limited);
  if (!opts.observed && hooks.beforeObserve)
    await hooks.beforeObserve(inventory, Object.keys(limited.hosts).sort());
  if (opts.observed) {
    const snapshot = await readSnapshot(opts.observed);
    // --limit applies to the snapshot too: hosts outside it are neither planned nor reported.
    const only = (hosts: Desired['hosts']) => ({
      ...snapshot,
      hosts: Object.fromEntries(Object.entries(snapshot.hosts).filter(([h]) => h in hosts)),
    });
    const pool = newPool(opts); // stays empty: nothing connects when planning from a snapshot
    const outside = required ? { outside: { desired: required, observed: only(required.hosts) } } : {};
    return { inventory, desired: limited, observed: only(limited.hosts), pool, ...outside };
  }
  const { snapshot, pool } = await gatherFacts(inventory, limited, opts, io, undefined, hooks.pool);
  if (!required) return { inventory, desired: limited, observed: snapshot, pool };
  // Read-only and unlocked: these hosts are not changed, only looked at.
  const seen = await gatherFacts(inventory, required, opts, io, undefined, pool);
  const outside = { desired: required, observed: seen.snapshot };
  return { inventory, desired: limited, observed: snapshot, pool, outside };
}

/**
 * Diff and order with the drivers' knowledge, printing every problem. A host's problem (masked,
 * missing, no such manager) only blocks what depends on it, recorded in `plan.blocked`; only a
 * problem of the input itself (`refused`) keeps the whole run from going ahead.
 */
export function planFleet(fleet: Fleet, io: Io): { plan: Plan; refused: boolean } {
  const { plan, problems } = planWithDrivers({
    desired: fleet.desired,
    observed: fleet.observed,
    inventoryFiles: fleet.inventory.files,
    ...(fleet.outside ? { outside: fleet.outside } : {}),
  });
  for (const p of problems) {
    const where = p.service ? serviceOnHost(p.host, p.service) : p.host;
    const label = p.warning ? 'warning' : p.wholeRun ? 'error' : 'blocked';
    io.err(`${label}: ${where}: ${p.message}${p.hint ? `; ${p.hint}` : ''}\n`);
  }
  const warnings = problems
    .filter((p) => p.warning)
    .map((p) => ({
      host: p.host,
      ...(p.service ? { service: p.service } : {}),
      reason: p.message,
      ...(p.hint ? { hint: p.hint } : {}),
    }));
  if (warnings.length > 0) plan.warnings = warnings;
  plan.made = { by: 'runstate', version: packageVersion(), at: new Date().toISOString() };
  const refusing = problems.filter((p) => p.wholeRun && !p.warning);
  if (refusing.length > 0)
    io.err(`${refusing.length} problem(s) in the input; nothing was changed on any host.\n`);
  return { plan, refused: refusing.length > 0 };
}

/** Observe, then plan. The pool stays open for apply. */
export async function preparePlan(
  playbooks: string[],
  opts: CommonOptions & { observed?: string },
  io: Io,
  hooks: ObserveHooks = {},
): Promise<Prepared> {
  const fleet = await observeFleet(playbooks, opts, io, hooks);
  const { plan, refused } = planFleet(fleet, io);
  if (refused) {
    await fleet.pool.closeAll();
    return { ok: false, exitCode: EXIT.input };
  }
  return { ok: true, plan, inventory: fleet.inventory, pool: fleet.pool };
}

/**
 * A saved plan is applied only if every host still looks exactly as it did when the plan was
 * made (Terraform's stale-plan rule): otherwise refuse before touching any host, naming what moved.
 */
export async function prepareSavedPlan(
  file: string,
  opts: CommonOptions,
  io: Io,
  hooks: ObserveHooks = {},
): Promise<Prepared> {
  const plan = await readSavedPlan(file);
  const inventory = await loadInventory(opts.inventory);
  const hosts = Object.keys(plan.hosts).sort();
  assertUsable(inventory, hosts);
  const checkPool = hooks.pool ?? newPool(opts);
  const problems = await savedPlanProblems(plan, inventory, checkPool);
  if (problems.length > 0) {
    io.err(`error: ${file} is not a plan runstate made, or was edited; nothing was changed on any host.\n`);
    for (const p of problems) io.err(`  ${p}\n`);
    io.err('hint: make a new plan (runstate plan … --out FILE) from the same playbooks and review it\n');
    return { ok: false, exitCode: EXIT.input };
  }
  await hooks.beforeObserve?.(inventory, hosts);
  const used = await hostsThatApplied(planDigest(plan), hosts, inventory, checkPool, opts.forks);
  if (used.length > 0) {
    io.err(`error: ${file} was already applied; a saved plan is applied once. Nothing was changed.\n`);
    for (const line of used) io.err(`  applied on ${line}\n`);
    io.err('hint: make a new plan (runstate plan … --out FILE) and review it again\n');
    await checkPool.closeAll();
    return { ok: false, exitCode: EXIT.input };
  }
  const { stale, pool } = await findStale(plan, inventory, hosts, opts, io, checkPool);
  if (stale.length > 0) {
    io.err(
      `error: ${file} is stale: the world moved since it was planned; nothing was changed on any host.\n`,
    );
    for (const line of stale) io.err(`  changed on ${line}\n`);
    io.err('hint: make a new plan (runstate plan … --out FILE) and review it again\n');
    await pool.closeAll();
    return { ok: false, exitCode: EXIT.input };
  }
  return { ok: true, plan, inventory, pool };
}

/**
 * Observes `hosts` again exactly as the plan did (src/apply/stale.ts) and names every host whose
 * state no longer has the digest the plan recorded. The pool stays open.
 */
export async function findStale(
  plan: Plan,
  inventory: Inventory,
  hosts: string[],
  opts: CommonOptions,
  io: Io,
  pool?: ConnectionPool,
): Promise<{ stale: string[]; pool: ConnectionPool }> {
  const used = pool ?? newPool(opts);
  const observeWith = async (desired: Desired) =>
    (await gatherFacts(inventory, desired, opts, io, hosts, used)).snapshot;
  return { stale: await staleHosts(plan, hosts, observeWith), pool: used };
}
