import { type Desired, type DesiredService, TIERS } from '../model/desired.js';
import type { Step } from '../model/plan.js';
import { edgeKey, findCycles, reduceAndLayer, topologicalOrder } from './graph.js';
import { compareText, KIND_ORDER, type PendingStep, type PlanProblem } from './types.js';

/*
 * How steps are ordered (SPEC "Ordering"):
 * - A service's "up" steps form a chain enable → start/restart; its "down" steps stop → disable.
 *   Enabling goes with starting, so an enable waits for what the service requires, like its start.
 *   A disable only follows its own stop: nothing else has to wait for a boot-time setting to vanish.
 * - requires: the required service's up chain ends before the dependent's up chain begins; the
 *   dependent's stop comes before the required service's stop. A service with no step in that
 *   direction passes the order through (a→b→c with b already running still starts c before a).
 * - tiers: database → app → network → main for up chains, the reverse for stops, across all hosts.
 *   Explicit requires win: a service that requires one of a later tier moves to that tier (its
 *   "effective tier"), so tier edges can never contradict requires and never close a cycle.
 * - a host's runlevel steps come before all of that host's service steps.
 */

export interface Ordered {
  /** Sorted by wave, then host, kind and service. */
  steps: Step[];
  waves: string[][];
  problems: PlanProblem[];
}

interface ServiceNode {
  host: string;
  name: string;
  want: DesiredService;
  requires: number[]; // service node numbers, sorted, deduplicated
  up: number[]; // step numbers: enable, start, restart (as present)
  stop?: number;
  disable?: number;
}

const label = (s: ServiceNode): string => `${s.name}@${s.host}`;

export function orderIntoWaves(pending: readonly PendingStep[], desired: Desired): Ordered {
  const steps = [...pending].sort(compareSteps);
  const services = serviceNodes(desired);
  const problems = cutCycles(services);
  const preds: number[][] = steps.map(() => []);
  const edge = (from: number, to: number): void => {
    preds[to]?.push(from);
  };
  const runlevelSteps = attachSteps(steps, services);
  serviceEdges(services, edge);
  // A host's runlevel steps come before every service step of that host, and its boot default
  // changes only once the host really runs in that runlevel (a failed isolate skips set-default).
  steps.forEach((step, i) => {
    if (step.service !== undefined) for (const r of runlevelSteps.get(step.host) ?? []) edge(r, i);
    if (step.kind === 'set-default-runlevel') {
      for (const r of runlevelSteps.get(step.host) ?? []) if (steps[r]?.kind === 'set-runlevel') edge(r, i);
    }
  });
  problems.push(...stoppedButRequired(services));
  return { ...layer(steps, preds), problems };
}

/** Numbers each step into its service node; returns the runlevel steps by host. */
function attachSteps(steps: readonly PendingStep[], services: ServiceNode[]): Map<string, number[]> {
  const byKey = new Map(services.map((s, i) => [`${s.host}\u0000${s.name}`, i]));
  const runlevelSteps = new Map<string, number[]>();
  steps.forEach((step, i) => {
    if (step.service === undefined) {
      pushTo(runlevelSteps, step.host, i);
      return;
    }
    const node = services[byKey.get(`${step.host}\u0000${step.service}`) ?? -1];
    if (!node) return; // a step for an undeclared service: nothing to order it against
    if (step.kind === 'stop') node.stop = i;
    else if (step.kind === 'disable') node.disable = i;
    else node.up.push(i); // steps are sorted, so this is enable, start, restart in that order
  });
  return runlevelSteps;
}

/** requires cycles should have been refused by validation: name each one, and cut it. */
function cutCycles(services: ServiceNode[]): PlanProblem[] {
  const search = findCycles(services.map((s) => s.requires));
  services.forEach((s, i) => {
    s.requires = s.requires.filter((r) => !search.backEdges.has(edgeKey(i, r)));
  });
  return search.cycles.map((cycle) => {
    const first = services[cycle[0] as number] as ServiceNode;
    const names = [...cycle, cycle[0] as number].map((i) => label(services[i] as ServiceNode));
    return {
      host: first.host,
      service: first.name,
      message: `dependency cycle: ${names.join(' → ')}`,
      hint: 'remove one of these requires',
    };
  });
}

/** Chains within a service, then requires edges, then tier edges, for both directions. */
function serviceEdges(services: readonly ServiceNode[], edge: (from: number, to: number) => void): void {
  for (const s of services) {
    for (let k = 1; k < s.up.length; k++) edge(s.up[k - 1] as number, s.up[k] as number);
    if (s.stop !== undefined && s.disable !== undefined) edge(s.stop, s.disable);
  }
  const node = (i: number) => services[i] as ServiceNode;
  const upFirst = (s: ServiceNode): number => s.up[0] as number;
  const upLast = (s: ServiceNode): number => s.up[s.up.length - 1] as number;
  const stopOf = (s: ServiceNode): number => s.stop as number;
  const hasUp = (s: ServiceNode) => s.up.length > 0;
  const hasStop = (s: ServiceNode) => s.stop !== undefined;
  const upReq = requiresEdges(services, hasUp, (s) => s.want.state === 'running' && !hasStop(s));
  const downReq = requiresEdges(services, hasStop, (s) => s.want.state === 'stopped');
  // up: the required service first; down: the dependent first.
  for (const [dep, req] of upReq) edge(upLast(node(req)), upFirst(node(dep)));
  for (const [dep, req] of downReq) edge(stopOf(node(dep)), stopOf(node(req)));
  const rank = (s: ServiceNode): number => TIERS.indexOf(s.want.tier);
  const upPairs = upReq.map(([dep, req]): [number, number] => [req, dep]);
  tierEdges(services, upPairs, hasUp, rank, (a, b) => edge(upLast(a), upFirst(b)));
  const stopRank = (s: ServiceNode): number => TIERS.length - 1 - rank(s);
  tierEdges(services, downReq, hasStop, stopRank, (a, b) => edge(stopOf(a), stopOf(b)));
}

