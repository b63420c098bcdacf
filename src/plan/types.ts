import type { ChangeRequest } from '../drivers/driver.js';
import type { Desired, HealthCheck, ManagerKind } from '../model/desired.js';
import type { ObservedService, ObservedSnapshot } from '../model/observed.js';
import type { Plan, Step, StepKind } from '../model/plan.js';

/** Injected by the caller so the planner never learns a manager's commands (drivers do). */
export type CommandsFor = (host: string, manager: ManagerKind, change: ChangeRequest) => string[][];

/** Why a manager cannot make a change (supervisord enable, OpenRC boot default), or undefined. */
export type UnsupportedFor = (
  host: string,
  manager: ManagerKind,
  change: ChangeRequest,
) => string | undefined;

/** How observe reports a runlevel/target under `manager` once the host is in it ("3" → "default"). */
export type ObservedRunlevelFor = (manager: ManagerKind, target: string) => string;

export interface PlanInput {
  desired: Desired;
  observed: ObservedSnapshot;
  inventoryFiles: string[];
  commandsFor: CommandsFor;
  /** Optional: without it a change for which commandsFor returns no command is the problem. */
  unsupportedFor?: UnsupportedFor;
  /** Optional: without it systemd levels compare as their targets and other managers' verbatim. */
  observedRunlevelFor?: ObservedRunlevelFor;
  /** With --limit: what the planned services require on hosts outside it (never planned). */
  outside?: OutsideLimit;
}

/**
 * Hosts outside `--limit` that planned services require: their desired services (for the gates)
 * and their observed state (just the required services), so a start can check what it relies on.
 */
export interface OutsideLimit {
  desired: Desired;
  observed: ObservedSnapshot;
  /** Why these hosts are not planned, for messages; default "outside --limit". */
  why?: { label: string; hint: string };
}

/** The manager-specific knowledge the diff may be given (drivers have it; the planner does not). */
export interface DiffHooks {
  observedRunlevelFor?: ObservedRunlevelFor;
}

/** What observe found that drivers need to address a service (unit id, sysv tool, runlevels). */
export type ObservedAddress = Pick<ObservedService, 'unit' | 'tool' | 'runlevels' | 'crashed'>;

/**
 * Something the planner cannot turn into a step (masked, missing, no such manager). The plan is
 * still built without it: the problem is recorded in `plan.blocked` and blocks only what depends
 * on it; only a `wholeRun` problem (bad input) refuses the run.
 */
export interface PlanProblem {
  host: string;
  service?: string;
  message: string;
  hint?: string;
  /** A warning is printed but does not stop the plan from being applied. */
  warning?: boolean;
  /** What it keeps from happening, so dependents are blocked: the service coming up, or going down. */
  prevents?: 'up' | 'down';
  /** The input itself is wrong (a dependency cycle): nothing is applied anywhere. */
  wholeRun?: boolean;
}

export interface PlanResult {
  plan: Plan;
  problems: PlanProblem[];
}

/** One difference between desired and observed on one host, before ordering and commands. */
export interface Change {
  host: string;
  kind: StepKind;
  service?: string;
  /** Resolved: the desired manager, else the observed service's, else the host's init. */
  manager: ManagerKind;
  /** For runlevel changes: the level ("3"), systemd target or OpenRC runlevel to go to. */
  target?: string;
  reason: string;
  health?: HealthCheck;
  /** Passed on to the drivers with the change; absent when observe reported none of it. */
  observed?: ObservedAddress;
  /** restart.on_change files: a start or restart also records their checksum on the host. */
  watchPaths?: string[];
}

/** A step with its commands but not yet ordered. */
export type PendingStep = Omit<Step, 'after' | 'wave'>;

/**
 * The order steps of one host run in inside one wave (the wave's listed order): runlevel first, then
 * stops before starts so a replaced service frees its port before its successor starts.
 */
export const KIND_ORDER: Record<StepKind, number> = {
  'set-runlevel': 0,
  'set-default-runlevel': 1,
  stop: 2,
  disable: 3,
  enable: 4,
  start: 5,
  restart: 6,
};

/** `<host>/<kind>/<service or "runlevel">`, unique in a plan. */
export function stepId(host: string, kind: StepKind, service: string | undefined): string {
  return `${host}/${kind}/${service ?? 'runlevel'}`;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
