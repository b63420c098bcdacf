import { quote } from 'shell-quote';

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
