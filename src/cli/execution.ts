import type { OrchestrateOptions } from '../apply/orchestrate.js';
import type { ExecEvent } from '../apply/types.js';
import { execEvent } from '../events/from.js';
import type { EventSink } from '../events/types.js';
import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { ConnectionPool } from '../transport/index.js';
import { type CommonOptions, type Io, useColor } from './context.js';
import { gatherFacts } from './gather.js';
import { progressPrinter } from './progress.js';

/*
 * The CLI's side of src/apply/orchestrate.ts, shared by apply, restart and watch --heal: flags to
 * options, and the hooks that print (progress, lock waits, the question) and feed --events.
 */

/** Flags of every command that executes steps on hosts (main.ts: withExecution). */
export interface ExecutionFlags {
  dryRun?: boolean;
  yes?: boolean;
  observed?: string;
  auditLog?: string;
  lockTimeout: number;
  settle: number;
  commandTimeout: number;
  breakLock?: boolean;
}

/** The orchestration's options from the flags; the audit log, owner and signal are the command's. */
export function runOptions(
  opts: Pick<CommonOptions, 'forks'> & ExecutionFlags,
  io: Io,
): Omit<OrchestrateOptions, 'audit' | 'owner' | 'signal'> {
  return {
    forks: opts.forks,
    lockTimeout: opts.lockTimeout,
    ...(opts.breakLock ? { breakLock: true } : {}),
    onLockWait: (host, holder, left) =>
      io.err(`waiting for the lock on ${host}: ${holder}; up to ${left}s more (--lock-timeout)\n`),
    dryRun: Boolean(opts.dryRun),
    settle: opts.settle,
    commandTimeout: opts.commandTimeout,
    ...(opts.observed ? { offline: true } : {}),
  };
}

/** Progress lines on stderr (none in a dry run) and each step's start and end on --events. */
export function progressOf(
  opts: { dryRun?: boolean; color?: boolean },
  io: Io,
  sink: EventSink | undefined,
): { onEvent: (e: ExecEvent) => void; done: () => void } {
  const printer = opts.dryRun
    ? { onEvent: () => {}, done: () => {} }
    : progressPrinter(io, useColor(opts, io));
  if (!sink) return printer;
  return {
    done: printer.done,
    onEvent: (e) => {
      printer.onEvent(e);
      const event = execEvent(e);
      if (event) sink.emit(event);
    },
  };
}

/** The re-check after locking observes as the command did (with -v's lines), through its pool. */
export function reobserveWith(
  opts: CommonOptions,
  io: Io,
  pool: ConnectionPool,
): (inventory: Inventory, desired: Desired, hosts: string[]) => Promise<ObservedSnapshot> {
  return async (inventory, desired, hosts) =>
    (await gatherFacts(inventory, desired, opts, io, hosts, pool)).snapshot;
}

/** The y/N question: only "yes" goes ahead; without a terminal, --yes is needed. */
export async function confirmed(opts: { yes?: boolean }, io: Io): Promise<boolean> {
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
