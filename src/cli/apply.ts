import { AuditLog, defaultAuditPath } from '../apply/audit.js';
import {
  executeLocked,
  type HostLocks,
  heldHosts,
  lockHosts as lockHostsWith,
  newOwner,
  unlockedHosts,
  unlockHosts,
} from '../apply/locked-run.js';
import { runStatus } from '../apply/run-status.js';
import { planDigest, renderCommands } from '../apply/saved-plan.js';
import type { ExecEvent, StepOutcome } from '../apply/types.js';
import { emitAll, execEvent, planEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import { changesOf } from '../history/record.js';
import type { ChangeLabel } from '../model/history.js';
import type { Inventory } from '../model/inventory.js';
import { gateSets, type Plan } from '../model/plan.js';
import { renderApplyText } from '../report/apply.js';
import { renderApplyJson } from '../report/apply-json.js';
import { renderPlanText } from '../report/index.js';
import { isPartial, notPlanned } from '../report/plan-summary.js';
import type { ConnectionPool } from '../transport/index.js';
import { type CommonOptions, EXIT, type Io, nowOf, useColor } from './context.js';
import { newPool } from './gather.js';
import { checkHistoryWritable, recordHistory } from './history-file.js';
import { findStale, type ObserveHooks, preparePlan, prepareSavedPlan } from './prepare.js';
import { progressPrinter } from './progress.js';

export interface ApplyOptions extends CommonOptions {
  dryRun?: boolean;
  yes?: boolean;
  plan?: string;
  observed?: string;
  auditLog?: string;
  lockTimeout: number;
  settle: number;
  commandTimeout: number;
  breakLock?: boolean;
  /** Append what was changed (labelled intentional) to this history file. */
  history?: string;
  historyMaxBytes?: number;
  /** --events FILE|-: the run as JSON Lines, as it happens. */
  events?: string;
  /** json: the outcome of every step as one document on stdout (the report goes to stderr). */
  format?: 'text' | 'json';
}

/** `runstate apply`: plan (or load a saved plan), confirm, lock, execute, report. */
export async function applyCommand(playbooks: string[], opts: ApplyOptions, io: Io): Promise<number> {
  const held: HostLocks = { owner: newOwner(), locks: new Map() };
  // The audit log is opened and test-written before any lock or connection: fail closed.
  const audit = opts.dryRun
    ? undefined
    : new AuditLog(opts.auditLog ?? defaultAuditPath(io.env), held.owner, 'intentional');
  checkHistoryWritable(opts);
  try {
    const start = {
      command: 'apply',
      playbooks: opts.plan ? [opts.plan] : playbooks,
      dryRun: Boolean(opts.dryRun),
    };
    return await withEvents(opts.events, start, io, (eventSink) =>
      applyWithAudit(
        playbooks,
        { ...opts, ...(audit ? { audit } : {}), ...(eventSink ? { eventSink } : {}) },
        io,
        held,
      ),
    );
  } finally {
    audit?.close();
  }
}

async function applyWithAudit(
  playbooks: string[],
  opts: ApplyOptions & { audit?: AuditLog; eventSink?: EventSink },
  io: Io,
  held: HostLocks,
): Promise<number> {
  const pool = newPool(opts);
  let lockedIn: Inventory | undefined;
  const lock: LockStep = async (inventory, hosts) => {
    lockedIn = inventory;
    held.locks = await lockHosts(hosts, held.owner, pool, inventory, opts, io);
  };
  // Locks first, then observe (Terraform's order): a concurrent apply on the same host is waited
  // for, and this one then plans from what that one left — never over it. With a question to
  // answer, no lock is held while the user reads: they are taken after "yes", and the hosts are
  // checked again against the plan.
  const asks = !opts.dryRun && !opts.yes;
  const hooks: ObserveHooks = opts.dryRun || asks ? { pool } : { pool, beforeObserve: lock };
  // Installed for the whole command, so an interrupt while locking, observing or asking still
  // releases the locks; a second interrupt gives up at once.
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) {
      io.err(
        'interrupted again: exiting now; host locks may be left in /run/runstate.lock (the next apply recognises them as stale: --break-lock)\n',
      );
      process.exit(130);
    }
    io.err('\ninterrupted: no new steps will start; running steps finish…\n');
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const prepared = opts.plan
      ? await prepareSavedPlan(opts.plan, opts, io, hooks)
      : await preparePlan(playbooks, opts, io, hooks);
    if (!prepared.ok) return prepared.exitCode;
    if (abort.signal.aborted) {
      io.err('interrupted before any change; nothing was changed on any host.\n');
      return EXIT.input;
    }
    const afterYes = asks ? lock : undefined;
    return await applyPrepared(
      prepared.plan,
      prepared.inventory,
      pool,
      opts,
      io,
      held,
      abort.signal,
      afterYes,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (lockedIn) await unlockHosts(heldHosts(held), held.owner, pool, lockedIn);
    await pool.closeAll();
  }
}

