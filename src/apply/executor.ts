import pLimit, { type LimitFunction } from 'p-limit';
import { serviceOnHost } from '../model/notation.js';
import { type GateSet, gateSets, type Plan, type RequiredGate, type Step } from '../model/plan.js';
import { gateText } from './health.js';
import { rollingBatches } from './rolling.js';
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
 * its `after` succeeded (through barriers: a barrier stands for the steps in its own `after`);
 * steps of one host run one at a time; at most `forks` run at once.
 * A failed step (or unreachable host) skips its transitive dependents; independent branches go
 * on. The dry run walks exactly the same path and stops just before each command (mgmt's
 * CheckApply idea), so it can never disagree with a real run about what would happen.
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<StepOutcome[]> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const barriers = new Map((plan.barriers ?? []).map((b) => [b.id, b]));
  const outcomes = new Map<string, Promise<StepOutcome>>();
  const barrierBlockers = new Map<string, Promise<StepOutcome | undefined>>();
  const global = pLimit(Math.max(1, opts.forks));
  const hostQueues = new Map<string, Promise<unknown>>();
  const access = memoiseAccess(opts);
  const halt: Halt = {};
  const gates = requiredGateChecker(gateSets(plan), opts, access, global, halt);
  const rolls = rollingBatches(plan, opts);

  /** What keeps a step waiting on `id` from running: a step that did not succeed, or nothing. */
  const blockerOf = (id: string): Promise<StepOutcome | undefined> => {
    if (byId.has(id))
      return outcomeOf(id).then((o) =>
        o.kind === 'ok' || o.kind === 'would-run' || blockedInPlan(o) ? undefined : o,
      );
    const barrier = barriers.get(id);
    if (!barrier) throw new Error(`plan step ${id} is referenced but not defined`);
    let p = barrierBlockers.get(id);
    if (!p) {
      // A barrier runs nothing: it passes on the first step before it that did not succeed.
      p = barrier.roll
        ? rolls.blocker(barrier, blockerOf)
        : Promise.all(barrier.after.map(blockerOf)).then((bs) => bs.find((b) => b !== undefined));
      barrierBlockers.set(id, p);
    }
    return p;
  };

  const outcomeOf = (id: string): Promise<StepOutcome> => {
    const existing = outcomes.get(id);
    if (existing) return existing;
    const step = byId.get(id);
    if (!step) throw new Error(`plan step ${id} is referenced but not defined`);
    const p = (async (): Promise<StepOutcome> => {
      const before = await Promise.all(step.after.map(blockerOf));
      const blocker = before.find((b) => b !== undefined);
      if (blocker) return announced(skipped(step, blocker));
      if (step.blockedBy)
        return announced({ kind: 'skipped', step, because: step.id, cause: step.blockedBy });
      const waiting = await gates(step);
      if (waiting) return waiting;
      return onHost(step.host, () => global(() => runStep(step, opts, access, halt)));
    })();
    outcomes.set(id, p);
    return p;
  };

  /** Skips decided here are told like the ones a step reports itself (progress, --events). */
  const announced = (outcome: StepOutcome): StepOutcome => {
    opts.onEvent?.({ kind: 'step-end', outcome, at: new Date() });
    return outcome;
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

/**
 * A start whose requirement already runs has no step to wait on, so the requirement's gate is
 * checked again here, on the requirement's host, before the start: a database whose gate failed
 * on the last run must not let its app start on this one. Each gate runs once per run, however
 * many dependents ask; the dry run checks nothing (it lists the gates with the commands).
 */
function requiredGateChecker(
  sets: ReadonlyMap<string, GateSet>,
  opts: ExecuteOptions,
  access: (host: string) => Promise<HostAccess>,
  global: LimitFunction,
  halt: Halt,
): (step: Step) => Promise<StepOutcome | undefined> {
  const results = new Map<string, Promise<string | undefined>>();
  const check = (gate: RequiredGate): Promise<string | undefined> => {
    const key = `${gate.host}\u0000${gate.service}`;
    let p = results.get(key);
    if (!p) {
      p = (async () => {
        if (opts.signal?.aborted) return 'the run was interrupted';
        const conn = await access(gate.host);
        if (!conn.ok) return `its host is unreachable (${conn.reason})`;
        if (halt.reason) return halt.reason;
        const audited = auditor({ host: gate.host, id: `${gate.host}/gate/${gate.service}` }, opts, halt);
        let healthy: Awaited<ReturnType<typeof conn.actions.waitHealthy>>;
        try {
          healthy = await global(() =>
            audited('health', gateArgv(gate.health), async () =>
              withCode(await conn.actions.waitHealthy(gate.health)),
            ),
          );
        } catch (err) {
          if (!(err instanceof AuditFailure)) throw err;
          return err.message;
        }
        if (healthy.ok) return undefined;
        const last = lastLine(healthy.output);
        return `its health gate ${gateText(gate.health)} did not pass within ${gate.health.timeoutSec}s${last ? `: ${last}` : ''}`;
      })();
      results.set(key, p);
    }
    return p;
  };
  // A set (one requirement, maybe a whole group) is walked once per run: its verdict is shared by
  // every step that names it, so N dependents of an N-host group cost N checks, not N × N awaits.
  const setResults = new Map<string, Promise<{ gate: RequiredGate; why: string } | undefined>>();
  const checkSet = (set: GateSet): Promise<{ gate: RequiredGate; why: string } | undefined> => {
    let p = setResults.get(set.id);
    if (!p) {
      p = (async () => {
        const whys = await Promise.all(set.gates.map(check));
        const i = whys.findIndex((w) => w !== undefined);
        return i < 0 ? undefined : { gate: set.gates[i] as RequiredGate, why: whys[i] as string };
      })();
      setResults.set(set.id, p);
    }
    return p;
  };
  return async (step) => {
    if (opts.dryRun || !step.requiredGates) return undefined;
    for (const id of step.requiredGates) {
      const set = sets.get(id);
      if (!set) throw new Error(`plan step ${step.id} names gate set ${id}, which is not defined`);
      opts.onEvent?.({ kind: 'health-wait', step, at: new Date(), detail: gateSetText(set) });
      const failed = await checkSet(set);
      if (failed) {
        const { gate, why } = failed;
        const cause = `waiting on unhealthy requirement ${serviceOnHost(gate.host, gate.service)}: ${why}`;
        const outcome: StepOutcome = { kind: 'skipped', step, because: step.id, cause };
        opts.onEvent?.({ kind: 'step-end', outcome, at: new Date() });
        return outcome;
      }
    }
    return undefined;
  };
}

/** One gate as before; a group's set in one line, not one per host. */
function gateSetText(set: GateSet): string {
  const only = set.gates.length === 1 ? set.gates[0] : undefined;
  if (only) return requiredGateText(only);
  return `${set.requirement} (required): ${set.gates.length} health gates`;
}

export function requiredGateText(gate: RequiredGate): string {
  return `${serviceOnHost(gate.host, gate.service)} (required): ${gateText(gate.health)} (up to ${gate.health.timeoutSec}s)`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/**
 * A step the plan itself blocked never ran, so it stands in nobody's way: whatever truly depends
 * on it (through `requires`) was blocked by the planner as well; an `after` edge from it is only
 * tier order, and the steps behind it go on.
 */
function blockedInPlan(o: StepOutcome): boolean {
  return o.kind === 'skipped' && o.step.blockedBy !== undefined && o.because === o.step.id;
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
          // No exit status: the SSH connection dropped (sshd died, the network went) or a signal
          // ended the command; either way the change may be half made, so say so.
          const why = res.timedOut
            ? 'timed out'
            : res.code === null
              ? 'ended without an exit status: the connection to the host was lost or a signal killed it; the change may be half made, check the host and run again'
              : `exited ${res.code}`;
          return failed(step, started, `\`${argv.join(' ')}\` ${why}`, res.stderr || res.stdout);
        }
      }
      if (opts.dryRun) return { kind: 'would-run', step };
      if (step.kind === 'start' || step.kind === 'restart') {
        const verified = await audited('verify', [step.service ?? ''], async () =>
          withCode(await conn.actions.verifyRunning(step)),
        );
        if (!verified.ok) return failed(step, started, verified.message, '');
        const health = step.health;
        if (health) {
          opts.onEvent?.({ kind: 'health-wait', step, at: new Date(), detail: describeGate(step) });
          const healthy = await audited('health', gateArgv(health), async () =>
            withCode(await conn.actions.waitHealthy(health)),
          );
          if (!healthy.ok) {
            const last = lastLine(healthy.output);
            const why = `health gate did not pass within ${health.timeoutSec}s${last ? ` (${last})` : ''}`;
            return failed(step, started, `${why}; dependents were not started`, healthy.output);
          }
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

/** Thrown inside a step when the audit log refused a record; becomes the step's failure. */
class AuditFailure extends Error {}

type Audited = <T extends { code: number | null; timedOut: boolean }>(
  what: CommandKind,
  argv: string[],
  send: () => Promise<T>,
) => Promise<T>;

/** Records "about to run" before `send` and the result after; a failed record halts the run. */
function auditor(step: { host: string; id: string }, opts: ExecuteOptions, halt: Halt): Audited {
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
function withCode<R extends { ok: boolean }>(r: R): R & { code: number; timedOut: boolean } {
  return { ...r, code: r.ok ? 0 : 1, timedOut: false };
}

/** What the audit log says a health gate checks. */
function gateArgv(h: NonNullable<Step['health']>): string[] {
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
  return h ? `${gateText(h)} (up to ${h.timeoutSec}s)` : '';
}
