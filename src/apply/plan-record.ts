import { quote } from 'shell-quote';

/** Where each host keeps one file per saved plan applied to it, named by the plan's digest. */
export const APPLIED_PLANS_DIR = '/var/lib/runstate/applied-plans';

/** Exit status of both scripts when the plan was already applied on the host (stdout: by whom). */
export const ALREADY_APPLIED = 75;

function recordPath(digest: string, dir: string): string {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  if (!hex) throw new Error(`bad plan digest ${JSON.stringify(digest)}`);
  return quote([`${dir}/${hex}`]);
}

/** Exit 0: never applied here; exit 75: applied before, stdout says who and when. */
export function planUsedScript(digest: string, dir = APPLIED_PLANS_DIR): string {
  const file = recordPath(digest, dir);
  return `if [ -e ${file} ]; then tr '\\n' ' ' < ${file}; exit ${ALREADY_APPLIED}; fi\nexit 0\n`;
}

/**
 * Records, under the host lock and before the first command, that this plan is being applied
 * here, so the same file is refused next time (like Terraform's stale saved plan). `set -C`
 * makes the write fail if the record appeared meanwhile; exit 75 then, other failures non-zero.
 */
export function recordPlanScript(digest: string, owner: string, dir = APPLIED_PLANS_DIR): string {
  const file = recordPath(digest, dir);
  return [
    `if [ -e ${file} ]; then tr '\\n' ' ' < ${file}; exit ${ALREADY_APPLIED}; fi`,
    `mkdir -p ${quote([dir])} || exit 1`,
    `( set -C; printf '%s\\n' ${quote([owner])} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${file} ) || exit 1`,
    '',
  ].join('\n');
}
