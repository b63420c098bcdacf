import type { Desired } from '../model/desired.js';
import type { Step } from '../model/plan.js';

const UP_KINDS = new Set<Step['kind']>(['start', 'restart', 'enable', 'unmask']);

/**
 * Steps that depend on a host the plan could not observe. A start that (transitively) requires a
 * service on an unreachable host cannot know that service is up; a stop of a service that one on an
 * unreachable host requires cannot know its dependent stopped first. Such steps are marked
 * `blockedBy` and the executor skips them (and, through `after`, whatever depends on them).
 */
export function markBlocked(steps: Step[], desired: Desired, unreachable: ReadonlySet<string>): Step[] {
  if (unreachable.size === 0) return steps;
  const requires = new Map<string, string[]>();
  const requiredBy = new Map<string, string[]>();
  for (const host of Object.values(desired.hosts)) {
    for (const s of Object.values(host.services)) {
      const key = `${s.name}@${host.host}`;
      for (const r of s.requires) {
        const dep = `${r.service}@${r.host}`;
        requires.set(key, [...(requires.get(key) ?? []), dep]);
        requiredBy.set(dep, [...(requiredBy.get(dep) ?? []), key]);
      }
    }
  }
  const unreachableIn = (start: string, edges: Map<string, string[]>): string | undefined => {
    const seen = new Set<string>();
    const todo = [...(edges.get(start) ?? [])];
    while (todo.length > 0) {
      const key = todo.shift() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      if (unreachable.has(key.slice(key.lastIndexOf('@') + 1))) return key;
      todo.push(...(edges.get(key) ?? []));
    }
    return undefined;
  };
  return steps.map((step) => {
    if (!step.service) return step;
    const key = `${step.service}@${step.host}`;
    const up = UP_KINDS.has(step.kind);
    const other = up ? unreachableIn(key, requires) : unreachableIn(key, requiredBy);
    if (!other) return step;
    const host = other.slice(other.lastIndexOf('@') + 1);
    const why = up
      ? `requires ${other}, whose host ${host} is unreachable`
      : `${other} requires it and its host ${host} is unreachable`;
    return { ...step, blockedBy: why };
  });
}
