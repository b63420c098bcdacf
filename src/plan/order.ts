import { type Desired, TIERS } from '../model/desired.js';
import type { Barrier, Step } from '../model/plan.js';
import { topologicalOrder } from './graph.js';
import {
  cutCycles,
  type RequiresGraph,
  requiresGraph,
  type ServiceNode,
  serviceLabel,
  stoppedButRequired,
} from './requires-graph.js';
import { rollingBarriers } from './rolling.js';
import { StepGraph } from './step-graph.js';
import { compareText, KIND_ORDER, NO_AFTER, type PendingStep, type PlanProblem } from './types.js';

/*
 * How steps are ordered (SPEC "Ordering"):
 * - A service's start/restart steps run in that order. Enables and disables only change what starts
 *   at the next boot, which depends on no running service: they wait for nothing but their host's
 *   runlevel change and hold nothing back, so they all go in the first wave, in parallel.
 * - requires: the required service's start ends before the dependent's begins; the dependent's stop
 *   comes before the required service's stop. A service with no step in that direction passes the
 *   order through (a→b→c with b already running still starts c before a). A `group:svc` is one node
 *   that every host's service of the group is behind, so it costs one edge per host, not per pair.
 * - tiers: database → app → network → main for starts, the reverse for stops, within each stack
 *   (one stack unless hosts name theirs). Each boundary between two tiers of a stack is one barrier:
 *   every step of the earlier tier before it, every step of the later tier after it. Explicit
 *   requires win: a service that requires one of a later tier moves to that tier (its "effective
 *   tier"), so tier edges can never contradict requires and never close a cycle, across stacks too.
 * - a host's runlevel steps come before all of that host's service steps.
 */

export interface Ordered {
  /** Sorted by wave, then host, kind and service. */
  steps: Step[];
  waves: string[][];
  barriers: Barrier[];
  problems: PlanProblem[];
}

/** `maxFailures`: how many failed steps a rolling operation tolerates (`restart --max-failures`). */
export function orderIntoWaves(
  pending: readonly PendingStep[],
  desired: Desired,
  opts: { maxFailures?: number } = {},
): Ordered {
  return orderSteps(
    pending.map((s) => ({ ...s, after: NO_AFTER, wave: 0 })),
    desired,
    opts,
  );
}

/**
 * orderIntoWaves on steps the caller made for the purpose (`after` and `wave` placeholders): each
 * step's `after` and `wave` are set in place rather than copied into a new object, which at
 * 400,000 steps was a second copy of every step (buildPlan makes them; docs/performance.md).
 */
export function orderSteps(
  made: readonly Step[],
  desired: Desired,
  opts: { maxFailures?: number } = {},
): Ordered {
  const steps = [...made].sort(compareSteps);
  const rg = requiresGraph(desired);
  const problems = cutCycles(rg);
  const g = new StepGraph(steps.length);
  attachSteps(steps, rg, g);
  for (const s of rg.services)
    for (let k = 1; k < s.up.length; k++) g.edge(s.up[k - 1] as number, s.up[k] as number);
  upRequires(rg, g);
  downRequires(rg, g);
  tierBarriers(rg, g);
  rollingBarriers(steps, desired, g, opts.maxFailures);
  problems.push(...stoppedButRequired(rg));
  return { ...layer(steps, g), problems };
}

/** Numbers each step into its service node, and puts a host's runlevel steps before its others. */
function attachSteps(steps: readonly PendingStep[], rg: RequiresGraph, g: StepGraph): void {
  const runlevelSteps = new Map<string, number[]>();
  steps.forEach((step, i) => {
    if (step.service === undefined) {
      const list = runlevelSteps.get(step.host);
      if (list) list.push(i);
      else runlevelSteps.set(step.host, [i]);
      return;
    }
    const node = rg.services[rg.nodeOf(step.host, step.service) ?? -1];
    if (!node) return; // a step for an undeclared service: nothing to order it against
    if (step.kind === 'stop') node.stop = i;
    else if (step.kind === 'start' || step.kind === 'restart') node.up.push(i); // sorted: start, restart
  });
  // A host's boot default changes only once the host really runs in that runlevel: a failed
  // isolate skips set-default.
  if (runlevelSteps.size > 0) attachRunlevels(steps, runlevelSteps, g);
  maskEdges(steps, g);
}

