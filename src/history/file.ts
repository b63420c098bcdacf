import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import type { HistoryRecord } from '../model/history.js';
import type { Problem } from '../model/source.js';

/** Default bound of a history file before it is rotated to FILE.1 (the one before is dropped). */
export const DEFAULT_HISTORY_MAX_BYTES = 10 * 1024 * 1024;

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Appends one record as one line. When the line would take the file past `maxBytes`, the file
 * is first renamed to FILE.1 (replacing the older one), so history holds at most about twice
 * `maxBytes` on disk and always the latest stretch of time. One write per line with O_APPEND,
 * so two runs appending at once do not interleave lines.
 */
export function appendHistory(file: string, record: HistoryRecord, maxBytes: number): void {
  const line = Buffer.from(`${JSON.stringify(record)}\n`);
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size > 0 && size + line.length > maxBytes) renameSync(file, `${file}.1`);
  const fd = openSync(file, APPEND, 0o644);
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

/**
 * Every record of FILE.1 then FILE, oldest first. A line that is not a record (a run killed while
 * writing, an edit) is skipped with a warning naming file:line; the rest still counts.
 */
export function readHistory(
  file: string,
  isRecord: (v: unknown) => v is HistoryRecord,
): { records: HistoryRecord[]; warnings: Problem[] } {
  const records: HistoryRecord[] = [];
  const warnings: Problem[] = [];
  for (const f of [`${file}.1`, file]) {
    if (!existsSync(f)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        warnings.push({
          where: { file: f, line: i + 1, col: 1 },
          message: 'not a complete JSON line; skipped',
        });
        return;
      }
      if (isRecord(value)) records.push(value);
      else
        warnings.push({
          where: { file: f, line: i + 1, col: 1 },
          message: 'not a history record (schemas/history.schema.json); skipped',
        });
    });
  }
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { records, warnings };
}
