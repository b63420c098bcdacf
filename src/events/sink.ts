import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../model/source.js';
import { EVENT_VERSION, type EventSink, type RunEvent, type RunEventBody } from './types.js';

export interface SinkOptions {
  /** Injected for tests; the wall clock otherwise. */
  now?: () => Date;
  /** Where a write failure is reported (once): it never stops the run. */
  warn?: (message: string) => void;
  run?: string;
}

/** The line written for one event: the envelope first, so `head -c` shows what it is. */
export function serialiseEvent(body: RunEventBody, run: string, seq: number, time: Date): string {
  const event = { v: EVENT_VERSION, run, seq, time: time.toISOString(), ...body } as RunEvent;
  return `${JSON.stringify(event)}\n`;
}

/**
 * `--events FILE|-`: every event is written with one write(2) as it happens (no buffer in this
 * process), so a runstate killed mid-run has left every event before its death in the file; on
 * close the file is fsync'ed. `-` is stdout. The file is appended to, so one file can follow
 * several runs (each has its own `run` id). A failed write is reported once and events stop;
 * the run itself goes on.
 */
export function openEventSink(target: string, opts: SinkOptions = {}): EventSink {
  const now = opts.now ?? (() => new Date());
  const run = opts.run ?? randomBytes(6).toString('hex');
  let fd: number;
  try {
    fd = target === '-' ? 1 : openSync(target, 'a', 0o644);
  } catch (err) {
    throw new UserError(
      `cannot open --events ${target}: ${(err as Error).message}`,
      undefined,
      'give a writable file, or - for stdout',
    );
  }
  let seq = 0;
  let broken = false;
  let closed = false;
  return {
    emit(body) {
      if (broken || closed) return;
      const bytes = Buffer.from(serialiseEvent(body, run, ++seq, now()));
      try {
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      } catch (err) {
        broken = true;
        opts.warn?.(`warning: --events ${target}: ${(err as Error).message}; no more events are written`);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (fd === 1) return;
      try {
        fsyncSync(fd);
      } catch {
        // A pipe or device cannot be fsync'ed; every line was already written.
      }
      closeSync(fd);
    },
  };
}
