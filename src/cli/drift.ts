import { healKey } from '../apply/heal-limit.js';
import {
  driftExitCode,
  type GateProbes,
  renderDriftJson,
  renderDriftJunit,
  renderDriftMarkdown,
  renderDriftText,
} from '../drift/index.js';
import { driftWithDrivers } from '../drift/with-drivers.js';
import { driftEvents, emitAll, hostEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import { recordOfDrift } from '../history/record.js';
import type { DriftReport } from '../model/drift.js';
import { UserError } from '../model/source.js';
import { alerterFor } from '../notify/cli.js';
import { renderDriftDiff } from '../report/state-diff.js';
import { type CommonOptions, type Io, nowOf, useColor } from './context.js';
import {
  checkHistoryWritable,
  type HistoryOptions,
  loadHistory,
  markFlappingFrom,
  recordHistory,
} from './history-file.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { type Fleet, observeFleet } from './prepare.js';
import { probeGates } from './probe-gates.js';
import { type LoadedWaivers, loadWaivers, type WaiverOptions } from './waivers.js';

export type DriftFormat = 'text' | 'json' | 'junit' | 'markdown';

export interface DriftOptions extends CommonOptions, WaiverOptions, HistoryOptions {
  format: DriftFormat;
  out?: string;
  observed?: string;
  events?: string;
  /** --notify URL (repeatable), --notify-command, --notify-state: alerts on item state changes. */
  notify?: string[];
  notifyCommand?: string[];
  notifyState?: string;
  /** Then, per host, a unified diff of observed against desired (text format only). */
  diff?: boolean;
}

/**
 * `runstate drift`: desired vs observed per host and item. The report is written even when some
 * hosts could not be checked (exit 3); 2 means drift, 0 in sync.
 */
export async function driftCommand(playbooks: string[], opts: DriftOptions, io: Io): Promise<number> {
  if (opts.out) checkWritable(opts.out, '--out');
  if (opts.diff && opts.format !== 'text') {
    throw new UserError('--diff goes with --format text', undefined, 'drop --diff, or --format');
  }
  checkHistoryWritable(opts);
  const alerts = alerterFor(opts, io);
  return withEvents(opts.events, { command: 'drift', playbooks }, io, async (sink) => {
    let report = await checkDrift(playbooks, opts, io, sink);
    if (opts.history) {
      const record = recordOfDrift(report, 'drift', report.generatedAt ?? nowOf(io).toISOString());
      report = markFlappingFrom(report, [...loadHistory(opts.history, io), record], opts, nowOf(io));
      recordHistory(opts, record, io);
    }
    emitAll(sink, driftEvents(report));
    await alerts?.afterRun(report, { flapping: flappingKeys(report) }, sink);
    return renderAndExit(report, opts, io);
  });
}

function renderAndExit(report: DriftReport, opts: DriftOptions, io: Io): number {
  const text = renderDrift(report, opts.format, useColor(opts, io) && !opts.out);
  if (opts.out) {
    writeFileAtomic(opts.out, text);
    io.err(`drift report written to ${opts.out}\n`);
    if (opts.format !== 'text') io.out(renderDriftText(report, { color: useColor(opts, io) }));
  } else {
    io.out(text);
  }
  if (opts.diff) io.out(renderDriftDiff(report));
  return driftExitCode(report);
}

/** Loads (waivers too, before any host is contacted), observes (or reads a snapshot) and compares. */
export async function checkDrift(
  playbooks: string[],
  opts: CommonOptions & WaiverOptions & { observed?: string },
  io: Io,
  sink?: EventSink,
): Promise<DriftReport> {
  const { fleet, waivers } = await observeWithWaivers(playbooks, opts, io);
  emitAll(sink, hostEvents(fleet.observed.hosts));
  try {
    return driftOf(fleet, await probeGates(fleet, opts), { waivers, now: nowOf(io) });
  } finally {
    await fleet.pool.closeAll();
  }
}

/** observeFleet, with the waivers read and checked between loading and the first connection. */
export async function observeWithWaivers(
  playbooks: string[],
  opts: CommonOptions & WaiverOptions & { observed?: string },
  io: Io,
): Promise<{ fleet: Fleet; waivers: LoadedWaivers | undefined }> {
  let waivers: LoadedWaivers | undefined;
  const today = nowOf(io).toISOString().slice(0, 10);
  const fleet = await observeFleet(playbooks, opts, io, {
    afterLoad: async (inventory, desired) => {
      waivers = await loadWaivers(playbooks, desired, inventory, opts, today, io);
    },
  });
  return { fleet, waivers };
}

/**
 * The drift of an observed fleet (and its gates, probed now), stamped with the time of the check,
 * with the waivers in force at `now` marked.
 */
export function driftOf(
  fleet: Fleet,
  health?: GateProbes,
  extra: { waivers?: LoadedWaivers | undefined; now?: Date } = {},
): DriftReport {
  return driftWithDrivers(fleet.desired, fleet.observed, health, extra.now ?? new Date(), extra.waivers);
}

export function renderDrift(report: DriftReport, format: DriftFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return renderDriftJson(report);
    case 'junit':
      return renderDriftJunit(report);
    case 'markdown':
      return renderDriftMarkdown(report);
    case 'text':
      return renderDriftText(report, { color });
  }
}

/** Keys ("host:service") of the items found flapping, for alerts (one per item state change). */
export function flappingKeys(report: DriftReport): string[] {
  const keys = new Set<string>();
  for (const [host, h] of Object.entries(report.hosts))
    for (const i of h.items) if (i.flapping) keys.add(healKey(host, i.service));
  return [...keys].sort();
}
