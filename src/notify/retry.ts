/** How hard a delivery is tried: `attempts` in all, waiting base·2^(n-1) (at most maxDelayMs) between. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Bound on one attempt (connect + response, or the command's run). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  timeoutMs: 10_000,
};

/** One attempt's result: `retry` false for answers that another try would not change (HTTP 4xx). */
export type AttemptResult = { ok: true; detail: string } | { ok: false; retry: boolean; detail: string };

export interface Delivery {
  ok: boolean;
  attempts: number;
  /** The last attempt's answer ("HTTP 204", "timed out after 10000 ms", "exit 1: …"). */
  detail: string;
}

/** The waits between attempts: attempts − 1 of them, doubling, capped. */
export function backoffDelays(p: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, p.attempts - 1) }, (_, i) =>
    Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** i),
  );
}

/** Tries `attempt` until it succeeds, says not to retry, or the attempts run out. Never throws. */
export async function withRetry(
  attempt: (timeoutMs: number) => Promise<AttemptResult>,
  p: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<Delivery> {
  const delays = backoffDelays(p);
  let last: AttemptResult = { ok: false, retry: true, detail: 'not tried' };
  for (let n = 1; n <= p.attempts; n++) {
    try {
      last = await attempt(p.timeoutMs);
    } catch (err) {
      last = { ok: false, retry: true, detail: (err as Error).message };
    }
    if (last.ok || !last.retry || n === p.attempts) return { ok: last.ok, attempts: n, detail: last.detail };
    await sleep(delays[n - 1] as number);
  }
  return { ok: false, attempts: p.attempts, detail: last.detail };
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
