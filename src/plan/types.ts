import type { ChangeRequest } from '../drivers/driver.js';
import type { ManagerKnowledge } from '../drivers/index.js';
import type { Desired, HealthCheck, ManagerKind } from '../model/desired.js';
import type { ObservedService, ObservedSnapshot } from '../model/observed.js';
import type { Plan, Step, StepChange, StepKind } from '../model/plan.js';

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
  /** Optional: overrides how runlevels compare (default: the drivers' knowledge). */
  observedRunlevelFor?: ObservedRunlevelFor;
  /** Optional: what managers can do and how they say it (default: the drivers'). */
  knowledge?: ManagerKnowledge;
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

export type { ManagerKnowledge } from '../drivers/index.js';

/**
 * The manager-specific knowledge the diff may be given. The planner names no manager: without
 * hooks it asks the drivers (DRIVER_KNOWLEDGE), which are pure.
 */
export interface DiffHooks {
  observedRunlevelFor?: ObservedRunlevelFor;
  knowledge?: ManagerKnowledge;
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
  change?: StepChange;
  health?: HealthCheck;
  /** Passed on to the drivers with the change; absent when observe reported none of it. */
  observed?: ObservedAddress;
  /** restart.on_change files: a start or restart also records their checksum on the host. */
  watchPaths?: string[];
  /** A user unit (or that user's daemon-reload): acted on in this login's own manager. */
  user?: { name: string; uid: number };
}

/** A step with its commands but not yet ordered. */
export type PendingStep = Omit<Step, 'after' | 'wave'>;

/**
 * The `after` of every step that waits for nothing, and the placeholder until orderSteps sets it:
 * one frozen array, not one per step (half the steps of a fleet-wide plan, the enables, wait for
 * nothing, and every placeholder lived until ordering, each copied by the scavenges on the way).
 */
export const NO_AFTER: string[] = Object.freeze([]) as unknown as string[];

/**
 * The order steps of one host run in inside one wave (the wave's listed order): a reload of the
 * manager's definitions first (everything after acts on what is on disk), runlevel, then stops
 * before starts so a replaced service frees its port before its successor starts; a mask follows
 * its stop, an unmask comes before the enable and start it makes possible.
 */
export const KIND_ORDER: Record<StepKind, number> = {
  'daemon-reload': 0,
  'set-runlevel': 1,
  'set-default-runlevel': 2,
  stop: 3,
  mask: 4,
  disable: 5,
  unmask: 6,
  enable: 7,
  start: 8,
  restart: 9,
};

/** Host-wide steps that are not about a runlevel: the subject in their id is the manager. */
const HOST_KINDS = new Set<StepKind>(['daemon-reload']);

/**
 * `<host>/<kind>/<service>`, `<host>/<kind>/runlevel` or, for a host-wide step such as a reload,
 * `<host>/<kind>/<manager>`: unique in a plan.
 */
export function stepId(host: string, kind: StepKind, service: string | undefined, manager?: string): string {
  const subject = service ?? (HOST_KINDS.has(kind) && manager ? manager : 'runlevel');
  return `${host}/${kind}/${subject}`;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