function attachRunlevels(
  steps: readonly PendingStep[],
  runlevelSteps: ReadonlyMap<string, readonly number[]>,
  g: StepGraph,
): void {
  steps.forEach((step, i) => {
    if (step.service !== undefined) for (const r of runlevelSteps.get(step.host) ?? []) g.edge(r, i);
    if (step.kind === 'set-default-runlevel') {
      for (const r of runlevelSteps.get(step.host) ?? []) if (steps[r]?.kind === 'set-runlevel') g.edge(r, i);
    }
  });
}

/** A service's unmask comes before its other steps (enable, start); its mask after its stop. */
function maskEdges(steps: readonly PendingStep[], g: StepGraph): void {
  // No mask or unmask step (the usual plan): no edge to add, no map of every service's steps.
  if (!steps.some((s) => s.kind === 'mask' || s.kind === 'unmask')) return;
  const byService = new Map<string, Map<string, number>>();
  steps.forEach((step, i) => {
    if (step.service === undefined) return;
    const key = `${step.host}\u0000${step.service}`;
    const kinds = byService.get(key) ?? new Map<string, number>();
    kinds.set(step.kind, i);
    byService.set(key, kinds);
  });
  for (const kinds of byService.values()) {
    const unmask = kinds.get('unmask');
    if (unmask !== undefined) for (const [kind, i] of kinds) if (kind !== 'unmask') g.edge(unmask, i);
    const stop = kinds.get('stop');
    const mask = kinds.get('mask');
    if (stop !== undefined && mask !== undefined) g.edge(stop, mask);
  }
}

/** One node standing for all of `from`: the node itself when there is one, a barrier for several. */
function joinAll(g: StepGraph, from: readonly number[], id: () => string, reason: () => string): number {
  const unique = [...new Set(from)];
  if (unique.length === 0) return -1;
  if (unique.length === 1) return unique[0] as number;
  const v = g.addVirtual(id(), reason());
  for (const f of unique) g.edge(f, v);
  return v;
}

/** Starts: a service's first start waits for the end of each required service's (or group's) starts. */
function upRequires(rg: RequiresGraph, g: StepGraph): void {
  const n = rg.services.length;
  const done = new Array<number>(rg.targets.length).fill(-1);
  // Required nodes first: topologicalOrder takes predecessor lists, and a node's targets come first.
  for (const x of topologicalOrder(rg.targets)) {
    const ends = (rg.targets[x] ?? []).map((t) => done[t] as number).filter((e) => e >= 0);
    if (x >= n) {
      const group = rg.groups[x - n];
      done[x] = joinAll(
        g,
        ends,
        () => `@${group?.name}/started`,
        () => `every start of ${group?.service} on a host of ${group?.group}`,
      );
      continue;
    }
    const s = rg.services[x] as ServiceNode;
    if (s.up.length > 0) {
      for (const e of ends) g.edge(e, s.up[0] as number);
      done[x] = s.up[s.up.length - 1] as number;
    } else if (s.want.state === 'running' && s.stop === undefined) {
      done[x] = joinAll(
        g,
        ends,
        () => `@${serviceLabel(s)}/started`,
        () => `what ${serviceLabel(s)} (already running) requires`,
      );
    }
  }
}

/** Stops: a service's stop waits for the stops of what requires it (the reverse of starts). */
function downRequires(rg: RequiresGraph, g: StepGraph): void {
  const n = rg.services.length;
  const done = new Array<number>(rg.targets.length).fill(-1);
  // Dependents first: in the requirers graph a node's requirers are its predecessors.
  for (const x of topologicalOrder(rg.requirers)) {
    const ends = (rg.requirers[x] ?? []).map((r) => done[r] as number).filter((e) => e >= 0);
    if (x >= n) {
      const group = rg.groups[x - n];
      done[x] = joinAll(
        g,
        ends,
        () => `@${group?.name}/dependents-stopped`,
        () => `every stop of a service that requires ${group?.name}`,
      );
      continue;
    }
    const s = rg.services[x] as ServiceNode;
    if (s.stop !== undefined) {
      for (const e of ends) g.edge(e, s.stop);
      done[x] = s.stop;
    } else if (s.want.state === 'stopped') {
      done[x] = joinAll(
        g,
        ends,
        () => `@${serviceLabel(s)}/dependents-stopped`,
        () => `every stop of a service that requires ${serviceLabel(s)} (already stopped)`,
      );
    }
  }
}

/**
 * Per stack and direction, one barrier between consecutive effective tiers. A step's effective tier
 * is the highest among its own and those of everything ordered before it by requires, so every
 * requires edge goes to an equal or later tier and a barrier never contradicts one.
 */
