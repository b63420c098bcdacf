import { UserError } from '../model/source.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * The one reader of every duration flag: plain seconds (`30`, as before) or units `30s`, `5m`,
 * `1h30m`, `1d`. A bad value is a user error that names the flag.
 */
export function parseDuration(text: string, flag: string, min = 1): number {
  const t = text.trim();
  let seconds: number | undefined;
  if (/^\d+$/.test(t)) seconds = Number(t);
  else if (/^(\d+[smhd])+$/.test(t)) {
    seconds = 0;
    for (const m of t.matchAll(/(\d+)([smhd])/g)) seconds += Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
  }
  if (seconds === undefined || !Number.isSafeInteger(seconds)) {
    throw new UserError(
      `${flag} "${text}" is not a duration`,
      undefined,
      'give seconds (30) or a number with a unit: 30s, 5m, 1h, 1h30m, 1d',
    );
  }
  if (seconds < min) {
    throw new UserError(`${flag} "${text}" is shorter than ${min} second${min === 1 ? '' : 's'}`);
  }
  return seconds;
}

/** A commander argument parser for `flag`. */
export const durationFlag =
  (flag: string, min = 1) =>
  (value: string): number =>
    parseDuration(value, flag, min);
