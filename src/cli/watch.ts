import { appendFile } from 'node:fs/promises';
import { AuditLog, checkAuditLog, defaultAuditPath } from '../apply/audit.js';
import { HealLimiter, healKey, healsThatRan } from '../apply/heal-limit.js';
import { newOwner } from '../apply/locked-run.js';
import { orchestrateApply } from '../apply/orchestrate.js';
import type { StepOutcome } from '../apply/types.js';
import { healTargets } from '../drift/heal-targets.js';
import { driftExitCode } from '../drift/index.js';
import { driftEvents, emitAll, hostEvents, stepRef } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import { changesOf, recordOfDrift } from '../history/record.js';
import type { DriftReport } from '../model/drift.js';
import type { HistoryRecord } from '../model/history.js';
import type { Plan, Step } from '../model/plan.js';
import { formatProblem, ProblemsError, UserError } from '../model/source.js';
import { type Alerter, alerterFor } from '../notify/cli.js';
import type { RunFindings } from '../notify/state.js';
import { summarise } from '../report/apply.js';
import { type CommonOptions, EXIT, type Io, nowOf, useColor } from './context.js';
import { type DriftFormat, driftOf, flappingKeys, observeWithWaivers, renderDrift } from './drift.js';
import { parseDuration } from './duration.js';
import { type ExecutionFlags, progressOf, reobserveWith, runOptions } from './execution.js';
import {
  checkHistoryWritable,
  DEFAULT_FLAP_WINDOW,
  durationMs,
  type HistoryOptions,
  loadHistory,
  markFlappingFrom,
  recordHistory,
} from './history-file.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { type Fleet, planFleet } from './prepare.js';
import { probeGates } from './probe-gates.js';
import { delayUntilNext, parseSchedule, sleep } from './schedule.js';
import type { LoadedWaivers, WaiverOptions } from './waivers.js';

export interface WatchOptions extends CommonOptions, ExecutionFlags, WaiverOptions, HistoryOptions {
  every: string;
  heal?: boolean;
  maxHeals: number;
  healWindow: string;
  /** Successful heals of a service within --heal-window after which its drifting back is fighting. */
  fightAfter?: number;
  format: DriftFormat;
  out?: string;
  healthcheckFile?: string;
  maxRuns?: number;
  /** --events FILE|-: every run's hosts, drift, heal steps and alerts as JSON Lines. */
  events?: string;
  eventSink?: EventSink;
  notify?: string[];
  notifyCommand?: string[];
  notifyState?: string;
}

/** What one scheduled check found and did; also what the healthcheck file says. */
export interface RunResult {
  time: string;
  run: number;
  status: 'in-sync' | 'drift' | 'unchecked' | 'healed' | 'error';
  drifts: number;
  unchecked: number;
  healed: string[];
  healFailed: string[];
  crashLooping: string[];
  /** Left alone because something else changes them back: "key: something else is managing …". */
  fighting: string[];
  /** Items that drifted --flap-threshold times within --flap-window: "key field: drifted 4 times in 24h". */
  flapping: string[];
  /** Heals that cannot happen, each with why (masked, missing, no such manager, what it requires). */
  blocked: string[];
  error?: string;
}

/**
 * `runstate watch`: a drift check on a schedule, until SIGTERM/SIGINT (between runs: a running
 * check or heal finishes first). With --heal, what drifted is converged by the same code as
 * `apply`, but a service healed --max-heals times within --heal-window is left alone and
 * reported as crash-looping.
 */
export async function watchCommand(playbooks: string[], opts: WatchOptions, io: Io): Promise<number> {
  const schedule = parseSchedule(opts.every);
  const windowMs = parseDuration(opts.healWindow, '--heal-window') * 1000;
  const limiter = new HealLimiter(opts.maxHeals, windowMs);
  checkHistoryWritable(opts);
  const memory: Memory = {
    // Only heals that worked: a service put right that drifts back again is being fought over.
    healedOk: new HealLimiter(opts.fightAfter ?? DEFAULT_FIGHT_AFTER, windowMs),
    records: opts.history ? loadHistory(opts.history, io) : [],
  };
  // Every file watch writes is tried before the first host is contacted.
  if (opts.out) checkWritable(opts.out, '--out');
  if (opts.healthcheckFile) checkWritable(opts.healthcheckFile, '--healthcheck-file');
  if (opts.heal) checkAuditLog(opts.auditLog ?? defaultAuditPath(io.env));
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) io.err('watch: stopping after the current run\n');
    stop.abort();
  };
  const alerter = alerterFor({ ...opts, source: 'watch' }, io);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await withEvents(opts.events, { command: 'watch', playbooks }, io, (eventSink) =>
      watchLoop(playbooks, { ...opts, ...(eventSink ? { eventSink } : {}) }, io, {
        limiter,
        stop,
        alerter,
        schedule,
        memory,
      }),
    );
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

