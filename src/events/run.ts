import type { Io } from '../cli/context.js';
import { openEventSink } from './sink.js';
import type { EventSink } from './types.js';

/**
 * Runs one command with its --events stream around it: run-started first, run-finished with the
 * exit code last, also when the command throws (then with the error, and the exit code the CLI
 * will give is not known here: -1). Without --events, `fn` gets no sink and nothing is written.
 */
export async function withEvents(
  target: string | undefined,
  start: { command: string; playbooks: string[]; dryRun?: boolean },
  io: Io,
  fn: (sink: EventSink | undefined) => Promise<number>,
): Promise<number> {
  if (target === undefined) return fn(undefined);
  const sink = openEventSink(target, { warn: (m) => io.err(`${m}\n`) });
  sink.emit({
    type: 'run-started',
    command: start.command,
    playbooks: start.playbooks,
    dryRun: Boolean(start.dryRun),
  });
  try {
    const exitCode = await fn(sink);
    sink.emit({ type: 'run-finished', exitCode });
    return exitCode;
  } catch (err) {
    sink.emit({
      type: 'run-finished',
      exitCode: -1,
      error: err instanceof Error ? err.message : String(err),
    });
    throw err;
  } finally {
    sink.close();
  }
}
