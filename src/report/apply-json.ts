import type { StepOutcome } from '../apply/types.js';
import type { Plan } from '../model/plan.js';

/**
 * `apply --format json` (issue 13): the outcome of every step of the plan, in plan order, as one
 * document on stdout (the human report goes to stderr then). `outcome` is the executor's own word
 * (ok, would-run, failed, skipped, unreachable, not-started); steps the run never reached are
 * `not-run`, so every step of the plan is accounted for.
 */
export function renderApplyJson(
  plan: Plan,
  outcomes: readonly StepOutcome[],
  exitCode: number,
  dryRun: boolean,
): string {
  const byId = new Map(outcomes.map((o) => [o.step.id, o]));
  const steps = plan.steps.map((s) => {
    const o = byId.get(s.id);
    return {
      id: s.id,
      host: s.host,
      kind: s.kind,
      ...(s.service !== undefined ? { service: s.service } : {}),
      ...(s.change ? { change: s.change } : {}),
      outcome: o?.kind ?? 'not-run',
      ...(o ? details(o) : {}),
    };
  });
  const count = (k: string) => steps.filter((s) => s.outcome === k).length;
  const doc = {
    version: 1,
    ...(plan.serial !== undefined ? { plan: plan.serial } : {}),
    dryRun,
    exitCode,
    summary: {
      ok: count('ok'),
      wouldRun: count('would-run'),
      failed: count('failed'),
      skipped: count('skipped'),
      unreachable: count('unreachable'),
      notStarted: count('not-started') + count('not-run'),
    },
    steps,
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function details(o: StepOutcome): Record<string, unknown> {
  switch (o.kind) {
    case 'ok':
      return { durationMs: o.durationMs, ...(o.note ? { note: o.note } : {}) };
    case 'failed':
      return {
        durationMs: o.durationMs,
        message: o.message,
        ...(o.stderrTail ? { stderrTail: o.stderrTail } : {}),
      };
    case 'skipped':
      return { because: o.because, cause: o.cause };
    case 'unreachable':
    case 'not-started':
      return { reason: o.reason };
    case 'would-run':
      return {};
  }
}