interface WatchRunState {
  limiter: HealLimiter;
  stop: AbortController;
  alerter: Alerter | undefined;
  schedule: ReturnType<typeof parseSchedule>;
  memory: Memory;
}

async function watchLoop(
  playbooks: string[],
  opts: WatchOptions,
  io: Io,
  ws: WatchRunState,
): Promise<number> {
  const { limiter, stop, schedule } = ws;
  io.err(
    `watch: checking every ${schedule.text}${opts.heal ? `, healing (at most ${opts.maxHeals} per service per ${opts.healWindow.trim()})` : ''}\n`,
  );
  for (let run = 1; !stop.signal.aborted; run++) {
    const result = await runOnce(
      run,
      playbooks,
      opts,
      io,
      { limiter, ...ws.memory },
      stop.signal,
      ws.alerter,
    );
    if (opts.healthcheckFile) {
      await writeHealthcheck(opts.healthcheckFile, result).catch((err: Error) => {
        io.err(`watch: could not write ${opts.healthcheckFile}: ${err.message}\n`);
      });
    }
    if (opts.maxRuns !== undefined && run >= opts.maxRuns) break;
    await sleep(delayUntilNext(schedule, new Date()), stop.signal);
  }
  return EXIT.ok;
}

/** What watch remembers between runs: heal counts, and the history records for flapping. */
interface Memory {
  healedOk: HealLimiter;
  records: HistoryRecord[];
}

const DEFAULT_FIGHT_AFTER = 3;

async function runOnce(
  run: number,
  playbooks: string[],
  opts: WatchOptions,
  io: Io,
  memory: Memory & { limiter: HealLimiter },
  signal: AbortSignal,
  alerter?: Alerter,
): Promise<RunResult> {
  const time = nowOf(io).toISOString();
  const base = {
    ...{ time, run, drifts: 0, unchecked: 0 },
    ...{ healed: [], healFailed: [], crashLooping: [], fighting: [], flapping: [], blocked: [] },
  };
  let fleet: Fleet | undefined;
  try {
    const observed = await observeWithWaivers(playbooks, opts, io);
    fleet = observed.fleet;
    emitAll(opts.eventSink, hostEvents(fleet.observed.hosts));
    const seen: { report?: DriftReport } = {};
    const result = await checkAndHeal(fleet, observed.waivers, base, run, opts, io, memory, signal, seen);
    if (alerter && seen.report)
      await alerter.afterRun(seen.report, findingsOf(result, seen.report), opts.eventSink);
    return result;
  } catch (err) {
    // A playbook broken mid-watch, an unwritable --out, a heal that threw: reported every run
    // until fixed; the watch goes on.
    const message = describeError(err);
    io.err(`watch: run ${run}: ${message}\n`);
    return { ...base, status: 'error', error: message };
  } finally {
    await fleet?.pool.closeAll();
  }
}

