import { hostname } from 'node:os';
import { LOCK_DIR, lockScript, parseHolder, processAlive, staleReason } from '../apply/lock.js';
import type { Inventory } from '../model/inventory.js';
import { sanitizeHostText } from '../report/sanitize.js';
import type { ConnectionPool } from '../transport/index.js';

export interface LockOptions {
  lockTimeout: number;
  /** Remove a lock recognised as stale (its owner is gone, or it is too old) and take it. */
  breakLock?: boolean;
}

/**
 * Takes one host's lock: `true`, or why not. A free lock costs one round trip. A held one is
 * first judged: stale (its runstate was SIGKILLed here, or it is older than any apply) is said at
 * once with the way out (`--break-lock`, which removes exactly that stale lock); a live one is
 * waited for up to --lock-timeout.
 */
export async function takeHostLock(
  host: string,
  owner: string,
  pool: ConnectionPool,
  inventory: Inventory,
  opts: LockOptions,
): Promise<string | true> {
  const inv = inventory.hosts[host];
  if (!inv) return 'not in the inventory';
  const got = await pool.get(inv);
  if (!got.ok) return got.failure.message;
  const run = (timeoutSec: number, breakOwner?: string) =>
    got.conn.runScript(lockScript(owner, timeoutSec, LOCK_DIR, breakOwner), {
      become: inv.become,
      timeoutMs: (timeoutSec + 30) * 1000,
    });
  let res = await run(0);
  if (res.code === 75) {
    const holder = parseHolder(sanitizeHostText(res.stdout));
    const stale = staleReason(holder, { hostname: hostname(), now: new Date(), alive: processAlive });
    if (stale && !opts.breakLock) {
      return `${host} is locked by ${holder.owner}, but the lock is stale: ${stale}; if no apply is running there, run again with --break-lock`;
    }
    res = await run(opts.lockTimeout, stale ? holder.owner : undefined);
  }
  if (res.code === 0) return true;
  if (res.code === 75) {
    return `another apply holds the lock on ${host} (${sanitizeHostText(res.stdout.trim())}); waited ${opts.lockTimeout}s (--lock-timeout)`;
  }
  return `could not take the lock ${LOCK_DIR} on ${host}: ${sanitizeHostText(res.error ?? res.stderr.trim())}`;
}
