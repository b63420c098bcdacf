import { AuditLog, defaultAuditPath } from '../apply/audit.js';
import { newOwner } from '../apply/locked-run.js';
import { type Applied, orchestrateApply, type PlanSource } from '../apply/orchestrate.js';
import { planDigest, renderCommands } from '../apply/saved-plan.js';
import { emitAll, planEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import { changesOf } from '../history/record.js';
import { gateSets, type Plan } from '../model/plan.js';
import { renderApplyText } from '../report/apply.js';
import { renderApplyJson } from '../report/apply-json.js';
import { renderPlanText } from '../report/index.js';
import { notPlanned } from '../report/plan-summary.js';
import { type CommonOptions, EXIT, type Io, nowOf, useColor } from './context.js';
import { confirmed, type ExecutionFlags, progressOf, reobserveWith, runOptions } from './execution.js';
import { newPool } from './gather.js';
import { checkHistoryWritable, recordHistory } from './history-file.js';
import { preparePlan, prepareSavedPlan } from './prepare.js';

export interface ApplyOptions extends CommonOptions, ExecutionFlags {
  plan?: string;
  /** Append what was changed (labelled intentional) to this history file. */
  history?: string;
  historyMaxBytes?: number;
  /** --events FILE|-: the run as JSON Lines, as it happens. */
  events?: string;
  /** json: the outcome of every step as one document on stdout (the report goes to stderr). */
  format?: 'text' | 'json';
}

/**
 * `runstate apply`: flags in, the one apply (src/apply/orchestrate.ts: plan or saved plan, ask,
 * lock, re-check, execute), then the report, the history record and the exit code.
 */
export async function applyCommand(playbooks: string[], opts: ApplyOptions, io: Io): Promise<number> {
  const owner = newOwner();
  // The audit log is opened and test-written before any lock or connection: fail closed.
  const audit = opts.dryRun
    ? undefined
    : new AuditLog(opts.auditLog ?? defaultAuditPath(io.env), owner, 'intentional');
  checkHistoryWritable(opts);
  try {
    const start = {
      command: 'apply',
      playbooks: opts.plan ? [opts.plan] : playbooks,
      dryRun: Boolean(opts.dryRun),
    };
    return await withEvents(opts.events, start, io, (sink) =>
      applyUntilStopped(playbooks, opts, io, { owner, ...(audit ? { audit } : {}) }, sink),
    );
  } finally {
    audit?.close();
  }
}

async function applyUntilStopped(
  playbooks: string[],
  opts: ApplyOptions,
  io: Io,
  run: { owner: string; audit?: AuditLog },
  sink: EventSink | undefined,
): Promise<number> {
  const pool = newPool(opts);
  // Installed for the whole command, so an interrupt while locking, observing or asking still
  // releases the locks; a second interrupt gives up at once.
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) {
      io.err(
        'interrupted again: exiting now; host locks may be left in /run/runstate.lock (the next apply recognises them as stale: --break-lock)\n',
      );
      process.exit(130);
    }
    io.err('\ninterrupted: no new steps will start; running steps finish…\n');
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const source: PlanSource = async (lockFirst) => {
    const hooks = { pool, ...(lockFirst ? { beforeObserve: lockFirst } : {}) };
    const prepared = opts.plan
      ? await prepareSavedPlan(opts.plan, opts, io, hooks)
      : await preparePlan(playbooks, opts, io, hooks);
    if (!prepared.ok) return { ok: false, reasons: [] }; // already said on stderr
    const { plan, inventory } = prepared;
    return { ok: true, plan, inventory, ...(opts.plan ? { singleUse: planDigest(plan) } : {}) };
  };
  const progress = progressOf(opts, io, sink);
  try {
    const applied = await orchestrateApply(
      source,
      pool,
      { ...runOptions(opts, io), ...run, signal: abort.signal },
      {
        planned: (plan, notLocked) => showPlan(plan, notLocked, opts, io, sink),
        ...(!opts.dryRun && !opts.yes ? { confirm: () => confirmed(opts, io) } : {}),
        reobserve: reobserveWith(opts, io, pool),
        onEvent: progress.onEvent,
      },
    ).finally(progress.done);
    return report(applied, opts, io, run.audit);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await pool.closeAll();
  }
}

/** The plan, what could not be reached or locked, and (unless a dry run) the exact commands. */
function showPlan(
  plan: Plan,
  notLocked: [string, string][],
  opts: ApplyOptions,
  io: Io,
  sink: EventSink | undefined,
): void {
  const json = opts.format === 'json';
  // With --format json, stdout holds only the JSON document; the human report goes to stderr.
  const say = json ? io.err : io.out;
  emitAll(sink, planEvents(plan));
  say(renderPlanText(plan, { color: useColor(opts, io) && !json }));
  for (const [host, h] of Object.entries(plan.hosts))
    if (h.unreachable) io.err(`unreachable: ${host}: ${h.unreachable}\n`);
  // A host whose lock could not be taken was observed unlocked: say so even when it has no step.
  for (const [host, why] of notLocked) io.err(`not locked: ${host}: ${why}\n`);
  if (plan.steps.length === 0) say('0 changes.\n');
  else if (!opts.dryRun) say(renderCommands(plan));
}

function report(applied: Applied, opts: ApplyOptions, io: Io, audit: AuditLog | undefined): number {
  if (applied.status === 'refused') {
    if (applied.why === 'interrupted')
      io.err('interrupted before any change; nothing was changed on any host.\n');
    if (applied.why === 'stale') {
      io.err('error: the hosts changed while the plan waited for "yes"; nothing was changed on any host.\n');
      for (const line of applied.reasons) io.err(`  changed on ${line}\n`);
      io.err('hint: run apply again to plan from the new state\n');
    }
    return EXIT.input;
  }
  const { plan, outcomes } = applied;
  const json = opts.format === 'json';
  const dryRun = Boolean(opts.dryRun);
  const code = applied.exitCode === 0 ? EXIT.ok : EXIT.partial;
  if (plan.steps.length > 0) {
    const say = json ? io.err : io.out;
    const color = useColor(opts, io) && !json;
    const gates = gateSets(plan);
    say(
      `\n${renderApplyText(outcomes, { color, dryRun, notPlanned: notPlanned(plan), gates, label: 'intentional' })}`,
    );
    if (audit) io.err(`audit log: ${audit.path}\n`);
    if (!dryRun) {
      const at = nowOf(io).toISOString();
      const changes = changesOf(outcomes, 'intentional', at);
      recordHistory(opts, { version: 1, at, source: 'apply', hosts: {}, drifts: [], changes }, io);
    }
  }
  if (json) io.out(renderApplyJson(plan, outcomes, code, dryRun));
  return code;
}
