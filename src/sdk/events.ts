import type { StepOutcome } from '../apply/types.js';
import type { Step } from '../model/plan.js';

/**
 * What the SDK reports while a stage runs. Every event has `type` and `at` (ISO time); a
 * `switch (e.type)` over the union is the normal way to read them. Events are for watching a run:
 * the stage's result, not its events, is what to act on.
 *
 * `record` carries a JSON object made elsewhere in runstate, unchanged, with `source` naming its
 * producer: it is the slot for the CLI's event stream (`--events`, one JSON object per line) so
 * that stream's records can reach SDK callers without a second event type. New SDK event types
 * may be added; code that switches over `type` should ignore types it does not know.
 */
export type RunstateEvent =
  | { type: 'host-observed'; at: string; host: string; ms: number; channels: number }
  | { type: 'lock-wait'; at: string; host: string; holder: string; secondsLeft: number }
  | { type: 'step-start'; at: string; host: string; step: Step }
  | { type: 'health-wait'; at: string; host: string; step: Step; detail: string }
  | { type: 'step-end'; at: string; host: string; outcome: StepOutcome }
  | { type: 'record'; at: string; source: string; record: Record<string, unknown> };

export type EventListener = (event: RunstateEvent) => void;

/**
 * A push → async-iterator queue: the run pushes, the caller iterates with `for await`. Events are
 * kept until read (a run has a bounded number: a few per step and per host), and the iteration
 * ends when the run ends. One reader; a second iteration sees only what the first left.
 */
export class EventQueue implements AsyncIterable<RunstateEvent> {
  private readonly buffered: RunstateEvent[] = [];
  private waiting: ((r: IteratorResult<RunstateEvent>) => void) | undefined;
  private ended = false;

  readonly push = (event: RunstateEvent): void => {
    if (this.ended) return;
    const wake = this.waiting;
    if (wake) {
      this.waiting = undefined;
      wake({ value: event, done: false });
    } else {
      this.buffered.push(event);
    }
  };

  end(): void {
    this.ended = true;
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<RunstateEvent> {
    return {
      next: () => {
        const next = this.buffered.shift();
        if (next) return Promise.resolve({ value: next, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
    };
  }
}
