import type { ExecEvent, StepOutcome } from '../apply/types.js';
import type { DriftItem, DriftReport } from '../model/drift.js';
import type { ObservedHost } from '../model/observed.js';
import type { Plan, Step } from '../model/plan.js';
import type { EventSink, RunEventBody, StepRef } from './types.js';

/*
 * Pure translations from runstate's own values to events: the stages stay as they are, and the
 * CLI (the only place that owns a sink) hands their values here.
 */

export function stepRef(step: Step): StepRef {
  return {
    step: step.id,
    host: step.host,
    kind: step.kind,
    ...(step.service !== undefined ? { service: step.service } : {}),
  };
}

/** host-observed / host-unreachable, one per host, in name order. */
export function hostEvents(hosts: Record<string, ObservedHost>): RunEventBody[] {
  return Object.keys(hosts)
    .sort()
    .map((name): RunEventBody => {
      const h = hosts[name] as ObservedHost;
      return h.status === 'ok'
        ? { type: 'host-observed', host: name, init: h.init, services: Object.keys(h.services).length }
        : { type: 'host-unreachable', host: name, reason: h.reason };
    });
}

/** The plan's hosts as observed, then one step-planned per step in wave order. */
export function planEvents(plan: Plan): RunEventBody[] {
  const observed = Object.fromEntries(Object.entries(plan.hosts).map(([n, h]) => [n, h.observed]));
  const batchOf = rollBatchOf(plan);
  return [
    ...hostEvents(observed),
    ...plan.steps.map((s): RunEventBody => {
      const batch = batchOf.get(s.id);
      return {
        type: 'step-planned',
        ...stepRef(s),
        wave: s.wave,
        reason: s.reason,
        ...(batch ? { batch } : {}),
      };
    }),
  ];
}

/** The rolling batch (its barrier id) each rolling step belongs to. */
function rollBatchOf(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of plan.barriers ?? []) {
    if (!b.roll) continue;
    for (const id of b.after) if (!id.startsWith('@')) out.set(id, b.id);
  }
  return out;
}

/** The executor's live events as stream events; health waits are the progress line's business. */
export function execEvent(e: ExecEvent): RunEventBody | undefined {
  if (e.kind === 'step-start') return { type: 'step-started', ...stepRef(e.step) };
  if (e.kind === 'step-end') return outcomeEvent(e.outcome);
  return undefined;
}

export function outcomeEvent(o: StepOutcome): RunEventBody {
  const ref = stepRef(o.step);
  switch (o.kind) {
    case 'skipped':
      return { type: 'step-skipped', ...ref, because: o.because, cause: o.cause };
    case 'ok':
      return { type: 'step-finished', ...ref, outcome: 'ok', durationMs: o.durationMs };
    case 'would-run':
      return { type: 'step-finished', ...ref, outcome: 'would-run' };
    case 'failed':
      return {
        type: 'step-finished',
        ...ref,
        outcome: 'failed',
        durationMs: o.durationMs,
        message: o.message,
      };
    case 'unreachable':
      return { type: 'step-finished', ...ref, outcome: 'unreachable', message: o.reason };
    case 'not-started':
      return { type: 'step-finished', ...ref, outcome: 'not-started', message: o.reason };
  }
}

/**
 * drift-found per item out of sync on a checked host; drift-waived for one a waiver covers. The
 * waiver itself is drift-a's (issue 10): an item that carries `waived` (any object of strings:
 * reason, owner, until) is reported as waived, with that object, instead of found.
 */
export function driftEvents(report: DriftReport): RunEventBody[] {
  const out: RunEventBody[] = [];
  for (const host of Object.keys(report.hosts).sort()) {
    const h = report.hosts[host];
    if (!h || h.status === 'unchecked') continue;
    for (const item of h.items) {
      if (item.inSync) continue;
      const ref = {
        host,
        ...(item.service !== undefined ? { service: item.service } : {}),
        field: item.field,
        desired: item.desired,
        observed: item.observed,
      };
      const waiver = waiverOf(item);
      out.push(waiver ? { type: 'drift-waived', ...ref, waiver } : { type: 'drift-found', ...ref });
    }
  }
  return out;
}

/** Hook for waivers: reads `waived` off an item without depending on its type. */
function waiverOf(item: DriftItem): Record<string, string> | undefined {
  const w: unknown = (item as unknown as { waived?: unknown }).waived;
  if (typeof w !== 'object' || w === null) return undefined;
  return Object.fromEntries(
    Object.entries(w).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

export function emitAll(sink: EventSink | undefined, events: readonly RunEventBody[]): void {
  if (!sink) return;
  for (const e of events) sink.emit(e);
}
