import { existsSync } from 'node:fs';
import { aggregateHistory } from '../history/aggregate.js';
import { UserError } from '../model/source.js';
import { renderHistoryJson, renderHistoryMarkdown, renderHistoryText } from '../report/history.js';
import { EXIT, type Io, nowOf } from './context.js';
import { DEFAULT_FLAP_THRESHOLD, durationMs, loadHistory } from './history-file.js';

export type HistoryFormat = 'text' | 'json' | 'markdown';

export interface HistoryCommandOptions {
  history: string;
  window: string;
  format: HistoryFormat;
  flapThreshold?: number;
  fightAfter?: number;
}

/**
 * `runstate history`: reads the history file drift/watch append to (and its FILE.1) and answers
 * what drifts now and since when, and per item how often it drifted and how long it took to come
 * back within --window. Contacts no host; exit 0, 1 when the file is missing.
 */
export async function historyCommand(opts: HistoryCommandOptions, io: Io): Promise<number> {
  if (!existsSync(opts.history) && !existsSync(`${opts.history}.1`)) {
    throw new UserError(
      `${opts.history}: no such file`,
      undefined,
      'drift and watch write it: runstate drift … --history FILE',
    );
  }
  const records = loadHistory(opts.history, io);
  const summary = aggregateHistory(records, {
    now: nowOf(io),
    windowMs: durationMs(opts.window, '--window'),
    flapThreshold: opts.flapThreshold ?? DEFAULT_FLAP_THRESHOLD,
    fightThreshold: opts.fightAfter ?? 3,
  });
  switch (opts.format) {
    case 'json':
      io.out(renderHistoryJson(summary, opts.window));
      break;
    case 'markdown':
      io.out(renderHistoryMarkdown(summary, opts.window));
      break;
    case 'text':
      io.out(renderHistoryText(summary, opts.window));
      break;
  }
  return EXIT.ok;
}
