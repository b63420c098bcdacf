import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type AggregateOptions, aggregateHistory, type HistorySummary } from '../history/aggregate.js';
import { appendHistory, DEFAULT_HISTORY_MAX_BYTES, readHistory } from '../history/file.js';
import type { DriftReport } from '../model/drift.js';
import type { HistoryRecord } from '../model/history.js';
import { formatWarning, UserError } from '../model/source.js';
import type { Io } from './context.js';
import { checkWritable } from './output-files.js';
import { parseSchedule } from './schedule.js';

/** Flags of the commands that append to a history file (drift, watch, apply). */
export interface HistoryOptions {
  history?: string;
  historyMaxBytes?: number;
  /** Drift episodes within --flap-window that make an item flapping (default 3). */
  flapThreshold?: number;
  flapWindow?: string;
}

export const DEFAULT_FLAP_THRESHOLD = 3;
export const DEFAULT_FLAP_WINDOW = '24h';

let checker: ((v: unknown) => v is HistoryRecord) | undefined;

/** schemas/history.schema.json, compiled once per process. */
export function isHistoryRecord(v: unknown): v is HistoryRecord {
  if (!checker) {
    const schema = JSON.parse(
      readFileSync(new URL('../../schemas/history.schema.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020({ strict: false }).compile<HistoryRecord>(schema);
    checker = (x: unknown): x is HistoryRecord => validate(x);
  }
  return checker(v);
}

/** A duration flag ("24h", "30m") in ms; a cron expression or nonsense is a usage error. */
export function durationMs(text: string, flag: string): number {
  const s = parseSchedule(text);
  if (s.kind !== 'interval') throw new UserError(`${flag} takes a duration such as 24h or 30m`);
  return s.ms;
}

/** Checked before any host is contacted, like every other file a run writes. */
export function checkHistoryWritable(opts: HistoryOptions): void {
  if (opts.history) checkWritable(opts.history, '--history');
}

/** Every record of the history file (and its rotated FILE.1); damaged lines are warned about. */
export function loadHistory(file: string, io: Io): HistoryRecord[] {
  const { records, warnings } = readHistory(file, isHistoryRecord);
  for (const w of warnings) io.err(`${formatWarning(w)}\n`);
  return records;
}

/** Appends a record; a failure is reported, never fatal (the check itself already happened). */
export function recordHistory(opts: HistoryOptions, record: HistoryRecord, io: Io): void {
  if (!opts.history) return;
  try {
    appendHistory(opts.history, record, opts.historyMaxBytes ?? DEFAULT_HISTORY_MAX_BYTES);
  } catch (err) {
    io.err(`warning: could not append to the history ${opts.history}: ${(err as Error).message}\n`);
  }
}

/** Flapping thresholds from the flags. */
function flapOptions(opts: HistoryOptions, now: Date, fightThreshold: number): AggregateOptions {
  return {
    now,
    windowMs: durationMs(opts.flapWindow ?? DEFAULT_FLAP_WINDOW, '--flap-window'),
    flapThreshold: opts.flapThreshold ?? DEFAULT_FLAP_THRESHOLD,
    fightThreshold,
  };
}

/**
 * The report with its flapping items marked, from `records` (this run's last): what drift reads
 * from the history file and watch keeps in memory go through this one function.
 */
export function markFlappingFrom(
  report: DriftReport,
  records: readonly HistoryRecord[],
  opts: HistoryOptions,
  now: Date,
): DriftReport {
  const summary = aggregateHistory([...records], flapOptions(opts, now, Number.POSITIVE_INFINITY));
  return markFlapping(report, summary, opts.flapWindow ?? DEFAULT_FLAP_WINDOW);
}

/** Marks the report's items that flap according to these records (this run's included). */
function markFlapping(report: DriftReport, summary: HistorySummary, window: string): DriftReport {
  const flapping = new Map<string, number>();
  for (const i of summary.items)
    if (i.flapping) flapping.set(`${i.host}\t${i.service ?? ''}\t${i.field}`, i.episodes);
  if (flapping.size === 0) return report;
  const hosts: DriftReport['hosts'] = {};
  for (const [name, h] of Object.entries(report.hosts)) {
    const items = h.items.map((i) => {
      const n = flapping.get(`${name}\t${i.service ?? ''}\t${i.field}`);
      return n === undefined || i.inSync ? i : { ...i, flapping: `drifted ${n} times in ${window}` };
    });
    hosts[name] = { ...h, items } as typeof h;
  }
  return { ...report, hosts };
}