function tierBarriers(rg: RequiresGraph, g: StepGraph): void {
  const order = topologicalOrder(g.preds);
  const rank = (s: ServiceNode) => TIERS.indexOf(s.want.tier);
  const effUp = new Array<number>(g.preds.length).fill(-1);
  const effDown = new Array<number>(g.preds.length).fill(-1);
  for (const s of rg.services) {
    for (const u of s.up) effUp[u] = rank(s);
    if (s.stop !== undefined) effDown[s.stop] = TIERS.length - 1 - rank(s);
  }
  for (const v of order) {
    for (const p of g.preds[v] as number[]) {
      effUp[v] = Math.max(effUp[v] as number, effUp[p] as number);
      effDown[v] = Math.max(effDown[v] as number, effDown[p] as number);
    }
  }
  const up = rg.services.filter((s) => s.up.length > 0);
  const down = rg.services.filter((s) => s.stop !== undefined);
  chainTiers(
    g,
    up,
    'start',
    (s) => effUp[s.up[s.up.length - 1] as number] as number,
    (s) => [s.up[0] as number, s.up[s.up.length - 1] as number],
  );
  chainTiers(
    g,
    down,
    'stop',
    (s) => effDown[s.stop as number] as number,
    (s) => [s.stop as number, s.stop as number],
  );
}

function chainTiers(
  g: StepGraph,
  members: readonly ServiceNode[],
  verb: 'start' | 'stop',
  level: (s: ServiceNode) => number,
  ends: (s: ServiceNode) => [first: number, last: number],
): void {
  const byStack = new Map<string, Map<number, ServiceNode[]>>();
  for (const s of members) {
    const levels = byStack.get(s.stack) ?? new Map<number, ServiceNode[]>();
    byStack.set(s.stack, levels);
    const l = level(s);
    const list = levels.get(l);
    if (list) list.push(s);
    else levels.set(l, [s]);
  }
  for (const stack of [...byStack.keys()].sort(compareText)) {
    const classes = byStack.get(stack) as Map<number, ServiceNode[]>;
    const levels = [...classes.keys()].sort((a, b) => a - b);
    let previous = -1;
    for (let k = 1; k < levels.length; k++) {
      const tier =
        verb === 'start' ? TIERS[levels[k] as number] : TIERS[TIERS.length - 1 - (levels[k] as number)];
      const b = g.addVirtual(
        `@${stack}/${verb}s-before-${tier}`,
        `every ${verb} of stack ${stack} that the ${verb}s of tier ${tier} wait for`,
      );
      for (const s of classes.get(levels[k - 1] as number) ?? []) g.edge(ends(s)[1], b);
      for (const s of classes.get(levels[k] as number) ?? []) g.edge(b, ends(s)[0]);
      // Implied by the steps in between, but lets the reduction step from barrier to barrier.
      if (previous >= 0) g.edge(previous, b);
      previous = b;
    }
  }
}

/** Direct predecessors and waves (set on the steps), then the steps and wave lists in listed order. */
function layer(steps: readonly Step[], g: StepGraph): Omit<Ordered, 'problems'> {
  const { after, wave, barriers } = g.finish();
  const idOf = (node: number): string => (g.isVirtual(node) ? g.label(node).id : (steps[node] as Step).id);
  steps.forEach((s, i) => {
    const preds = after[i] ?? [];
    s.after =
      preds.length === 0
        ? NO_AFTER
        : preds.length === 1
          ? [idOf(preds[0] as number)]
          : preds.map(idOf).sort(compareText);
    s.wave = wave[i] as number;
  });
  // `steps` are already in compareSteps order: bucketing by wave keeps it, without a second sort.
  const byWave: Step[][] = [];
  for (const s of steps) {
    const list = byWave[s.wave - 1];
    if (list) list.push(s);
    else byWave[s.wave - 1] = [s];
  }
  const waves = byWave.map((list) => list.map((s) => s.id));
  const kept: Barrier[] = barriers
    .map((v) => ({
      ...g.label(v),
      after: (after[v] ?? []).map(idOf).sort(compareText),
      wave: wave[v] as number,
    }))
    .sort((a, b) => a.wave - b.wave || compareText(a.id, b.id))
    .map(({ id, reason, after: a, roll }) => ({ id, reason, after: a, ...(roll ? { roll } : {}) }));
  return { steps: byWave.flat(), waves, barriers: kept };
}

/** host, then the fixed kind order, then service: the order steps of one wave are listed in. */
export function compareSteps(a: PendingStep, b: PendingStep): number {
  return (
    compareText(a.host, b.host) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareText(a.service ?? '', b.service ?? '')
  );
}
