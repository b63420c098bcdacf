import type { StepKind } from '../model/plan.js';

/** Bumped only when an event changes incompatibly (schemas/event.v1.schema.json describes v1). */
export const EVENT_VERSION = 1;

/** Which step an event is about; the same fields on every step event, so a consumer joins on `step`. */
export interface StepRef {
  step: string;
  host: string;
  kind: StepKind;
  service?: string;
}

/** A drift item as reports name it (host, service or runlevel, field, desired, observed). */
export interface DriftRef {
  host: string;
  service?: string;
  field: string;
  desired: string;
  observed: string;
}

/**
 * What happened, in the order it happened. One object per line (JSON Lines), so CI and log
 * shippers can follow a long run, and a run that dies mid-way still left every line before.
 */
export type RunEventBody =
  | { type: 'run-started'; command: string; playbooks: string[]; dryRun: boolean }
  | { type: 'host-observed'; host: string; init: string; services: number }
  | { type: 'host-unreachable'; host: string; reason: string }
  | ({ type: 'step-planned'; wave: number; reason: string; batch?: string } & StepRef)
  | ({ type: 'step-started' } & StepRef)
  | ({
      type: 'step-finished';
      outcome: 'ok' | 'would-run' | 'failed' | 'unreachable' | 'not-started';
      durationMs?: number;
      message?: string;
    } & StepRef)
  | ({ type: 'step-skipped'; because: string; cause: string } & StepRef)
  | ({ type: 'drift-found' } & DriftRef)
  /** Drift a waiver covers (waivers: issue 10, drift-a); emitted for items that carry `waived`. */
  | ({ type: 'drift-waived'; waiver: Record<string, string> } & DriftRef)
  | ({ type: 'drift-healed' } & StepRef)
  | {
      type: 'alert-sent' | 'alert-failed';
      target: string;
      alert: string;
      item: string;
      attempts: number;
      message?: string;
    }
  /** exitCode -1: the command ended in an error (`error`) before it had one. */
  | { type: 'run-finished'; exitCode: number; error?: string };

export type RunEventType = RunEventBody['type'];

/** One line of the stream: the event plus where it sits (version, run, sequence, time). */
export type RunEvent = RunEventBody & { v: typeof EVENT_VERSION; run: string; seq: number; time: string };

/** Where events go. Optional everywhere: the planner and executor never need one. */
export interface EventSink {
  emit(event: RunEventBody): void;
  /** Flushes to disk (fsync) and closes; safe to call twice. */
  close(): void;
}

/** A sink that drops everything, for commands run without --events. */
export const NO_EVENTS: EventSink = { emit: () => {}, close: () => {} };
