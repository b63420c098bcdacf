import { hostname } from 'node:os';
import { quote } from 'shell-quote';
import type { Connection } from '../transport/index.js';

/** Where the per-host lock lives: a directory, because mkdir is atomic on every filesystem. */
export const LOCK_DIR = '/run/runstate.lock';

/**
 * Takes the host's apply lock, waiting up to `timeoutSec`. Exit 0 = taken; exit 75 = held by
 * someone else (stdout names the owner); exit 73 = could not be created (stderr says why). Owner and start time are written inside the lock.
 */
export function lockScript(
  owner: string,
  timeoutSec: number,
  lockDir = LOCK_DIR,
  breakOwner?: string,
): string {
  const dir = quote([lockDir]);
  return [
    // --break-lock: remove the lock only if it is still the stale one the user was shown.
    ...(breakOwner
      ? [`if [ "$(head -n 1 ${dir}/owner 2>/dev/null)" = ${quote([breakOwner])} ]; then rm -rf ${dir}; fi`]
      : []),
    `deadline=$(( $(date +%s) + ${Math.max(0, Math.floor(timeoutSec))} ))`,
    'while :; do',
    `  if rs_err=$(mkdir ${dir} 2>&1); then`,
    `    printf '%s\\n' ${quote([owner])} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${dir}/owner`,
    '    exit 0',
    '  fi',
    // Only an existing lock is worth waiting for; anything else (permission denied…) is said at once.
    `  if [ ! -d ${dir} ]; then printf '%s\\n' "$rs_err" >&2; exit 73; fi`,
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    cat ${dir}/owner 2>/dev/null | tr '\\n' ' '`,
    // How long it has been held, by the host's own clock (the lock dir's mtime).
    `    printf '\\nage=%s\\n' "$(( $(date +%s) - $(stat -c %Y ${dir} 2>/dev/null || date +%s) ))"`,
    '    exit 75',
    '  fi',
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

/** Releases the lock only if we still own it (never someone else's). */
export function unlockScript(owner: string, lockDir = LOCK_DIR): string {
  const dir = quote([lockDir]);
  return [
    `if [ "$(head -n 1 ${dir}/owner 2>/dev/null)" = ${quote([owner])} ]; then rm -rf ${dir}; fi`,
    '',
  ].join('\n');
}

/** Who holds a lock, from the lock script's exit-75 output: "OWNER START" and "age=SECONDS". */
export function describeHolder(stdout: string): string {
  const [who = '', ...rest] = stdout.split('\n');
  const age = /age=(\d+)/.exec(rest.join('\n'))?.[1];
  const owner = who.trim() || 'an unknown owner';
  return age === undefined ? owner : `${owner}, held for ${age}s`;
}

/** How often a wait for a held lock says so, so a user never watches a silent terminal. */
const WAIT_REPORT_SEC = 10;

export type LockResult = { ok: true } | { ok: false; held?: string; error?: string; stale?: string };

/**
 * Takes the lock on `conn`, waiting up to `timeoutSec`: in rounds of WAIT_REPORT_SEC on the host,
 * telling `onWait` who holds it and for how long after each round that ends with it still held.
 */
export async function takeLock(
  conn: Pick<Connection, 'runScript'>,
  owner: string,
  timeoutSec: number,
  opts: {
    become: boolean;
    onWait?: (holder: string, leftSec: number) => void;
    /** Remove a lock recognised as stale (and only that one) instead of refusing. */
    breakLock?: boolean;
    /** How a holder is judged stale (default: this controller's host name and PIDs). */
    staleOf?: (holder: LockHolder) => string | undefined;
  },
  now: () => number = Date.now,
): Promise<LockResult> {
  const deadline = now() + Math.max(0, timeoutSec) * 1000;
  const staleOf =
    opts.staleOf ??
    ((h: LockHolder) => staleReason(h, { hostname: hostname(), now: new Date(), alive: processAlive }));
  let breakOwner: string | undefined;
  for (let first = true; ; first = false) {
    const left = Math.max(0, Math.ceil((deadline - now()) / 1000));
    // The first try does not wait: a stale lock is said (or broken) at once, not after the timeout.
    const round = first ? 0 : Math.min(left, WAIT_REPORT_SEC);
    const res = await conn.runScript(lockScript(owner, round, LOCK_DIR, breakOwner), {
      become: opts.become,
      timeoutMs: (round + 30) * 1000,
    });
    if (res.code === 0) return { ok: true };
    if (res.code !== 75) return { ok: false, error: res.error ?? res.stderr.trim() };
    const parsed = parseHolder(res.stdout.split('\n')[0] ?? '');
    const stale = staleOf(parsed);
    if (stale && !opts.breakLock) return { ok: false, held: describeHolder(res.stdout), stale };
    if (stale && breakOwner === undefined) {
      breakOwner = parsed.owner;
      continue;
    }
    const holder = describeHolder(res.stdout);
    const stillLeft = Math.max(0, Math.ceil((deadline - now()) / 1000));
    if (stillLeft === 0) return { ok: false, held: holder };
    opts.onWait?.(holder, stillLeft);
  }
}

/** A lock older than this is stale whoever holds it: no apply runs that long (--command-timeout). */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface LockHolder {
  /** The owner line as written in the lock (`runstate USER@HOST pid N RANDOM`). */
  owner: string;
  controller?: string;
  pid?: number;
  since?: Date;
}

/** Parses what the lock script prints for a held lock: the owner line, then its UTC start time. */
export function parseHolder(text: string): LockHolder {
  const m = /^(runstate \S+@(\S+) pid (\d+) [0-9a-f]+)\s*(\S+)?/.exec(text.trim());
  if (!m) return { owner: text.trim().split(/\s+\d{4}-\d\d-\d\dT/)[0] ?? text.trim() };
  const since = m[4] ? new Date(m[4]) : undefined;
  return {
    owner: m[1] as string,
    controller: m[2] as string,
    pid: Number(m[3]),
    ...(since && !Number.isNaN(since.getTime()) ? { since } : {}),
  };
}

/**
 * Why a held lock is stale, or undefined when its holder may still be running: the holder ran on
 * this controller and its process is gone (SIGKILL, a crash, a reboot), or it is older than
 * STALE_AFTER_MS. A holder on another controller is never judged by its PID.
 */
export function staleReason(
  holder: LockHolder,
  here: { hostname: string; now: Date; alive: (pid: number) => boolean },
): string | undefined {
  if (holder.controller === here.hostname && holder.pid !== undefined && !here.alive(holder.pid)) {
    return `its owner, runstate pid ${holder.pid} on this machine, is gone`;
  }
  if (holder.since && here.now.getTime() - holder.since.getTime() > STALE_AFTER_MS) {
    return `it was taken at ${holder.since.toISOString()}, longer ago than any apply runs`;
  }
  return undefined;
}

/** process.kill(pid, 0): true when the process exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
