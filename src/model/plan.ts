import type { HealthCheck, ManagerKind } from './desired.js';
import type { ObservedHost } from './observed.js';

export type StepKind =
  | 'start'
  | 'stop'
  | 'restart'
  | 'enable'
  | 'disable'
  | 'set-runlevel'
  | 'set-default-runlevel'
  /** Lift a mask (systemd) so the service can be enabled and started again. */
  | 'unmask'
  /** Keep a stopped service from being started by anything (`masked: true`). */
  | 'mask'
  /** Make the manager re-read definitions changed on disk (systemd daemon-reload), once per host. */
  | 'daemon-reload';

/** One change on one host. `commands` are argv lists that the executor quotes; never shell text. */
export interface Step {
  id: string; // "<host>/<kind>/<service or runlevel>", unique in a plan
  host: string;
  kind: StepKind;
  service?: string;
  manager?: ManagerKind;
  /** For runlevel steps: the runlevel/target to go to. */
  target?: string;
  reason: string; // "observed inactive, want running"
  commands: string[][];
  /** Steps (or barriers) that must finish (successfully) before this one starts. */
  after: string[];
  wave: number; // 1-based
  health?: HealthCheck;
  /** Set when the step depends on a host the plan could not observe: apply skips it, saying why. */
  blockedBy?: string;
  /**
   * Health gates of services this start requires that have no step of their own in the plan
   * (they already run): apply checks each again, on its own host, just before this step, and
   * skips the step (and its dependents) while one fails.
   */
  requiredGates?: RequiredGate[];
}

/** A required service's declared gate, checked again before its dependent starts. */
export interface RequiredGate {
  host: string;
  service: string;
  health: HealthCheck;
}

export interface PlanHost {
  /** sha256 of the canonical observed state of the host the plan was made from. */
  digest: string;
  unreachable?: string;
  /** The services observed on the host, so `apply --plan` observes exactly the same set again. */
  services: string[];
  /** restart.on_change paths per service, observed with them so the digest is comparable. */
  watches?: Record<string, string[]>;
  /** The observed state itself, so a stale plan can say what changed, not only that it did. */
  observed: ObservedHost;
}

/**
 * A point in the order that stands for many steps at once ("every start of tier database in stack
 * crm"), so N steps before M steps cost N + M `after` entries rather than N × M. It runs nothing:
 * it is reached when everything in its `after` succeeded, and a step waiting on it is skipped when
 * one of those did not. Ids start with "@" (step ids start with a host name).
 */
export interface Barrier {
  id: string;
  /** What it waits for, in words. */
  reason: string;
  after: string[];
}

/** Something the plan could not do on a host; steps that depend on it carry `blockedBy`. */
export interface PlanBlocked {
  host: string;
  service?: string;
  reason: string;
  hint?: string;
}

/** The plan is a value: saved as JSON, reviewed, and applied later (schemas/plan.schema.json). */
export interface Plan {
  version: 1;
  /**
   * A random id given when `runstate plan` makes the plan. Two plans with the same steps (the bed
   * reset to the same state, planned again) are still two plans: each may be applied once.
   */
  serial?: string;
  playbooks: string[];
  inventory: string[];
  hosts: Record<string, PlanHost>;
  steps: Step[];
  /** Step ids per wave, in order; steps of one wave may run concurrently (one per host at a time). */
  waves: string[][];
  /** Present when some `after` names one. Barriers belong to no wave. */
  barriers?: Barrier[];
  /** Stack name → its hosts, when the playbooks or inventory name a stack (else one stack). */
  stacks?: Record<string, string[]>;
  /** What could not be planned (masked, missing, no such manager), per host; absent when nothing. */
  blocked?: PlanBlocked[];
}
