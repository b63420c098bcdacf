import type { Barrier, Plan } from '../model/plan.js';
import type { ExecuteOptions, StepOutcome } from './types.js';

type BlockerOf = (id: string) => Promise<StepOutcome | undefined>;

/**
 * The executor's side of a rolling batch barrier: it passes when at most `maxFailures` steps of
 * this roll failed so far (this batch and the ones before), and then only after the roll's pause;
 * otherwise it stands for the first failure, so every later batch is skipped, untouched.
 * A dry run never pauses.
 */
export function rollingBatches(plan: Plan, opts: Pick<ExecuteOptions, 'dryRun' | 'signal' | 'sleep'>) {
  const byBatch = new Map<string, Barrier>();
  for (const b of plan.barriers ?? []) if (b.roll) byBatch.set(`${b.roll.what}\u0000${b.roll.batch}`, b);
  const failures = new Map<string, Promise<StepOutcome[]>>();
  const sleep = opts.sleep ?? defaultSleep;

  /** Every step of the roll up to and including this batch that did not succeed. */
  const failedUpTo = (barrier: Barrier, blockerOf: BlockerOf): Promise<StepOutcome[]> => {
    let p = failures.get(barrier.id);
    if (!p) {
      const roll = barrier.roll as NonNullable<Barrier['roll']>;
      const prev = byBatch.get(`${roll.what}\u0000${roll.batch - 1}`);
      p = Promise.all([
        prev ? failedUpTo(prev, blockerOf) : Promise.resolve([]),
        Promise.all(barrier.after.map(blockerOf)),
      ]).then(([before, own]) => [...before, ...own.filter((o): o is StepOutcome => o !== undefined)]);
      failures.set(barrier.id, p);
    }
    return p;
  };

  return {
    async blocker(barrier: Barrier, blockerOf: BlockerOf): Promise<StepOutcome | undefined> {
      const roll = barrier.roll as NonNullable<Barrier['roll']>;
      const failed = await failedUpTo(barrier, blockerOf);
      if (failed.length > roll.maxFailures) return failed[0];
      if (!opts.dryRun && roll.pauseSec > 0 && roll.batch < roll.of)
        await sleep(roll.pauseSec * 1000, opts.signal);
      return undefined;
    },
  };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
