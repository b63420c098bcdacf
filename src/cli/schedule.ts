import { Cron } from 'croner';
import { UserError } from '../model/source.js';
import { parseDuration } from './duration.js';

export type Schedule =
  | { kind: 'interval'; ms: number; text: string }
  | { kind: 'cron'; cron: Cron; text: string };

/** "90s", "5m", "1h30m", "1d", "90" (seconds) — or a cron expression ("*\/5 * * * *"), parsed by croner. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  if (/^(\d+|(\d+[smhd])+)$/.test(trimmed)) {
    return { kind: 'interval', ms: parseDuration(trimmed, '--every') * 1000, text: trimmed };
  }
  try {
    return { kind: 'cron', cron: new Cron(trimmed, { paused: true }), text: trimmed };
  } catch (err) {
    throw new UserError(
      `--every "${text}" is neither an interval nor a cron expression (${(err as Error).message})`,
      undefined,
      'use e.g. 30s, 5m, 1h, or a cron expression such as "*/5 * * * *"',
    );
  }
}

/** Milliseconds from `now` until the next run. */
export function delayUntilNext(schedule: Schedule, now: Date): number {
  if (schedule.kind === 'interval') return schedule.ms;
  const next = schedule.cron.nextRun(now);
  return next ? Math.max(0, next.getTime() - now.getTime()) : Number.POSITIVE_INFINITY;
}

/** Resolves after `ms`, or at once when `signal` aborts; never keeps a stopped process alive. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.min(ms, 2_147_483_647));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
