import type { ChangeRequest } from '../drivers/driver.js';
import { DEFAULT_STACK, type Desired, type DesiredHost } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { ObservedHost } from '../model/observed.js';
import type { Plan, PlanBlocked, PlanHost, Step } from '../model/plan.js';
import { recordWatchCommand } from '../observe/watch.js';
import { type Blockers, markBlocked } from './blocked.js';
import { diffHostDetailed } from './diff.js';
import { hostDigest, scopeToServices } from './digest.js';
import { orderSteps } from './order.js';
import { gateRequirements } from './requirements.js';
import {
  type Change,
  compareText,
  NO_AFTER,
  type PlanInput,
  type PlanProblem,
  type PlanResult,
  stepId,
} from './types.js';

/** A desired host the observer did not report on (e.g. left out by --limit) counts as unreachable. */
const NOT_OBSERVED = 'not observed';

/** diff every reachable desired host, attach the drivers' commands, order the steps into waves. */
export function buildPlan(input: PlanInput): PlanResult {
  const { desired, observed } = input;
  const names = [...new Set([...Object.keys(desired.hosts), ...Object.keys(observed.hosts)])].sort(
    compareText,
  );
  const hosts: Record<string, PlanHost> = {};
  const problems: PlanProblem[] = [];
  // Changes a driver has no command for: listed after every host's diff problems, as they always were.
  const uncommanded: PlanProblem[] = [];
  const made: Step[] = [];
  const hooks = {
    ...(input.observedRunlevelFor ? { observedRunlevelFor: input.observedRunlevelFor } : {}),
    ...(input.knowledge ? { knowledge: input.knowledge } : {}),
  };

  for (const name of names) {
    const want = desired.hosts[name];
    const services = Object.keys(want?.services ?? {}).sort(compareText);
    const reported: ObservedHost = observed.hosts[name] ?? {
      status: 'unreachable',
      host: name,
      reason: NOT_OBSERVED,
    };
    const seen = want ? scopeToServices(reported, services) : reported;
    hosts[name] = {
      digest: hostDigest(seen),
      ...(seen.status === 'unreachable' ? { unreachable: seen.reason } : {}),
      services,
      ...watchesOf(want),
      ...usersOf(want),
      observed: seen,
    };
    if (!want || seen.status !== 'ok') continue;
    const diff = diffHostDetailed(want, seen, hooks);
    problems.push(...diff.problems);
    // Each host's changes become steps right away: a change lives only until its step is made.
    for (const c of diff.changes) {
      const step = stepOrProblem(c, input);
      if ('problem' in step) uncommanded.push(step.problem);
      else made.push(step);
    }
  }
  problems.push(...uncommanded);

  const ordered = orderSteps(made, desired);
  problems.push(...ordered.problems);
  const unreachable = new Set(
    Object.entries(hosts)
      .filter(([, h]) => h.unreachable !== undefined)
      .map(([name]) => name),
  );
  const blocked = problems.filter((p) => !p.warning && !p.wholeRun);
  const gated = gateRequirements(
    markBlocked(ordered.steps, desired, { unreachable, ...blockersOf(blocked) }),
    desired,
    input.outside,
  );
  problems.push(...gated.problems);
  problems.sort(compareProblems);
  const plan: Plan = {
    version: 1,
    playbooks: [...desired.playbooks],
    inventory: [...input.inventoryFiles],
    hosts,
    steps: gated.steps,
    waves: ordered.waves,
    ...(ordered.barriers.length > 0 ? { barriers: ordered.barriers } : {}),
    ...(gated.gates.length > 0 ? { gates: gated.gates } : {}),
    ...stacksOf(desired),
    ...(blocked.length > 0 ? { blocked: blocked.map(toBlocked) } : {}),
  };
  return { plan, problems };
}

/** The step for a change, with the drivers' commands; a problem when they have none for it. */
function stepOrProblem(c: Change, input: PlanInput): Step | { problem: PlanProblem } {
  const request = requestOf(c);
  const why = input.unsupportedFor?.(c.host, c.manager, request);
  let commands = why === undefined ? input.commandsFor(c.host, c.manager, request) : [];
  if (commands.length > 0 && c.service && c.watchPaths && (c.kind === 'start' || c.kind === 'restart')) {
    // a copy: a driver may hand out one frozen list for every step alike
    commands = [...commands, recordWatchCommand(c.service, c.watchPaths)];
  }
  if (commands.length > 0) return stepOf(c, commands);
  // A step without commands would be reported as done without anything having happened.
  return {
    problem: {
      host: c.host,
      ...(c.service !== undefined ? { service: c.service } : {}),
      message: `cannot ${c.kind} ${c.service ?? c.target} on ${c.host} with ${c.manager} (${c.reason})`,
      hint: why ?? `${c.manager} has no command for it`,
      ...(c.kind === 'start' || c.kind === 'restart' ? { prevents: 'up' as const } : {}),
      ...(c.kind === 'stop' ? { prevents: 'down' as const } : {}),
    },
  };
}

