import { type Desired, requiredHosts } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { Step } from '../model/plan.js';

const UP_KINDS = new Set<Step['kind']>(['start', 'restart', 'enable']);

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
 * requires cannot know its dependent stopped first. Memoised: linear in services and requires.
 */
export function markBlocked(steps: Step[], desired: Desired, blockers: Blockers): Step[] {
  const { unreachable } = blockers;
  const hostProblems = blockers.hosts ?? new Map<string, string>();
  const cannotStart = blockers.cannotStart ?? new Map<string, string>();
  const cannotStop = blockers.cannotStop ?? new Map<string, string>();
  if (unreachable.size + hostProblems.size + cannotStart.size + cannotStop.size === 0) return steps;
  const requires = new Map<string, string[]>();
  const requiredBy = new Map<string, string[]>();
  const hostOf = new Map<string, string>();
  for (const host of Object.values(desired.hosts)) {
    for (const s of Object.values(host.services)) {
      const key = serviceOnHost(host.host, s.name);
      hostOf.set(key, host.host);
      for (const r of s.requires) {
        for (const h of requiredHosts(r)) {
          const dep = serviceOnHost(h, r.service);
          hostOf.set(dep, h);
          pushTo(requires, key, dep);
          pushTo(requiredBy, dep, key);
        }
      }
    }
  }
  const upReason = (dep: string): string | undefined => {
    const host = hostOf.get(dep) ?? '';
    if (unreachable.has(host)) return `requires ${dep}, whose host ${host} is unreachable`;
    const why = cannotStart.get(dep) ?? hostProblems.get(host);
    return why === undefined ? undefined : `requires ${dep}, which cannot be started: ${why}`;
  };
  const downReason = (dependent: string): string | undefined => {
    const host = hostOf.get(dependent) ?? '';
    if (unreachable.has(host)) return `${dependent} requires it and its host ${host} is unreachable`;
    const why = cannotStop.get(dependent) ?? hostProblems.get(host);
    return why === undefined ? undefined : `${dependent} requires it and cannot be stopped: ${why}`;
  };
  const up = walker(requires, upReason);
  const down = walker(requiredBy, downReason);
  return steps.map((step) => {
    const own = hostProblems.get(step.host);
    if (own !== undefined) return { ...step, blockedBy: `${step.host}: ${own}` };
    if (!step.service) return step;
    const key = serviceOnHost(step.host, step.service);
    const why = UP_KINDS.has(step.kind) ? up(key) : down(key);
    return why === undefined ? step : { ...step, blockedBy: why };
  });
}

/** The first reason found along `edges` from a key (its own neighbours first), memoised per key. */
function walker(
  edges: ReadonlyMap<string, string[]>,
  reasonAt: (key: string) => string | undefined,
): (key: string) => string | undefined {
  const memo = new Map<string, string | null>();
  const visit = (key: string): string | undefined => {
    const known = memo.get(key);
    if (known !== undefined) return known ?? undefined;
    memo.set(key, null); // cycles were refused at load; this only keeps a bad input from looping
    let found: string | undefined;
    for (const next of edges.get(key) ?? []) {
      found = reasonAt(next) ?? visit(next);
      if (found !== undefined) break;
    }
    memo.set(key, found ?? null);
    return found;
  };
  return visit;
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