async function checkAndHeal(
  fleet: Fleet,
  waivers: LoadedWaivers | undefined,
  base: Omit<RunResult, 'status'>,
  run: number,
  opts: WatchOptions,
  io: Io,
  memory: Memory & { limiter: HealLimiter },
  signal: AbortSignal,
  seen: { report?: DriftReport },
): Promise<RunResult> {
  const now = nowOf(io);
  const checked = driftOf(fleet, await probeGates(fleet, opts), { waivers, now });
  const fought = markFighting(checked, memory.healedOk, opts, now.getTime());
  const record = recordOfDrift(fought.report, 'watch', fought.report.generatedAt ?? now.toISOString(), run);
  // Only what --flap-window can still count stays in memory; the file keeps everything.
  const windowMs = durationMs(opts.flapWindow ?? DEFAULT_FLAP_WINDOW, '--flap-window');
  memory.records = [...memory.records, record].filter((r) => Date.parse(r.at) >= now.getTime() - windowMs);
  const report = markFlappingFrom(fought.report, memory.records, opts, now);
  seen.report = report;
  emitAll(opts.eventSink, driftEvents(report));
  await emitReport(report, run, opts, io);
  const result: RunResult = {
    ...base,
    status: ['in-sync', 'drift', 'unchecked'][
      [0, 2, 3].indexOf(driftExitCode(report))
    ] as RunResult['status'],
    drifts: report.summary.drifts,
    unchecked: report.summary.unchecked,
    fighting: fought.fighting,
    flapping: flappingOf(report),
  };
  for (const line of result.fighting) io.err(`watch: not healing ${line}\n`);
  if (opts.heal && report.summary.drifts > 0 && !signal.aborted) {
    const outcomes = await heal(fleet, report, result, opts, io, memory.limiter, fought.keys);
    const healedAt = nowOf(io);
    for (const o of outcomes)
      if (o.kind === 'ok') memory.healedOk.record(healKey(o.step.host, o.step.service), healedAt.getTime());
    record.changes = changesOf(outcomes, 'corrective', healedAt.toISOString());
  }
  recordHistory(opts, record, io);
  return result;
}

/**
 * A service healed (successfully) --fight-after times within --heal-window that has drifted
 * again: something else manages it. Its items say so, and heal leaves it alone — like the
 * crash-loop limit, until the heals fall out of the window.
 */
function markFighting(
  report: DriftReport,
  healedOk: HealLimiter,
  opts: WatchOptions,
  now: number,
): { report: DriftReport; fighting: string[]; keys: Set<string> } {
  if (!opts.heal) return { report, fighting: [], keys: new Set() };
  const keys = new Set<string>();
  const fighting: string[] = [];
  const hosts: DriftReport['hosts'] = {};
  for (const [host, h] of Object.entries(report.hosts)) {
    if (h.status !== 'drift') {
      hosts[host] = h;
      continue;
    }
    const items = h.items.map((i) => {
      if (i.inSync || i.waived || i.field === 'health') return i;
      const key = healKey(host, i.service);
      const n = healedOk.count(key, now);
      if (n < healedOk.max) return i;
      const what = i.service === undefined ? `the runlevel of ${host}` : `${i.service} on ${host}`;
      const why = `something else is managing ${what} (healed ${n} times in ${opts.healWindow})`;
      if (!keys.has(key)) fighting.push(`${key}: ${why}`);
      keys.add(key);
      return { ...i, fighting: why };
    });
    hosts[host] = { ...h, items };
  }
  return { report: { ...report, hosts }, fighting, keys };
}

/** "bed-sysv:crm-app state: drifted 4 times in 24h". */
function flappingOf(report: DriftReport): string[] {
  const out: string[] = [];
  for (const [host, h] of Object.entries(report.hosts))
    for (const i of h.items)
      if (i.flapping) out.push(`${healKey(host, i.service)} ${i.field}: ${i.flapping}`);
  return out.sort();
}

async function heal(
  fleet: Fleet,
  report: DriftReport,
  result: RunResult,
  opts: WatchOptions,
  io: Io,
  limiter: HealLimiter,
  fighting: ReadonlySet<string>,
): Promise<StepOutcome[]> {
  const now = Date.now();
  const targets = healTargets(fleet.desired, report, (key) => !fighting.has(key) && limiter.allows(key, now));
  result.crashLooping = targets.leftAlone.filter((key) => !fighting.has(key));
  for (const key of result.crashLooping) {
    io.err(
      `watch: ${key} was healed ${opts.maxHeals} times within ${opts.healWindow}; not healing it again (crash loop?)\n`,
    );
  }
  // Services not healed in this run still gate the ones that are (their gates are checked again).
  const notHealed = { label: 'not healed in this run', hint: 'it is healed first once it may be' };
  const { plan, refused } = planFleet(
    {
      ...fleet,
      desired: targets.desired,
      outside: { desired: fleet.desired, observed: fleet.observed, why: notHealed },
    },
    io,
  );
  result.blocked = blockedHeals(plan);
  for (const line of result.blocked) io.err(`watch: not healing ${line}\n`);
  if (refused || plan.steps.every((s) => s.blockedBy !== undefined)) return [];
  const outcomes = await healRun(fleet, plan, opts, io);
  // Only heals that ran count against --max-heals: a refused or skipped one changed nothing.
  for (const key of healsThatRan(outcomes)) limiter.record(key, now);
  for (const o of outcomes) {
    if (o.kind === 'ok') opts.eventSink?.emit({ type: 'drift-healed', ...stepRef(o.step) });
    if (o.kind === 'skipped' && o.step.blockedBy !== undefined) continue; // already in result.blocked
    (o.kind === 'ok' ? result.healed : result.healFailed).push(stepLabel(o.step));
  }
  const s = summarise(outcomes);
  io.err(
    `watch: healed ${s.ok} step(s), ${s.failed + s.skipped + s.unreachable} did not succeed (corrective changes)\n`,
  );
  if (result.healed.length > 0 && result.healFailed.length === 0) result.status = 'healed';
  return outcomes;
}