export type { HostLocks } from '../apply/locked-run.js';

async function applyPrepared(
  plan: Plan,
  inventory: Inventory,
  pool: ConnectionPool,
  opts: ApplyOptions & { audit?: AuditLog; eventSink?: EventSink },
  io: Io,
  held: HostLocks,
  signal: AbortSignal,
  lockAfterYes?: LockStep,
): Promise<number> {
  const json = opts.format === 'json';
  // With --format json, stdout holds only the JSON document; the human report goes to stderr.
  const say = json ? io.err : io.out;
  const color = useColor(opts, io) && !json;
  emitAll(opts.eventSink, planEvents(plan));
  say(renderPlanText(plan, { color }));
  const unreachable: [string, unknown][] = Object.entries(plan.hosts).filter(([, h]) => h.unreachable);
  for (const [host, h] of unreachable)
    io.err(`unreachable: ${host}: ${(h as { unreachable: string }).unreachable}\n`);
  // A host whose lock could not be taken was observed unlocked: say so even when it has no step.
  for (const [host, why] of unlockedHosts(held)) {
    io.err(`not locked: ${host}: ${why}\n`);
    unreachable.push([host, why]);
  }
  if (plan.steps.length === 0) {
    say('0 changes.\n');
    const code = unreachable.length > 0 || isPartial(plan) ? EXIT.partial : EXIT.ok;
    if (json) io.out(renderApplyJson(plan, [], code, Boolean(opts.dryRun)));
    return code;
  }
  if (!opts.dryRun) say(renderCommands(plan));
  if (!opts.dryRun && !(await confirmed(opts, io))) return EXIT.input;
  if (signal.aborted) {
    io.err('interrupted before any change; nothing was changed on any host.\n');
    return EXIT.input;
  }
  if (lockAfterYes && !(await lockedAndCurrent(plan, inventory, pool, opts, io, lockAfterYes))) {
    return EXIT.input;
  }
  const execOpts = opts.plan ? { ...opts, singleUse: planDigest(plan) } : opts;
  const { outcomes, auditPath } = await executeWithLocks(plan, inventory, pool, execOpts, io, signal, held);
  say(
    `\n${renderApplyText(outcomes, { color, dryRun: Boolean(opts.dryRun), notPlanned: notPlanned(plan), gates: gateSets(plan), label: 'intentional' })}`,
  );
  if (auditPath) io.err(`audit log: ${auditPath}\n`);
  if (!opts.dryRun) {
    const at = nowOf(io).toISOString();
    const changes = changesOf(outcomes, 'intentional', at);
    recordHistory(opts, { version: 1, at, source: 'apply', hosts: {}, drifts: [], changes }, io);
  }
  const code = runStatus(plan, outcomes, unreachable.length).exitCode === 0 ? EXIT.ok : EXIT.partial;
  if (json) io.out(renderApplyJson(plan, outcomes, code, Boolean(opts.dryRun)));
  return code;
}

/** Takes the locks of `hosts` into the command's HostLocks (released when the command ends). */
type LockStep = (inventory: Inventory, hosts: string[]) => Promise<void>;

/** After "yes": lock the plan's hosts, then make sure none moved while the question waited. */
async function lockedAndCurrent(
  plan: Plan,
  inventory: Inventory,
  pool: ConnectionPool,
  opts: ApplyOptions,
  io: Io,
  lock: LockStep,
): Promise<boolean> {
  const hosts = [...new Set(plan.steps.map((s) => s.host))].sort();
  await lock(inventory, hosts);
  const { stale } = await findStale(plan, inventory, hosts, opts, io, pool);
  if (stale.length === 0) return true;
  io.err('error: the hosts changed while the plan waited for "yes"; nothing was changed on any host.\n');
  for (const line of stale) io.err(`  changed on ${line}\n`);
  io.err('hint: run apply again to plan from the new state\n');
  return false;
}

export interface Executed {
  outcomes: StepOutcome[];
  auditPath?: string;
}

export type ExecutionOptions = Pick<
  ApplyOptions,
  | 'forks'
  | 'dryRun'
  | 'observed'
  | 'auditLog'
  | 'lockTimeout'
  | 'settle'
  | 'commandTimeout'
  | 'color'
  | 'breakLock'
