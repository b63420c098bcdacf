import {
  computeDrift,
  driftExitCode,
  type GateProbes,
  renderDriftJson,
  renderDriftJunit,
  renderDriftMarkdown,
  renderDriftText,
} from '../drift/index.js';
import { observedRunlevelFor } from '../drivers/index.js';
import { driftEvents, emitAll, hostEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import type { DriftReport } from '../model/drift.js';
import { alerterFor } from '../notify/cli.js';
import { type CommonOptions, type Io, useColor } from './context.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { type Fleet, observeFleet } from './prepare.js';
import { probeGates } from './probe-gates.js';

export type DriftFormat = 'text' | 'json' | 'junit' | 'markdown';

export interface DriftOptions extends CommonOptions {
  format: DriftFormat;
  out?: string;
  observed?: string;
  events?: string;
  /** --notify URL (repeatable), --notify-command, --notify-state: alerts on item state changes. */
  notify?: string[];
  notifyCommand?: string[];
  notifyState?: string;
}

/**
 * `runstate drift`: desired vs observed per host and item. The report is written even when some
 * hosts could not be checked (exit 3); 2 means drift, 0 in sync.
 */
export async function driftCommand(playbooks: string[], opts: DriftOptions, io: Io): Promise<number> {
  if (opts.out) checkWritable(opts.out, '--out');
  const alerts = alerterFor(opts, io);
  return withEvents(opts.events, { command: 'drift', playbooks }, io, async (sink) => {
    const report = await checkDrift(playbooks, opts, io, sink);
    emitAll(sink, driftEvents(report));
    await alerts?.afterRun(report, {}, sink);
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
  return driftExitCode(report);
}

/** Loads, observes (or reads a snapshot) and compares; shared with `watch`. */
export async function checkDrift(
  playbooks: string[],
  opts: CommonOptions & { observed?: string },
  io: Io,
  sink?: EventSink,
): Promise<DriftReport> {
  const fleet = await observeFleet(playbooks, opts, io);
  emitAll(sink, hostEvents(fleet.observed.hosts));
  try {
    return driftOf(fleet, await probeGates(fleet, opts));
  } finally {
    await fleet.pool.closeAll();
  }
}

/** The drift of an observed fleet (and its gates, probed now), stamped with the time of the check. */
export function driftOf(fleet: Fleet, health?: GateProbes): DriftReport {
  return {
    ...computeDrift(fleet.desired, fleet.observed, { observedRunlevelFor, ...(health ? { health } : {}) }),
    generatedAt: new Date().toISOString(),
  };
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
