import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import type { ConnectionPool } from '../transport/index.js';
import type { AuditLog } from './audit.js';
import {
  executeLocked,
  type HostLocks,
  heldHosts,
  type LockOptions,
  lockHosts,
  newOwner,
  unlockedHosts,
  unlockHosts,
} from './locked-run.js';
import { runStatus } from './run-status.js';
import { staleHosts } from './stale.js';
import type { ExecEvent, StepOutcome } from './types.js';

/*
 * The one apply: `runstate apply`, `watch --heal` and the SDK's `apply` all run this. It decides
 * when host locks are taken, re-checks hosts observed without them, asks (through a hook), runs
 * the steps and says how the run ended. It prints nothing and reads no file: what a person sees
 * and what is written down is the caller's, through the hooks and the result.
 */

/** Takes the locks of `hosts`; the plan source calls it once the hosts are known, before observing them. */
export type LockFirst = (inventory: Inventory, hosts: string[]) => Promise<void>;

/**
 * What a plan source gives: a plan to run (with `singleUse`, a saved plan's digest: recorded on each
 * host before its first command, refused if there), or why there is none.
 */
export type Prepared =
  | { ok: true; plan: Plan; inventory: Inventory; singleUse?: string }
  | { ok: false; reasons: string[] };

/**
 * Makes the plan. With no question to ask, `lockFirst` is offered: a source that observes calls it
 * before observing (Terraform's order: a concurrent apply is waited for, never planned over). A plan
 * observed earlier ignores it; its hosts are then locked after planning and observed again.
 */
export type PlanSource = (lockFirst: LockFirst | undefined) => Promise<Prepared>;

export interface OrchestrateOptions extends LockOptions {
  dryRun: boolean;
  settle: number;
  commandTimeout: number;
  /** Planned from a snapshot (dry run only): nothing connects. */
  offline?: boolean;
  audit?: AuditLog;
  /** The run's lock owner (the audit log names it too); default a new one. */
  owner?: string;
  /** Before any change: nothing is changed. During the run: no new step starts. */
  signal?: AbortSignal;
}

export interface ApplyHooks {
  /** The plan is made (and its hosts locked when there is no question): show it. */
  planned?: (plan: Plan, notLocked: [string, string][]) => void;
  /**
   * Asked when there are steps and this is no dry run; false cancels. With it no lock is held while
   * the question waits: the plan's hosts are locked after "yes" and observed again.
   */
  confirm?: (plan: Plan) => Promise<boolean>;
  /** Observes `hosts` again as the plan did, through the run's pool (the re-check after locking). */
  reobserve: (inventory: Inventory, desired: Desired, hosts: string[]) => Promise<ObservedSnapshot>;
  onEvent?: (e: ExecEvent) => void;
}

export type Applied =
  | {
      status: 'refused';
      /** input: the source refused; stale: a host moved since it was observed. */
      why: 'input' | 'cancelled' | 'interrupted' | 'stale';
      /** For stale: "host: what changed", one per host. */
      reasons: string[];
      exitCode: 1;
      plan?: Plan;
    }
  | {
      status: 'converged' | 'partial' | 'interrupted';
      exitCode: 0 | 3;
      plan: Plan;
      outcomes: StepOutcome[];
      /** Hosts unreachable when planned, or whose lock could not be taken, with why. */
      unreachable: Record<string, string>;
    };

/** Plan (through `source`), confirm, lock, re-check, execute, unlock. The caller owns and closes `pool`. */
export async function orchestrateApply(
  source: PlanSource,
  pool: ConnectionPool,
  opts: OrchestrateOptions,
  hooks: ApplyHooks,
): Promise<Applied> {
  const held: HostLocks = { owner: opts.owner ?? newOwner(), locks: new Map() };
  let lockedIn: Inventory | undefined;
  const lock: LockFirst = async (inventory, hosts) => {
    lockedIn = inventory;
    held.locks = await lockHosts(hosts, held.owner, pool, inventory, opts);
  };
  try {
    const prepared = await source(opts.dryRun || hooks.confirm ? undefined : lock);
    if (!prepared.ok) return refused('input', prepared.reasons);
    const { plan, inventory } = prepared;
    if (opts.signal?.aborted) return refused('interrupted', [], plan);
    hooks.planned?.(plan, unlockedHosts(held));
    if (plan.steps.length > 0 && !opts.dryRun) {
      if (hooks.confirm && !(await hooks.confirm(plan))) return refused('cancelled', [], plan);
      if (opts.signal?.aborted) return refused('interrupted', [], plan);
      if (!lockedIn) {
        await lock(inventory, [...new Set(plan.steps.map((s) => s.host))].sort());
        const locked = heldHosts(held);
        const reobserve = (desired: Desired) => hooks.reobserve(inventory, desired, locked);
        const stale = await staleHosts(plan, locked, reobserve);
        if (stale.length > 0) return refused('stale', stale, plan);
      }
    }
    const outcomes =
      plan.steps.length === 0
        ? []
        : await executeLocked(
            plan,
            inventory,
            pool,
            {
              ...opts,
              owner: held.owner,
              ...(prepared.singleUse ? { singleUse: prepared.singleUse } : {}),
              ...(hooks.onEvent ? { onEvent: hooks.onEvent } : {}),
            },
            held,
          );
    const unreachable: Record<string, string> = {};
    for (const [host, h] of Object.entries(plan.hosts)) if (h.unreachable) unreachable[host] = h.unreachable;
    for (const [host, why] of unlockedHosts(held)) unreachable[host] = why;
    const status = runStatus(plan, outcomes, Object.keys(unreachable).length);
    return { ...status, plan, outcomes, unreachable };
  } finally {
    if (lockedIn) await unlockHosts(heldHosts(held), held.owner, pool, lockedIn);
  }
}

function refused(
  why: 'input' | 'cancelled' | 'interrupted' | 'stale',
  reasons: string[],
  plan?: Plan,
): Applied {
  return { status: 'refused', why, reasons, exitCode: 1, ...(plan ? { plan } : {}) };
}
