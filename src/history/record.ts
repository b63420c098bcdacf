import type { StepOutcome } from '../apply/types.js';
import type { DriftReport } from '../model/drift.js';
import type { ChangeLabel, HistoryChange, HistoryDrift, HistoryRecord } from '../model/history.js';

/** A drift report as one history line: each host's status and the out-of-sync items of checked hosts. */
export function recordOfDrift(
  report: DriftReport,
  source: HistoryRecord['source'],
  at: string,
  run?: number,
): HistoryRecord {
  const hosts: HistoryRecord['hosts'] = {};
  const drifts: HistoryDrift[] = [];
  for (const [host, h] of Object.entries(report.hosts)) {
    hosts[host] = h.status;
    if (h.status === 'unchecked') continue;
    for (const i of h.items) {
      if (i.inSync) continue;
      drifts.push({
        host,
        ...(i.service !== undefined ? { service: i.service } : {}),
        field: i.field,
        desired: i.desired,
        observed: i.observed,
        ...(i.waived ? { waived: i.waived } : {}),
        ...(i.fighting !== undefined ? { fighting: i.fighting } : {}),
      });
    }
  }
  return { version: 1, at, source, ...(run !== undefined ? { run } : {}), hosts, drifts, changes: [] };
}

/** The steps that sent a command (ok or failed), labelled; dry runs, skips and refusals changed nothing. */
export function changesOf(outcomes: readonly StepOutcome[], label: ChangeLabel, at: string): HistoryChange[] {
  const out: HistoryChange[] = [];
  for (const o of outcomes) {
    if (o.kind !== 'ok' && o.kind !== 'failed') continue;
    out.push({
      host: o.step.host,
      ...(o.step.service !== undefined ? { service: o.step.service } : {}),
      step: o.step.kind,
      label,
      outcome: o.kind,
      at,
    });
  }
  return out;
}
