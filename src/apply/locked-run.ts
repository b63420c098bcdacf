import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import pLimit from 'p-limit';
import { hostNamed, type Inventory } from '../model/inventory.js';
import type { Plan } from '../model/plan.js';
import { sanitizeHostText } from '../report/sanitize.js';
import type { ConnectionPool } from '../transport/index.js';
import type { AuditLog } from './audit.js';
import { executePlan } from './executor.js';
import { LOCK_DIR, takeLock, unlockScript } from './lock.js';
import { recordPlanUse } from './plan-use.js';
import { sshActions } from './ssh-actions.js';
import type { ExecEvent, HostAccess, HostActions, StepOutcome } from './types.js';

/*
 * Locks, executes and unlocks: the part of apply that the CLI (apply, watch --heal) and the SDK
 * share. It writes nothing itself; what a person should see arrives through the callbacks.
 */

/** Who holds a host's lock (`true`: we do) or why we could not take it. */
export interface HostLocks {
  owner: string;
  locks: Map<string, string | true>;
}

export interface LockOptions {
  forks: number;
  lockTimeout: number;
  breakLock?: boolean;
  /** Another apply holds `host`'s lock: `holder` (already sanitised), `left` seconds still waited. */
  onLockWait?: (host: string, holder: string, left: number) => void;
}

export interface LockedRunOptions extends LockOptions {
  dryRun: boolean;
  settle: number;
  commandTimeout: number;
  /** Planned from a snapshot (dry run only): nothing connects. */
  offline?: boolean;
  /** A saved plan's digest: recorded on each host before its first command, refused if there. */
  singleUse?: string;
  audit?: AuditLog;
  /** The run's lock owner (the audit log names it too); default a new one. */
  owner?: string;
  signal?: AbortSignal;
  onEvent?: (e: ExecEvent) => void;
}

export function newOwner(): string {
  return `runstate ${userInfo().username}@${hostname()} pid ${process.pid} ${randomBytes(4).toString('hex')}`;
}

export function unlockedHosts(held: HostLocks): [string, string][] {
  return [...held.locks].filter((e): e is [string, string] => e[1] !== true);
}

export function heldHosts(held: HostLocks): string[] {
  return [...held.locks].filter(([, v]) => v === true).map(([h]) => h);
}

/**
 * Runs the plan under the hosts' locks: those in `held` (taken and released by the caller), or
 * else taken here for the plan's hosts and released at the end, whatever happens.
 */
export async function executeLocked(
  plan: Plan,
  inventory: Inventory,
  pool: ConnectionPool,
  opts: LockedRunOptions,
  held?: HostLocks,
): Promise<StepOutcome[]> {
  const owner = held?.owner ?? opts.owner ?? newOwner();
  const stepHosts = [...new Set(plan.steps.map((s) => s.host))].sort();
  const audit = opts.dryRun ? undefined : opts.audit;
  const locks =
    held?.locks ??
    (opts.dryRun
      ? new Map<string, string | true>()
      : await lockHosts(stepHosts, owner, pool, inventory, opts));
  try {
    return await executePlan(plan, {
      forks: opts.forks,
      dryRun: opts.dryRun,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      beforeCommand: (rec) => audit?.starting(rec, hostNamed(inventory, rec.host)?.user),
      onCommand: (rec) => audit?.record(rec, hostNamed(inventory, rec.host)?.user),
      access: async (host): Promise<HostAccess> => {
        if (opts.offline) return { ok: true, actions: offlineActions(host) };
        const lock = locks.get(host);
        if (lock !== undefined && lock !== true) return { ok: false, reason: lock };
        const inv = hostNamed(inventory, host);
        if (!inv) return { ok: false, reason: 'not in the inventory' };
        const got = await pool.get(inv);
        if (!got.ok) return { ok: false, reason: got.failure.message };
        if (opts.singleUse && !opts.dryRun) {
          const refused = await recordPlanUse(got.conn, host, opts.singleUse, owner, inv.become);
          if (refused) return { ok: false, reason: refused };
        }
        const actions = sshActions(got.conn, {
          become: inv.become,
          settleSec: opts.settle,
          commandTimeoutMs: opts.commandTimeout * 1000,
          ...(inv.init !== undefined ? { init: inv.init } : {}),
        });
        return { ok: true, actions };
      },
    });
  } finally {
    if (!held) await unlockHosts(heldHosts({ owner, locks }), owner, pool, inventory);
  }
}

/** Takes every host's lock concurrently; `true` = ours, a string = why we could not. */
export async function lockHosts(
  hosts: string[],
  owner: string,
  pool: ConnectionPool,
  inventory: Inventory,
  opts: LockOptions,
): Promise<Map<string, string | true>> {
  const limit = pLimit(opts.forks);
  const entries = await Promise.all(
    hosts.map((host) =>
      limit(async (): Promise<[string, string | true]> => {
        const inv = hostNamed(inventory, host);
        if (!inv) return [host, 'not in the inventory'];
        const got = await pool.get(inv);
        if (!got.ok) return [host, got.failure.message];
        const res = await takeLock(got.conn, owner, opts.lockTimeout, {
          become: inv.become,
          ...(opts.breakLock ? { breakLock: true } : {}),
          onWait: (holder, left) => opts.onLockWait?.(host, sanitizeHostText(holder), left),
        });
        if (res.ok) return [host, true];
        if (res.stale !== undefined) {
          return [
            host,
            `${host} is locked by ${sanitizeHostText(res.held ?? '')}, but the lock is stale: ${res.stale}; if no apply is running there, run again with --break-lock`,
          ];
        }
        if (res.held !== undefined) {
          return [
            host,
            `another apply holds the lock on ${host} (${sanitizeHostText(res.held)}); waited ${opts.lockTimeout}s (--lock-timeout)`,
          ];
        }
        return [host, `could not take the lock ${LOCK_DIR} on ${host}: ${sanitizeHostText(res.error ?? '')}`];
      }),
    ),
  );
  return new Map(entries);
}

export async function unlockHosts(
  hosts: string[],
  owner: string,
  pool: ConnectionPool,
  inventory: Inventory,
): Promise<void> {
  await Promise.all(
    hosts.map(async (host) => {
      const inv = hostNamed(inventory, host);
      if (!inv) return;
      const got = await pool.get(inv);
      if (got.ok) await got.conn.runScript(unlockScript(owner), { become: inv.become, timeoutMs: 30_000 });
    }),
  );
}

/** A dry run from a snapshot never connects: these actions exist only to be not called. */
function offlineActions(host: string): HostActions {
  const refuse = (): never => {
    throw new Error(`bug: a command reached ${host} during a dry run from a snapshot`);
  };
  return { run: refuse, verifyRunning: refuse, waitHealthy: refuse };
}
