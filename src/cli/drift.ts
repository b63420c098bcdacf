import {
  driftExitCode,
  type GateProbes,
  renderDriftJson,
  renderDriftJunit,
  renderDriftMarkdown,
  renderDriftText,
} from '../drift/index.js';
import { driftWithDrivers } from '../drift/with-drivers.js';
import type { DriftReport } from '../model/drift.js';
import { type CommonOptions, type Io, useColor } from './context.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { type Fleet, observeFleet } from './prepare.js';
import { probeGates } from './probe-gates.js';

export type DriftFormat = 'text' | 'json' | 'junit' | 'markdown';

export interface DriftOptions extends CommonOptions {
  format: DriftFormat;
  out?: string;
  observed?: string;
}

/**
 * `runstate drift`: desired vs observed per host and item. The report is written even when some
 * hosts could not be checked (exit 3); 2 means drift, 0 in sync.
 */
export async function driftCommand(playbooks: string[], opts: DriftOptions, io: Io): Promise<number> {
  if (opts.out) checkWritable(opts.out, '--out');
  const report = await checkDrift(playbooks, opts, io);
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
): Promise<DriftReport> {
  const fleet = await observeFleet(playbooks, opts, io);
  try {
    return driftOf(fleet, await probeGates(fleet, opts));
  } finally {
    await fleet.pool.closeAll();
  }
}

/** The drift of an observed fleet (and its gates, probed now), stamped with the time of the check. */
export function driftOf(fleet: Fleet, health?: GateProbes): DriftReport {
  return driftWithDrivers(fleet.desired, fleet.observed, health, new Date());
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
