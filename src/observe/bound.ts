// Imports nothing: the CLI reads it at start-up for every command (docs/performance.md, start-up).

/**
 * How long the one observe script may run on a host before the host counts as unreachable, when
 * the caller gives no bound (the CLI's --observe-timeout, else at most its --command-timeout).
 */
export const OBSERVE_TIMEOUT_MS = 60_000;

/** The observe bound in ms: the one given, else the default, shortened by a shorter command bound. */
export function observeBoundMs(observeS?: number, commandS?: number): number {
  if (observeS !== undefined) return observeS * 1000;
  return Math.min(OBSERVE_TIMEOUT_MS, (commandS ?? Number.POSITIVE_INFINITY) * 1000);
}
