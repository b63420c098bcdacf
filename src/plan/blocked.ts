import type { Desired } from '../model/desired.js';
import type { Step } from '../model/plan.js';
import { topologicalOrder } from './graph.js';
import { cutCycles, type RequiresGraph, requiresGraph, serviceLabel } from './requires-graph.js';

const UP_KINDS = new Set<Step['kind']>(['start', 'restart', 'enable', 'unmask']);

/** Why parts of a plan cannot go ahead: hosts not observed, and per-host problems. */
export interface Blockers {
  unreachable: ReadonlySet<string>;
  /** A problem of the host itself (its runlevel cannot be set…): none of its steps run. */
  hosts?: ReadonlyMap<string, string>;
  /** `host:service` → why it cannot be brought up (masked, missing, no such manager…). */
  cannotStart?: ReadonlyMap<string, string>;
  /** `host:service` → why it cannot be stopped. */
  cannotStop?: ReadonlyMap<string, string>;
}

/**
 * Marks `blockedBy` on the steps that depend on something the plan cannot do, so the executor
 * skips them (and, through `after`, whatever depends on them) while the rest of the fleet goes on.
 * A start that (transitively) requires a service that is on an unreachable host, or cannot be
 * started, cannot know it is up; a stop of a service that something unreachable or unstoppable
 * requires cannot know its dependent stopped first. One pass over the requires graph (groups are
 * nodes, not expanded pairs): linear in services and requires.
 */
export function markBlocked(steps: Step[], desired: Desired, blockers: Blockers): Step[] {
  const { unreachable } = blockers;
  const hostProblems = blockers.hosts ?? new Map<string, string>();
  const cannotStart = blockers.cannotStart ?? new Map<string, string>();
  const cannotStop = blockers.cannotStop ?? new Map<string, string>();
  if (unreachable.size + hostProblems.size + cannotStart.size + cannotStop.size === 0) return steps;
  const rg = requiresGraph(desired);
  cutCycles(rg);
  const upReason = (t: number): string | undefined => {
    const s = rg.services[t];
    if (!s) return undefined;
    const dep = serviceLabel(s);
    if (unreachable.has(s.host)) return `requires ${dep}, whose host ${s.host} is unreachable`;
    const why = cannotStart.get(dep) ?? hostProblems.get(s.host);
    return why === undefined ? undefined : `requires ${dep}, which cannot be started: ${why}`;
  };
  const downReason = (t: number): string | undefined => {
    const s = rg.services[t];
    if (!s) return undefined;
    const dependent = serviceLabel(s);
    if (unreachable.has(s.host)) return `${dependent} requires it and its host ${s.host} is unreachable`;
    const why = cannotStop.get(dependent) ?? hostProblems.get(s.host);
    return why === undefined ? undefined : `${dependent} requires it and cannot be stopped: ${why}`;
  };
  const up = firstReason(rg, rg.targets, upReason);
  const down = firstReason(rg, rg.requirers, downReason);
  return steps.map((step) => {
    const own = hostProblems.get(step.host);
    if (own !== undefined) return { ...step, blockedBy: `${step.host}: ${own}` };
    if (!step.service) return step;
    const i = rg.nodeOf(step.host, step.service);
    if (i === undefined) return step;
    const why = (UP_KINDS.has(step.kind) ? up : down)[i];
    return why === undefined ? step : { ...step, blockedBy: why };
  });
}

/**
 * Per node, the first reason found along `next` (a direct neighbour before one further away), or
 * undefined. One pass in reverse topological order of `next`: linear in the graph's size.
 */
function firstReason(
  rg: RequiresGraph,
  next: number[][],
  reasonAt: (node: number) => string | undefined,
): (string | undefined)[] {
  const found = new Array<string | undefined>(next.length).fill(undefined);
  const own = next.map((_, t) => (t < rg.services.length ? reasonAt(t) : undefined));
  // topologicalOrder takes predecessor lists: with `next` as preds, a node comes after its `next`.
  for (const x of topologicalOrder(next)) {
    const ns = next[x] ?? [];
    let why: string | undefined;
    for (const t of ns) {
      why = own[t];
      if (why !== undefined) break;
    }
    if (why === undefined) {
      for (const t of ns) {
        why = found[t];
        if (why !== undefined) break;
      }
    }
    found[x] = why;
  }
  return found;
}