/**
 * The heal's apply: the one apply (src/apply/orchestrate.ts) on a plan observed without locks, so
 * its hosts are locked and observed again first; one that moved meanwhile is left to the next run.
 */
async function healRun(fleet: Fleet, plan: Plan, opts: WatchOptions, io: Io): Promise<StepOutcome[]> {
  const owner = newOwner();
  const audit = opts.dryRun
    ? undefined
    : new AuditLog(opts.auditLog ?? defaultAuditPath(io.env), owner, 'corrective');
  const progress = progressOf(opts, io, opts.eventSink);
  try {
    const applied = await orchestrateApply(
      async () => ({ ok: true, plan, inventory: fleet.inventory }),
      fleet.pool,
      { ...runOptions(opts, io), owner, ...(audit ? { audit } : {}) },
      { reobserve: reobserveWith(opts, io, fleet.pool), onEvent: progress.onEvent },
    ).finally(progress.done);
    if (applied.status !== 'refused') return applied.outcomes;
    for (const line of applied.reasons) io.err(`watch: not healing now, changed since observed: ${line}\n`);
    return [];
  } finally {
    audit?.close();
  }
}

/**
 * What alerts need from a run beyond its drift report. `flapping`/`fighting` are read when the
 * run result carries them (flapping and fighting detection: drift-a, issue 10).
 */
function findingsOf(result: RunResult, report: DriftReport): RunFindings {
  return {
    healFailed: result.healFailed.map((label) => label.slice(label.indexOf(' ') + 1)),
    flapping: flappingKeys(report),
    // "key: something else is managing …"
    fighting: result.fighting.map((line) => line.slice(0, line.indexOf(': '))),
  };
}

/** "start bed-systemd:crm-db", "set-runlevel bed-sysv (runlevel)". */
function stepLabel(step: Step): string {
  return `${step.kind} ${healKey(step.host, step.service)}`;
}

/** What a heal could not do, with the reason: the plan's per-host problems and the steps they block. */
function blockedHeals(plan: Plan): string[] {
  return [
    ...(plan.blocked ?? []).map((b) => `${healKey(b.host, b.service)}: ${b.reason}`),
    ...plan.steps.filter((s) => s.blockedBy !== undefined).map((s) => `${stepLabel(s)}: ${s.blockedBy}`),
  ];
}

async function emitReport(report: DriftReport, run: number, opts: WatchOptions, io: Io): Promise<void> {
  if (!opts.out) {
    io.out(
      `--- run ${run} at ${report.generatedAt}\n${renderDrift(report, opts.format, useColor(opts, io))}`,
    );
    return;
  }
  // JSON is appended as one line per run (JSON Lines); JUnit keeps only the latest run.
  if (opts.format === 'json') await appendFile(opts.out, `${JSON.stringify(report)}\n`);
  else if (opts.format === 'junit') writeFileAtomic(opts.out, renderDrift(report, 'junit', false));
  else
    await appendFile(
      opts.out,
      `--- run ${run} at ${report.generatedAt}\n${renderDrift(report, opts.format, false)}\n`,
    );
}

/** Written atomically after every run, so a supervisor can watch its content and its age. */
async function writeHealthcheck(file: string, result: RunResult): Promise<void> {
  writeFileAtomic(file, `${JSON.stringify(result)}\n`);
}

function describeError(err: unknown): string {
  if (err instanceof ProblemsError) return err.problems.map(formatProblem).join('; ');
  if (err instanceof UserError)
    return formatProblem({ message: err.message, where: err.where, hint: err.hint });
  return err instanceof Error ? err.message : String(err);
}
