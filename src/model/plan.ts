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
  /** A user unit's login: the commands act in that user's own manager (`systemctl --user`). */
  user?: string;
  /** For runlevel steps: the runlevel/target to go to. */
  target?: string;
  reason: string; // "observed inactive, want running"
  /** The same as data: which field changes, from what to what (Terraform's Before/After). */
  change?: StepChange;
  commands: string[][];
  /** Steps (or barriers) that must finish (successfully) before this one starts. */
  after: string[];
  wave: number; // 1-based
  health?: HealthCheck;
  /** Set when the step depends on a host the plan could not observe: apply skips it, saying why. */
  blockedBy?: string;
  /**
   * Ids of `plan.gates`: the health gates of services this start requires that have no step of
   * their own in the plan (they already run). Apply checks each again, on its own host, just before
   * this step, and skips the step (and its dependents) while one fails. A reference, not a copy:
   * `requires: [all:db]` on every host of a fleet is one gate set, not N copies of N gates.
   */
  requiredGates?: string[];
}

/**
 * The gates of one requirement (`db1:pg`, or a whole `all:db`) that steps check before they start,
 * listed once per plan like a barrier. Ids end in "/gates" ("@all:db/gates" for a group).
 */
export interface GateSet {
  id: string;
  /** The requirement the gates belong to, in `host:service` or `group:service` notation. */
  requirement: string;
  gates: RequiredGate[];
}

/** What a step changes: `state` inactive → running, `enabled` disabled → enabled, … */
export interface StepChange {
  field: 'state' | 'enabled' | 'runlevel' | 'boot_default' | 'watched_files' | 'definitions';
  /** The observed value; null when it could not be observed. */
  before: string | null;
  after: string;
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
  /** Declared user units (service → login), observed in those users' managers, as the plan did. */
  users?: Record<string, string>;
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
  /**
   * Set on the barrier that closes one batch of a rolling operation: the next batch waits for it.
   * It passes while at most `maxFailures` steps of this batch and the batches before failed, and
   * then waits `pauseSec` before letting the next batch go (never in a dry run).
   */
  roll?: RollBarrier;
}

export interface RollBarrier {
  /** "group:service" (or "host:service" rolled on its own): what is rolled. */
  what: string;
  /** 1-based batch this barrier closes, and how many batches the roll has. */
  batch: number;
  of: number;
  pauseSec: number;
  maxFailures: number;
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
  /** Present when some step's `requiredGates` names one; sorted by id. */
  gates?: GateSet[];
  /** Stack name → its hosts, when the playbooks or inventory name a stack (else one stack). */
  stacks?: Record<string, string[]>;
  /** What could not be planned (masked, missing, no such manager), per host; absent when nothing. */
  blocked?: PlanBlocked[];
  /** What the planner warned about (left alone, but worth a reviewer's eye); absent when nothing. */
  warnings?: PlanBlocked[];
  /** Which runstate made the plan, and when; outside the digest (a rebuilt plan has another time). */
  made?: { by: 'runstate'; version: string; at: string };
}

/** plan.gates by id, for whoever reads `requiredGates` (renderers, executor, checks). */
export function gateSets(plan: Pick<Plan, 'gates'>): Map<string, GateSet> {
  return new Map((plan.gates ?? []).map((g) => [g.id, g]));
}

/** The gates a step checks first, in order, each once (sets of two requirements may overlap). */
export function gatesOfStep(step: Step, sets: ReadonlyMap<string, GateSet>): RequiredGate[] {
  const ids = step.requiredGates ?? [];
  if (ids.length === 1) return sets.get(ids[0] as string)?.gates ?? [];
  const out: RequiredGate[] = [];
  const seen = new Set<string>();
  for (const id of ids)
    for (const g of sets.get(id)?.gates ?? []) {
      const k = `${g.host}\u0000${g.service}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(g);
    }
  return out;
}
