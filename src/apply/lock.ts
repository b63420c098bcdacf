import { quote } from 'shell-quote';
import type { Connection } from '../transport/index.js';

/** Where the per-host lock lives: a directory, because mkdir is atomic on every filesystem. */
export const LOCK_DIR = '/run/runstate.lock';

/**
 * Takes the host's apply lock, waiting up to `timeoutSec`. Exit 0 = taken; exit 75 = held by
 * someone else (stdout names the owner); exit 73 = could not be created (stderr says why). Owner and start time are written inside the lock.
 */
export function lockScript(owner: string, timeoutSec: number, lockDir = LOCK_DIR): string {
  const dir = quote([lockDir]);
  return [
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

export type LockResult = { ok: true } | { ok: false; held?: string; error?: string };

/**
 * Takes the lock on `conn`, waiting up to `timeoutSec`: in rounds of WAIT_REPORT_SEC on the host,
 * telling `onWait` who holds it and for how long after each round that ends with it still held.
 */
export async function takeLock(
  conn: Pick<Connection, 'runScript'>,
  owner: string,
  timeoutSec: number,
  opts: { become: boolean; onWait?: (holder: string, leftSec: number) => void },
  now: () => number = Date.now,
): Promise<LockResult> {
  const deadline = now() + Math.max(0, timeoutSec) * 1000;
  for (;;) {
    const left = Math.max(0, Math.ceil((deadline - now()) / 1000));
    const round = Math.min(left, WAIT_REPORT_SEC);
    const res = await conn.runScript(lockScript(owner, round), {
      become: opts.become,
      timeoutMs: (round + 30) * 1000,
    });
    if (res.code === 0) return { ok: true };
    if (res.code !== 75) return { ok: false, error: res.error ?? res.stderr.trim() };
    const holder = describeHolder(res.stdout);
    const stillLeft = Math.max(0, Math.ceil((deadline - now()) / 1000));
    if (stillLeft === 0) return { ok: false, held: holder };
    opts.onWait?.(holder, stillLeft);
  }
}
