import { AuditLog } from '../apply/audit.js';
import { executeLocked, heldHosts, lockHosts, newOwner, unlockHosts } from '../apply/locked-run.js';
import { runStatus } from '../apply/run-status.js';
import { staleHosts } from '../apply/stale.js';
import type { ExecEvent, StepOutcome } from '../apply/types.js';
import { EventQueue, type RunstateEvent } from './events.js';
import { type ConnectOptions, forksOf, poolFor, resolvePaths } from './options.js';
import type { Planned } from './stages.js';
import { gatherWith } from './stages.js';

export interface ApplyOptions extends ConnectOptions {
  /** Walk the same path and stop before every command (the CLI's --dry-run). */
  dryRun?: boolean;
  /** Append every command sent as a JSON line here (the CLI's --audit-log); default: no audit log. */
  auditLog?: string;
  /** Resolves a relative auditLog. */
  cwd?: string;
  /** Seconds to wait for another apply's host lock. Default 60. */
  lockTimeout?: number;
  /** Seconds after a start before checking it stayed up. Default 2. */
  settle?: number;
  /** Bound on each command on a host, in seconds. Default 300. */
  commandTimeout?: number;
  /** Remove a host lock recognised as stale and take it. */
  breakLock?: boolean;
}

/** How the run ended; `exitCode` is what `runstate apply --yes` would exit with. */
export type ApplyResult =
  | {
      status: 'refused';
      /** Why nothing ran: the input refused the plan, or hosts moved since it was made. */
      reasons: string[];
      exitCode: 1;
      outcomes: [];
    }
  | {
      status: 'converged' | 'partial' | 'interrupted';
      outcomes: StepOutcome[];
      /** Hosts whose lock could not be taken, or that were unreachable when planned, with why. */
      unreachable: Record<string, string>;
      exitCode: 0 | 3;
      auditLog?: string;
    };

/** A running apply: read its events with `for await`, and await its result. */
export interface ApplyRun {
  events: AsyncIterable<RunstateEvent>;
  result: Promise<ApplyResult>;
}

/**
 * Applies a plan as `runstate apply --yes` does: takes the lock of every host with a step,
 * observes those hosts again and refuses (changing nothing) if any moved since the plan was made,
 * then runs the steps in order with health gates and failure isolation, and releases the locks.
 * Aborting the signal starts no new step (running steps finish; the rest are `not-started`),
 * then the locks are released and every connection is closed.
 */
export function apply(planned: Planned, opts: ApplyOptions = {}): ApplyRun {
  const queue = new EventQueue();
  const emit = (e: RunstateEvent) => {
    queue.push(e);
    opts.onEvent?.(e);
  };
  const result = applyPlanned(planned, { ...opts, onEvent: emit }).finally(() => queue.end());
  return { events: queue, result };
}

async function applyPlanned(planned: Planned, opts: ApplyOptions): Promise<ApplyResult> {
  const { plan } = planned;
  if (planned.refused) {
    const reasons = planned.problems.filter((p) => p.wholeRun && !p.warning).map((p) => p.message);
    return { status: 'refused', reasons, exitCode: 1, outcomes: [] };
  }
  const { inventory } = planned;
  const unreachable: Record<string, string> = {};
  for (const [host, h] of Object.entries(plan.hosts)) if (h.unreachable) unreachable[host] = h.unreachable;
  const owner = newOwner();
  const audit =
    opts.dryRun || opts.auditLog === undefined
      ? undefined
      : new AuditLog(resolvePaths(opts.auditLog, opts.cwd, 'audit log')[0] ?? opts.auditLog, owner);
  const pool = poolFor(opts);
  const hosts = [...new Set(plan.steps.map((s) => s.host))].sort();
  const lockOpts = {
    forks: forksOf(opts),
    lockTimeout: opts.lockTimeout ?? 60,
    ...(opts.breakLock ? { breakLock: true } : {}),
    onLockWait: (host: string, holder: string, secondsLeft: number) =>
      opts.onEvent?.({ type: 'lock-wait', at: new Date().toISOString(), host, holder, secondsLeft }),
  };
  const held = {
    owner,
    locks: opts.dryRun
      ? new Map<string, string | true>()
      : await lockHosts(hosts, owner, pool, inventory, lockOpts),
  };
  try {
    for (const [host, why] of held.locks) if (why !== true) unreachable[host] = why;
    const locked = hosts.filter((h) => held.locks.get(h) === true || opts.dryRun);
    const stale = await staleHosts(plan, locked, (desired) =>
      gatherWith(pool, inventory, desired, opts, locked),
    );
    if (stale.length > 0) {
      return { status: 'refused', reasons: stale.map((s) => `changed on ${s}`), exitCode: 1, outcomes: [] };
    }
    const outcomes = await executeLocked(
      plan,
      inventory,
      pool,
      {
        ...lockOpts,
        dryRun: Boolean(opts.dryRun),
        settle: opts.settle ?? 2,
        commandTimeout: opts.commandTimeout ?? 300,
        ...(audit ? { audit } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEvent: (e) => opts.onEvent?.(fromExec(e)),
      },
      held,
    );
    return {
      ...runStatus(plan, outcomes, Object.keys(unreachable).length),
      outcomes,
      unreachable,
      ...(audit ? { auditLog: audit.path } : {}),
    };
  } finally {
    await unlockHosts(heldHosts(held), owner, pool, inventory);
    await pool.closeAll();
    audit?.close();
  }
}

function fromExec(e: ExecEvent): RunstateEvent {
  const at = e.at.toISOString();
  switch (e.kind) {
    case 'step-start':
      return { type: 'step-start', at, host: e.step.host, step: e.step };
    case 'health-wait':
      return { type: 'health-wait', at, host: e.step.host, step: e.step, detail: e.detail };
    case 'step-end':
      return { type: 'step-end', at, host: e.outcome.step.host, outcome: e.outcome };
  }
}
