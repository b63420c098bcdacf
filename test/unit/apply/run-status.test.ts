import { describe, expect, it } from 'vitest';
import { runStatus } from '../../../src/apply/run-status.js';
import type { StepOutcome } from '../../../src/apply/types.js';
import type { Plan, Step } from '../../../src/model/plan.js';

const step = (service: string, blockedBy?: string): Step => ({
  id: `h/start/${service}`,
  host: 'h',
  kind: 'start',
  service,
  manager: 'systemd',
  reason: 'test',
  commands: [['systemctl', 'start', service]],
  after: [],
  wave: 1,
  ...(blockedBy ? { blockedBy } : {}),
});
const plan = (steps: Step[]): Plan => ({
  version: 1,
  playbooks: [],
  inventory: [],
  hosts: {},
  steps,
  waves: [],
});
const ok = (s: Step): StepOutcome => ({ kind: 'ok', step: s, durationMs: 1 });

/** The one rule `runstate apply` and the SDK's apply() both end with. */
describe('runStatus', () => {
  const a = step('a');
  const b = step('b');
  it.each([
    ['every step ok', plan([a, b]), [ok(a), ok(b)], 0, 'converged', 0],
    ['a dry run', plan([a]), [{ kind: 'would-run', step: a }], 0, 'converged', 0],
    [
      'one failed',
      plan([a, b]),
      [ok(a), { kind: 'failed', step: b, durationMs: 1, message: 'x', stderrTail: '' }],
      0,
      'partial',
      3,
    ],
    ['a host not locked', plan([a]), [ok(a)], 1, 'partial', 3],
    ['a blocked step', plan([a, step('c', 'masked')]), [ok(a)], 0, 'partial', 3],
    [
      'interrupted',
      plan([a, b]),
      [ok(a), { kind: 'not-started', step: b, reason: 'aborted' }],
      0,
      'interrupted',
      3,
    ],
  ] as const)('%s', (_name, p, outcomes, missed, status, exitCode) => {
    expect(runStatus(p, outcomes, missed)).toEqual({ status, exitCode });
  });
});
