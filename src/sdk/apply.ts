import { AuditLog } from '../apply/audit.js';
import { newOwner } from '../apply/locked-run.js';
import { type Applied, orchestrateApply } from '../apply/orchestrate.js';
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
 * then the locks are released and every connection is closed; aborted before the first step, the
 * run is refused. It is the CLI's apply (src/apply/orchestrate.ts), without the question.
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
  const owner = newOwner();
  const audit =
    opts.dryRun || opts.auditLog === undefined
      ? undefined
      : new AuditLog(resolvePaths(opts.auditLog, opts.cwd, 'audit log')[0] ?? opts.auditLog, owner);
  const pool = poolFor(opts);
  try {
    // Observed before this call, so the plan's hosts are locked after it and observed again.
    const source = async () =>
      planned.refused
        ? { ok: false as const, reasons: refusingProblems(planned) }
        : { ok: true as const, plan: planned.plan, inventory: planned.inventory };
    const run = await orchestrateApply(
      source,
      pool,
      {
        forks: forksOf(opts),
        lockTimeout: opts.lockTimeout ?? 60,
        ...(opts.breakLock ? { breakLock: true } : {}),
        onLockWait: (host, holder, secondsLeft) =>
          opts.onEvent?.({ type: 'lock-wait', at: new Date().toISOString(), host, holder, secondsLeft }),
        dryRun: Boolean(opts.dryRun),
        settle: opts.settle ?? 2,
        commandTimeout: opts.commandTimeout ?? 300,
        owner,
        ...(audit ? { audit } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      {
        reobserve: (inventory, desired, hosts) => gatherWith(pool, inventory, desired, opts, hosts),
        onEvent: (e) => opts.onEvent?.(fromExec(e)),
      },
    );
    if (run.status === 'refused') {
      return { status: 'refused', reasons: refusalReasons(run), exitCode: 1, outcomes: [] };
    }
    const { status, exitCode, outcomes, unreachable } = run;
    return { status, exitCode, outcomes, unreachable, ...(audit ? { auditLog: audit.path } : {}) };
  } finally {
    await pool.closeAll();
    audit?.close();
  }
}

function refusingProblems(planned: Planned): string[] {
  return planned.problems.filter((p) => p.wholeRun && !p.warning).map((p) => p.message);
}

function refusalReasons(run: Extract<Applied, { status: 'refused' }>): string[] {
  switch (run.why) {
    case 'input':
      return run.reasons;
    case 'stale':
      return run.reasons.map((s) => `changed on ${s}`);
    case 'interrupted':
      return ['interrupted before any change'];
    case 'cancelled':
      return ['cancelled'];
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
