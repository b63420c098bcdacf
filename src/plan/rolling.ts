import type { Desired, Rolling } from '../model/desired.js';
import type { RollBarrier } from '../model/plan.js';
import type { StepGraph } from './step-graph.js';
import { compareText, type PendingStep } from './types.js';

/*
 * Rolling operations: the hosts that share a `rolling:` declaration restart (or start) the service a
 * batch at a time. Each batch ends in a barrier that the next batch waits for; the executor lets
 * it pass only when the batch's steps (restart, verification, health gate) succeeded — at most
 * maxFailures failed so far — and after the pause. Batches are part of the plan value, so the plan,
 * the dry run and the saved plan all show them.
 */

/** Hosts per batch: max_down as a number (at most all hosts), or a percentage rounded down, at least 1. */
export function batchSize(hosts: number, maxDown: Rolling['maxDown']): number {
  if (hosts <= 0) return 0;
  const n = 'count' in maxDown ? maxDown.count : Math.floor((hosts * maxDown.percent) / 100);
  return Math.min(hosts, Math.max(1, n));
}

/** Splits items (already in roll order) into consecutive batches of batchSize. */
export function intoBatches<T>(items: readonly T[], maxDown: Rolling['maxDown']): T[][] {
  const size = batchSize(items.length, maxDown);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** "web:crm-app" for a group's declaration, "all:crm-app", or "h1:crm-app" for one host's. */
export function rollName(layer: string, service: string): string {
  const colon = layer.indexOf(':');
  return `${colon < 0 ? layer : layer.slice(colon + 1)}:${service}`;
}

export function rollBarrierId(what: string, batch: number): string {
  return `@roll/${what}/batch-${batch}`;
}

/**
 * Adds, per rolled service, one kept barrier per batch: batch k's steps before barrier k, barrier k
 * before batch k+1's steps. Linear in steps: each step gets at most two edges.
 */
export function rollingBarriers(
  steps: readonly PendingStep[],
  desired: Desired,
  g: StepGraph,
  maxFailures = 0,
): void {
  const rolls = new Map<string, { rolling: Rolling; byHost: Map<string, number[]> }>();
  steps.forEach((step, i) => {
    if (step.service === undefined || (step.kind !== 'start' && step.kind !== 'restart')) return;
    const svc = desired.hosts[step.host]?.services[step.service];
    const layer = svc?.origin.rolling?.layer;
    if (!svc?.rolling || layer === undefined) return;
    const what = rollName(layer, step.service);
    let roll = rolls.get(what);
    if (!roll) {
      roll = { rolling: svc.rolling, byHost: new Map() };
      rolls.set(what, roll);
    }
    const list = roll.byHost.get(step.host);
    if (list) list.push(i);
    else roll.byHost.set(step.host, [i]);
  });
  for (const [what, { rolling, byHost }] of rolls) {
    const hosts = [...byHost.keys()].sort(compareText);
    const batches = intoBatches(hosts, rolling.maxDown);
    let previous: number | undefined;
    batches.forEach((batch, k) => {
      const roll: RollBarrier = {
        what,
        batch: k + 1,
        of: batches.length,
        pauseSec: rolling.pauseSec,
        maxFailures,
      };
      const node = g.addVirtual(rollBarrierId(what, k + 1), batchReason(roll, batch), roll);
      for (const host of batch) {
        for (const i of byHost.get(host) ?? []) {
          if (previous !== undefined) g.edge(previous, i);
          g.edge(i, node);
        }
      }
      previous = node;
    });
  }
}

export function batchReason(roll: RollBarrier, hosts: readonly string[]): string {
  const pause = roll.pauseSec > 0 && roll.batch < roll.of ? `, then ${roll.pauseSec}s pause` : '';
  return `rolling ${roll.what}: batch ${roll.batch} of ${roll.of} (${hosts.join(', ')}) healthy${pause}`;
}
