import pLimit from 'p-limit';
import type { Plan, Step } from '../model/plan.js';
import { markCommandSent } from './sent.js';
import type {
  CommandKind,
  CommandRecord,
  CommandStart,
  ExecuteOptions,
  HostAccess,
  StepOutcome,
} from './types.js';

const STDERR_TAIL_CHARS = 600;

/**
 * Runs a plan's DAG with the most parallelism that is safe: a step starts once every step in
 * its `after` succeeded; steps of one host run one at a time; at most `forks` run at once.
 * A failed step (or unreachable host) skips its transitive dependents; independent branches go
 * on. The dry run walks exactly the same path and stops just before each command (mgmt's
 * CheckApply idea), so it can never disagree with a real run about what would happen.
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<StepOutcome[]> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const outcomes = new Map<string, Promise<StepOutcome>>();
  const global = pLimit(Math.max(1, opts.forks));
  const hostQueues = new Map<string, Promise<unknown>>();
  const access = memoiseAccess(opts);
  const halt: Halt = {};

  const outcomeOf = (id: string): Promise<StepOutcome> => {
    const existing = outcomes.get(id);
    if (existing) return existing;
    const step = byId.get(id);
    if (!step) throw new Error(`plan step ${id} is referenced but not defined`);
    const p = (async (): Promise<StepOutcome> => {
      const before = await Promise.all(step.after.map(outcomeOf));
      const blocker = before.find((o) => o.kind !== 'ok' && o.kind !== 'would-run');
      if (blocker) return skipped(step, blocker);
      if (step.blockedBy) return { kind: 'skipped', step, because: step.id, cause: step.blockedBy };
      return onHost(step.host, () => global(() => runStep(step, opts, access, halt)));
    })();
    outcomes.set(id, p);
    return p;
  };

  /** Steps of one host run one at a time, in the order they were queued (wave order). */
  const onHost = (host: string, task: () => Promise<StepOutcome>): Promise<StepOutcome> => {
    const previous = hostQueues.get(host) ?? Promise.resolve();
    const next = previous.then(task, task);
    hostQueues.set(host, next);
    return next;
  };

  // Queue in wave order so each host's queue follows the plan's listed order.
  const ordered = plan.waves.flat();
  const results = await Promise.all(ordered.map(outcomeOf));
  return results;
}

function memoiseAccess(opts: ExecuteOptions): (host: string) => Promise<HostAccess> {
  const cache = new Map<string, Promise<HostAccess>>();
  return (host) => {
    let p = cache.get(host);
    if (!p) {
      p = opts.access(host);
      cache.set(host, p);
    }
    return p;
  };
}

function skipped(step: Step, blocker: StepOutcome): StepOutcome {
  const root =
    blocker.kind === 'skipped'
      ? blocker.cause
      : blocker.kind === 'not-started'
        ? 'the run was interrupted'
        : `${blocker.step.id} did not succeed`;
  return { kind: 'skipped', step, because: blocker.step.id, cause: root };
}

/** Set once the audit log could not be written: from then on no step starts. */
interface Halt {
  reason?: string;
}