> & {
  /** A saved plan's digest: recorded on each host before its first command, refused if there. */
  singleUse?: string;
  /** An audit log the caller opened (and closes); else one is opened here, before any lock. */
  audit?: AuditLog;
  /** Why these changes are made, for the audit log (watch --heal: corrective). */
  label?: ChangeLabel;
  /** --events: each step's start, end or skip, as it happens. */
  eventSink?: EventSink;
};

/**
 * Runs the plan with progress and an audit trail under the hosts' locks: those in `held` (taken
 * and released by the caller), or else taken here for the plan's hosts and released at the end.
 * Shared by `apply` and `watch --heal`, so healing runs exactly the code apply does.
 */
export async function executeWithLocks(
  plan: Plan,
  inventory: Inventory,
  pool: ConnectionPool,
  opts: ExecutionOptions,
  io: Io,
  signal?: AbortSignal,
  held?: HostLocks,
): Promise<Executed> {
  const color = useColor(opts, io);
  const owner = held?.owner ?? newOwner();
  const ownAudit =
    opts.dryRun || opts.audit
      ? undefined
      : new AuditLog(opts.auditLog ?? defaultAuditPath(io.env), owner, opts.label);
  const audit = opts.dryRun ? undefined : (opts.audit ?? ownAudit);
  const printer = opts.dryRun ? { onEvent: () => {}, done: () => {} } : progressPrinter(io, color);
  const sink = opts.eventSink;
  const progress = sink
    ? {
        ...printer,
        onEvent: (e: ExecEvent) => {
          printer.onEvent(e);
          const event = execEvent(e);
          if (event) sink.emit(event);
        },
      }
    : printer;
  try {
    const outcomes = await executeLocked(
      plan,
      inventory,
      pool,
      {
        forks: opts.forks,
        dryRun: Boolean(opts.dryRun),
        lockTimeout: opts.lockTimeout,
        settle: opts.settle,
        commandTimeout: opts.commandTimeout,
        ...(opts.breakLock ? { breakLock: true } : {}),
        ...(opts.observed ? { offline: true } : {}),
        ...(opts.singleUse ? { singleUse: opts.singleUse } : {}),
        ...(audit ? { audit } : {}),
        ...(signal ? { signal } : {}),
        onEvent: progress.onEvent,
        onLockWait: lockWaitPrinter(io),
        owner,
      },
      held,
    );
    return { outcomes, ...(audit ? { auditPath: audit.path } : {}) };
  } finally {
    progress.done();
    ownAudit?.close();
  }
}

export async function confirmed(opts: Pick<ApplyOptions, 'yes'>, io: Io): Promise<boolean> {
  if (opts.yes) return true;
  if (!io.ask) {
    io.err('error: apply needs confirmation but there is no terminal; pass --yes (or use --dry-run)\n');
    return false;
  }
  const answer = (await io.ask('Apply these changes? Only "yes" is accepted: ')).trim();
  if (answer === 'yes') return true;
  io.err('apply cancelled; nothing was changed.\n');
  return false;
}

/** Takes every host's lock concurrently, saying on stderr whom it waits for. */
function lockHosts(
  hosts: string[],
  owner: string,
  pool: ConnectionPool,
  inventory: Inventory,
  opts: Pick<ApplyOptions, 'forks' | 'lockTimeout' | 'breakLock'>,
  io?: Io,
): Promise<Map<string, string | true>> {
  return lockHostsWith(hosts, owner, pool, inventory, {
    forks: opts.forks,
    lockTimeout: opts.lockTimeout,
    ...(opts.breakLock ? { breakLock: true } : {}),
    ...(io ? { onLockWait: lockWaitPrinter(io) } : {}),
  });
}

function lockWaitPrinter(io: Io): (host: string, holder: string, left: number) => void {
  return (host, holder, left) =>
    io.err(`waiting for the lock on ${host}: ${holder}; up to ${left}s more (--lock-timeout)\n`);
}

/**
 * Runs `fn` holding the locks of `hosts` (taken concurrently, released afterwards whatever happens).
 * For `watch --heal`, which must re-check what it observed once nobody else can change it.
 */
export async function withHostLocks<T>(
  hosts: string[],
  pool: ConnectionPool,
  inventory: Inventory,
  opts: Pick<ApplyOptions, 'forks' | 'lockTimeout' | 'breakLock'>,
  fn: (held: HostLocks) => Promise<T>,
  io?: Io,
): Promise<T> {
  const owner = newOwner();
  const held: HostLocks = { owner, locks: await lockHosts(hosts, owner, pool, inventory, opts, io) };
  try {
    return await fn(held);
  } finally {
    await unlockHosts(heldHosts(held), held.owner, pool, inventory);
  }
}