/** Direct predecessors and waves, then the steps and wave lists in their listed order. */
function layer(steps: readonly PendingStep[], preds: number[][]): Omit<Ordered, 'problems'> {
  const { after, wave } = reduceAndLayer(preds);
  const ordered: Step[] = steps.map((s, i) => ({
    ...s,
    after: (after[i] ?? []).map((p) => (steps[p] as PendingStep).id).sort(compareText),
    wave: wave[i] as number,
  }));
  ordered.sort((a, b) => a.wave - b.wave || compareSteps(a, b));
  const waves: string[][] = [];
  for (const s of ordered) {
    const list = waves[s.wave - 1];
    if (list) list.push(s.id);
    else waves[s.wave - 1] = [s.id];
  }
  return { steps: ordered, waves };
}

/** host, then the fixed kind order, then service: the order steps of one wave are listed in. */
export function compareSteps(a: PendingStep, b: PendingStep): number {
  return (
    compareText(a.host, b.host) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareText(a.service ?? '', b.service ?? '')
  );
}

function serviceNodes(desired: Desired): ServiceNode[] {
  const nodes: ServiceNode[] = [];
  for (const host of Object.keys(desired.hosts).sort(compareText)) {
    const services = desired.hosts[host]?.services ?? {};
    for (const name of Object.keys(services).sort(compareText)) {
      const want = services[name] as DesiredService;
      nodes.push({ host, name, want, requires: [], up: [] });
    }
  }
  const index = new Map(nodes.map((s, i) => [`${s.host}\u0000${s.name}`, i]));
  for (const s of nodes) {
    const found = s.want.requires
      .map((r) => index.get(`${r.host}\u0000${r.service}`))
      .filter((i): i is number => i !== undefined);
    s.requires = [...new Set(found)].sort((a, b) => a - b);
  }
  return nodes;
}

/**
 * [dependent, required] pairs between services that both have a step in one direction, following
 * requires through services that have none there and stay as they are (`passes`).
 */
function requiresEdges(
  services: readonly ServiceNode[],
  hasStep: (s: ServiceNode) => boolean,
  passes: (s: ServiceNode) => boolean,
): [number, number][] {
  const pairs: [number, number][] = [];
  services.forEach((s, dep) => {
    if (!hasStep(s)) return;
    const seen = new Set<number>();
    const todo = [...s.requires];
    while (todo.length > 0) {
      const r = todo.pop() as number;
      if (seen.has(r)) continue;
      seen.add(r);
      const node = services[r] as ServiceNode;
      if (hasStep(node)) pairs.push([dep, r]);
      else if (passes(node)) todo.push(...node.requires);
    }
  });
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * Tier edges between consecutive effective tiers (the complete order follows by transitivity).
 * `explicit` are [before, after] pairs; a service's effective tier is the highest among its own and
 * those of everything ordered before it, so every explicit edge goes to an equal or later tier.
 */
function tierEdges(
  services: readonly ServiceNode[],
  explicit: [number, number][],
  member: (s: ServiceNode) => boolean,
  rank: (s: ServiceNode) => number,
  edge: (before: ServiceNode, after: ServiceNode) => void,
): void {
  const members = services.map((_, i) => i).filter((i) => member(services[i] as ServiceNode));
  const position = new Map(members.map((m, k) => [m, k]));
  const preds: number[][] = members.map(() => []);
  for (const [b, a] of explicit) {
    const pa = position.get(a);
    const pb = position.get(b);
    if (pa !== undefined && pb !== undefined) preds[pa]?.push(pb);
  }
  const effective: number[] = members.map((m) => rank(services[m] as ServiceNode));
  for (const k of topologicalOrder(preds)) {
    for (const p of preds[k] ?? []) effective[k] = Math.max(effective[k] as number, effective[p] as number);
  }
  const classes = new Map<number, number[]>();
  members.forEach((m, k) => {
    pushTo(classes, effective[k] as number, m);
  });
  const levels = [...classes.keys()].sort((a, b) => a - b);
  for (let k = 1; k < levels.length; k++) {
    for (const b of classes.get(levels[k - 1] as number) ?? []) {
      for (const a of classes.get(levels[k] as number) ?? [])
        edge(services[b] as ServiceNode, services[a] as ServiceNode);
    }
  }
}

/** A service being stopped while a service that requires it is meant to keep running. */
function stoppedButRequired(services: readonly ServiceNode[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const dep of services) {
    if (dep.want.state !== 'running') continue;
    for (const r of dep.requires) {
      const req = services[r] as ServiceNode;
      if (req.stop === undefined) continue;
      problems.push({
        host: req.host,
        service: req.name,
        message: `${label(req)} will be stopped, but ${label(dep)} requires it and stays running`,
        warning: true,
        hint: `stop ${label(dep)} as well or drop the requires`,
      });
    }
  }
  return problems;
}

function pushTo<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