/*
 * The request and the step are written field by field rather than with conditional spreads: at
 * 400,000 steps each `...(x ? { x } : {})` was a temporary object and a copy (docs/performance.md).
 */
function requestOf(c: Change): ChangeRequest {
  const request: ChangeRequest = { kind: c.kind };
  if (c.service !== undefined) request.service = c.service;
  if (c.target !== undefined) request.target = c.target;
  if (c.observed !== undefined) request.observed = c.observed;
  if (c.user !== undefined) request.user = c.user;
  return request;
}

/**
 * The one object a step is: its keys in the order the plan is written in (src/report/plan-json.ts),
 * so the renderer writes it as it is; `after` and `wave` are filled in by orderSteps.
 */
function stepOf(c: Change, commands: string[][]): Step {
  const step = {
    id: stepId(c.host, c.kind, c.service, c.user ? `${c.manager}-user-${c.user.name}` : c.manager),
    host: c.host,
    kind: c.kind,
  } as Step;
  if (c.service !== undefined) step.service = c.service;
  step.manager = c.manager;
  if (c.user !== undefined) step.user = c.user.name;
  if (c.target !== undefined) step.target = c.target;
  step.reason = c.reason;
  if (c.change) step.change = c.change;
  step.commands = commands;
  step.after = NO_AFTER;
  step.wave = 0;
  if (c.health) step.health = c.health;
  return step;
}

/** Host problems block the host; service problems block what needs that service up (or down). */
function blockersOf(problems: readonly PlanProblem[]): Omit<Blockers, 'unreachable'> {
  const hosts = new Map<string, string>();
  const cannotStart = new Map<string, string>();
  const cannotStop = new Map<string, string>();
  for (const p of problems) {
    if (p.service === undefined) {
      if (!hosts.has(p.host)) hosts.set(p.host, p.message);
      continue;
    }
    const into = p.prevents === 'up' ? cannotStart : p.prevents === 'down' ? cannotStop : undefined;
    const key = serviceOnHost(p.host, p.service);
    if (into && !into.has(key)) into.set(key, p.message);
  }
  return { hosts, cannotStart, cannotStop };
}

function toBlocked(p: PlanProblem): PlanBlocked {
  return {
    host: p.host,
    ...(p.service !== undefined ? { service: p.service } : {}),
    reason: p.message,
    ...(p.hint !== undefined ? { hint: p.hint } : {}),
  };
}

/** Stack → hosts, only when some host names a stack (one stack otherwise: nothing to show). */
function stacksOf(desired: Desired): { stacks?: Record<string, string[]> } {
  const hosts = Object.values(desired.hosts);
  if (!hosts.some((h) => h.stack !== undefined)) return {};
  const stacks: Record<string, string[]> = {};
  for (const h of hosts.sort((a, b) => compareText(a.host, b.host))) {
    const name = h.stack ?? DEFAULT_STACK;
    const list = stacks[name];
    if (list) list.push(h.host);
    else stacks[name] = [h.host];
  }
  return { stacks: Object.fromEntries(Object.entries(stacks).sort(([a], [b]) => compareText(a, b))) };
}

function compareProblems(a: PlanProblem, b: PlanProblem): number {
  return (
    compareText(a.host, b.host) ||
    compareText(a.service ?? '', b.service ?? '') ||
    compareText(a.message, b.message)
  );
}

function watchesOf(want: DesiredHost | undefined): { watches?: Record<string, string[]> } {
  const entries = Object.values(want?.services ?? {})
    .filter((s) => (s.restart?.onChange.length ?? 0) > 0)
    .map((s): [string, string[]] => [s.name, [...(s.restart?.onChange ?? [])]])
    .sort(([a], [b]) => compareText(a, b));
  return entries.length > 0 ? { watches: Object.fromEntries(entries) } : {};
}

/** Declared user units (service → login), so `apply --plan` observes them in the same managers. */
function usersOf(want: DesiredHost | undefined): { users?: Record<string, string> } {
  const entries = Object.values(want?.services ?? {})
    .filter((s) => s.user !== undefined)
    .map((s): [string, string] => [s.name, s.user as string])
    .sort(([a], [b]) => compareText(a, b));
  return entries.length > 0 ? { users: Object.fromEntries(entries) } : {};
}
