import { sanitizeHostText } from '../report/sanitize.js';
import type { Connection } from '../transport/index.js';
import { ALREADY_APPLIED, recordPlanScript } from './plan-record.js';

/**
 * Records on the host that the saved plan with `digest` is being applied, before its first
 * command. Returns why the host must not be touched (already applied, or the record could not be
 * written: a plan that cannot be marked used is not run), or undefined.
 */
export async function recordPlanUse(
  conn: Connection,
  host: string,
  digest: string,
  owner: string,
  become: boolean,
): Promise<string | undefined> {
  const res = await conn.runScript(recordPlanScript(digest, owner), { become, timeoutMs: 30_000 });
  if (res.code === 0) return undefined;
  if (res.code === ALREADY_APPLIED) {
    return `this saved plan was already applied on ${host} (${sanitizeHostText(res.stdout.trim())}); make a new plan`;
  }
  const why = sanitizeHostText((res.error ?? res.stderr).trim()) || `exit ${res.code}`;
  return `could not record on ${host} that this plan is applied (${why}); nothing was run there`;
}