async function runStep(
  step: Step,
  opts: ExecuteOptions,
  access: (host: string) => Promise<HostAccess>,
  halt: Halt,
): Promise<StepOutcome> {
  if (opts.signal?.aborted) return { kind: 'not-started', step, reason: 'interrupted before it began' };
  if (halt.reason) return { kind: 'not-started', step, reason: halt.reason };
  const conn = await access(step.host);
  if (!conn.ok) return { kind: 'unreachable', step, reason: conn.reason };
  opts.onEvent?.({ kind: 'step-start', step, at: new Date() });
  const started = Date.now();
  const audited = auditor(step, opts, halt);
  const outcome = await (async (): Promise<StepOutcome> => {
    try {
      for (const argv of step.commands) {
        if (opts.dryRun) continue;
        const res = await audited('command', argv, () => conn.actions.run(argv));
        if (res.code !== 0 || res.timedOut) {
          const why = res.timedOut ? 'timed out' : `exited ${res.code}`;
          return failed(step, started, `\`${argv.join(' ')}\` ${why}`, res.stderr || res.stdout);
        }
      }
      if (opts.dryRun) return { kind: 'would-run', step };
      if (step.kind === 'start' || step.kind === 'restart') {
        const verified = await audited('verify', [step.service ?? ''], async () =>
          gateResult(await conn.actions.verifyRunning(step)),
        );
        if (!verified.ok) return failed(step, started, verified.message, '');
        if (step.health) {
          opts.onEvent?.({ kind: 'health-wait', step, at: new Date(), detail: describeGate(step) });
          const healthy = await audited('health', gateArgv(step), async () =>
            gateResult(await conn.actions.waitHealthy(step)),
          );
          if (!healthy.ok) return failed(step, started, healthy.message, '');
        }
      }
      return { kind: 'ok', step, durationMs: Date.now() - started };
    } catch (err) {
      if (!(err instanceof AuditFailure)) throw err;
      return failed(step, started, err.message, '');
    }
  })();
  opts.onEvent?.({ kind: 'step-end', outcome, at: new Date() });
  return outcome;
}

/** Thrown inside runStep when the audit log refused a record; becomes the step's failure. */
class AuditFailure extends Error {}

type Audited = <T extends { code: number | null; timedOut: boolean }>(
  what: CommandKind,
  argv: string[],
  send: () => Promise<T>,
) => Promise<T>;

/** Records "about to run" before `send` and the result after; a failed record halts the run. */
function auditor(step: Step, opts: ExecuteOptions, halt: Halt): Audited {
  return async (what, argv, send) => {
    const start: CommandStart = {
      host: step.host,
      stepId: step.id,
      what,
      argv,
      startedAt: new Date().toISOString(),
    };
    try {
      opts.beforeCommand?.(start);
    } catch (err) {
      halt.reason = `not started: the audit log could not be written (${(err as Error).message})`;
      throw new AuditFailure(`not run: ${(err as Error).message}; no new step was started`);
    }
    markCommandSent();
    const res = await send();
    try {
      opts.onCommand?.(commandRecord(start, res));
    } catch (err) {
      halt.reason = `not started: the audit log could not be written (${(err as Error).message})`;
      throw new AuditFailure(
        `ran, but its result could not be audited: ${(err as Error).message}; no new step was started`,
      );
    }
    return res;
  };
}

/** verifyRunning / waitHealthy answers in the shape the auditor records. */
function gateResult(
  r: { ok: true } | { ok: false; message: string },
): ({ ok: true } | { ok: false; message: string }) & { code: number; timedOut: boolean } {
  return { ...r, code: r.ok ? 0 : 1, timedOut: false };
}

/** What the audit log says a health gate checks. */
function gateArgv(step: Step): string[] {
  const h = step.health;
  if (!h) return [];
  switch (h.kind) {
    case 'tcp':
      return ['tcp', h.host, String(h.port)];
    case 'http':
      return ['http', h.url];
    case 'command':
      return ['command', ...h.argv];
  }
}

function failed(step: Step, started: number, message: string, output: string): StepOutcome {
  const tail = output.trim().slice(-STDERR_TAIL_CHARS);
  return { kind: 'failed', step, durationMs: Date.now() - started, message, stderrTail: tail };
}

function commandRecord(start: CommandStart, res: { code: number | null; timedOut: boolean }): CommandRecord {
  return { ...start, endedAt: new Date().toISOString(), exitCode: res.code, timedOut: res.timedOut };
}

export function describeGate(step: Step): string {
  const h = step.health;
  if (!h) return '';
  switch (h.kind) {
    case 'tcp':
      return `tcp ${h.host}:${h.port} (up to ${h.timeoutSec}s)`;
    case 'http':
      return `http ${h.url} (up to ${h.timeoutSec}s)`;
    case 'command':
      return `command ${h.argv.join(' ')} (up to ${h.timeoutSec}s)`;
  }
}
