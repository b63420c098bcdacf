import type { Plan } from '../model/plan.js';
import { isPartial } from '../report/plan-summary.js';
import type { StepOutcome } from './types.js';

/**
 * How an apply ended, from its outcomes: one rule for `runstate apply` and the SDK's `apply`.
 * Converged only when every step ran (or would run), nothing was interrupted, nothing in the plan
 * was blocked and every host was reached and locked; anything else is partial (exit 3).
 */
export function runStatus(
  plan: Plan,
  outcomes: readonly StepOutcome[],
  hostsMissed: number,
): { status: 'converged' | 'partial' | 'interrupted'; exitCode: 0 | 3 } {
  const interrupted = outcomes.some((o) => o.kind === 'not-started');
  const allOk = outcomes.every((o) => o.kind === 'ok' || o.kind === 'would-run');
  const clean = allOk && !interrupted && !isPartial(plan) && hostsMissed === 0;
  return { status: interrupted ? 'interrupted' : clean ? 'converged' : 'partial', exitCode: clean ? 0 : 3 };
}
