import type { Desired } from '../model/desired.js';
import type { Step } from '../model/plan.js';
import { topologicalOrder } from './graph.js';
import { cutCycles, type RequiresGraph, requiresGraph, serviceLabel } from './requires-graph.js';

const UP_KINDS = new Set<Step['kind']>(['start', 'restart', 'enable']);

/**
 * Steps that depend on a host the plan could not observe. A start that (transitively) requires a
 * service on an unreachable host cannot know that service is up; a stop of a service that one on an
 * unreachable host requires cannot know its dependent stopped first. Such steps are marked
 * `blockedBy` and the executor skips them (and, through `after`, whatever depends on them).
 */
export function markBlocked(steps: Step[], desired: Desired, unreachable: ReadonlySet<string>): Step[] {
  if (unreachable.size === 0) return steps;
  const rg = requiresGraph(desired);
  cutCycles(rg);
  const up = firstUnreachable(rg, rg.targets, unreachable);
  const down = firstUnreachable(rg, rg.requirers, unreachable);
  const index = new Map(rg.services.map((s, i) => [`${s.host}\u0000${s.name}`, i]));
  return steps.map((step) => {
    if (!step.service) return step;
    const i = index.get(`${step.host}\u0000${step.service}`);
    if (i === undefined) return step;
    const isUp = UP_KINDS.has(step.kind);
    const other = (isUp ? up : down)[i] ?? -1;
    const s = rg.services[other];
    if (!s) return step;
    const why = isUp
      ? `requires ${serviceLabel(s)}, whose host ${s.host} is unreachable`
      : `${serviceLabel(s)} requires it and its host ${s.host} is unreachable`;
    return { ...step, blockedBy: why };
  });
}

/**
 * Per node, the first service on an unreachable host reachable along `next` (a direct neighbour
 * before one further away), or -1. One pass in topological order: linear in the graph's size.
 */
function firstUnreachable(rg: RequiresGraph, next: number[][], unreachable: ReadonlySet<string>): number[] {
  const found = new Array<number>(next.length).fill(-1);
  const down = (t: number) => {
    const s = rg.services[t];
    return s !== undefined && unreachable.has(s.host);
  };
  for (const x of topologicalOrder(next)) {
    const ns = next[x] ?? [];
    // A group's own answer already puts its direct members first.
    found[x] = ns.find(down) ?? ns.map((t) => found[t] as number).find((f) => f >= 0) ?? -1;
  }
  return found;
}
