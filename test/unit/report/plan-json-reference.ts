// The plan JSON renderer as it was before it wrote in pieces (session 4, src/report/plan-json.ts at
// aee03a2): a canonical copy of the plan, then one JSON.stringify. Kept as the oracle the piecewise
// writer is compared with, byte for byte (plan-json-pieces.test.ts).
import type { HealthCheck } from '../../../src/model/desired.js';
import type { Plan, PlanBlocked, PlanHost, Step } from '../../../src/model/plan.js';
import { byText } from '../../../src/report/plan-summary.js';

/**
 * The plan as saved and reviewed: 2-space JSON with a trailing newline. Keys are written in one fixed
 * order whatever order the value was built or parsed in, so equal plans are equal bytes.
 */
export function referencePlanJson(plan: Plan): string {
  return renderPlanJsonPieces(plan).join('');
}

/**
 * The same text as renderPlanJson in two pieces, the JSON and its newline, to be written one after
 * the other: appending the newline to a 250 MB string (10,000 hosts) makes V8 copy all of it.
 */
function renderPlanJsonPieces(plan: Plan): [json: string, newline: string] {
  return [JSON.stringify(canonicalPlan(plan), null, 2), '\n'];
}

function canonicalPlan(plan: Plan): Plan {
  const hosts: Record<string, PlanHost> = {};
  for (const name of Object.keys(plan.hosts).sort(byText)) {
    const h = plan.hosts[name] as PlanHost;
    hosts[name] = {
      digest: h.digest,
      ...(h.unreachable !== undefined ? { unreachable: h.unreachable } : {}),
      services: [...h.services],
      ...(h.watches !== undefined ? { watches: sortKeysDeep(h.watches) } : {}),
      ...(h.users !== undefined ? { users: sortKeysDeep(h.users) } : {}),
      observed: sortedDeep(h.observed) ? h.observed : sortKeysDeep(h.observed),
    };
  }
  return {
    version: plan.version,
    ...(plan.serial !== undefined ? { serial: plan.serial } : {}),
    ...(plan.made !== undefined
      ? { made: { by: plan.made.by, version: plan.made.version, at: plan.made.at } }
      : {}),
    playbooks: [...plan.playbooks],
    inventory: [...plan.inventory],
    hosts,
    steps: plan.steps.map((s) => (isCanonicalStep(s) ? s : canonicalStep(s))),
    waves: plan.waves,
    ...(plan.barriers !== undefined
      ? { barriers: plan.barriers.map((b) => ({ id: b.id, reason: b.reason, after: [...b.after] })) }
      : {}),
    ...(plan.gates !== undefined
      ? {
          gates: plan.gates.map((set) => ({
            id: set.id,
            requirement: set.requirement,
            gates: set.gates.map((g) => ({
              host: g.host,
              service: g.service,
              health: canonicalHealth(g.health),
            })),
          })),
        }
      : {}),
    ...(plan.stacks !== undefined ? { stacks: sortKeysDeep(plan.stacks) } : {}),
    ...(plan.blocked !== undefined ? { blocked: plan.blocked.map(canonicalBlocked) } : {}),
    ...(plan.warnings !== undefined ? { warnings: plan.warnings.map(canonicalBlocked) } : {}),
  };
}

function canonicalBlocked(b: PlanBlocked): PlanBlocked {
  return {
    host: b.host,
    ...(b.service !== undefined ? { service: b.service } : {}),
    reason: b.reason,
    ...(b.hint !== undefined ? { hint: b.hint } : {}),
  };
}

/*
 * Copying every step and observed state only to fix its key order was a third of the time of
 * rendering a 40,000-step plan, and doubled its memory. The planner builds its objects in the order
 * written here, so they are checked (no allocation) and written as they are; anything else (a plan
 * read from a file, built by the SDK, with a key more or in another order) is copied as before.
 * Either way the bytes are the same: an array's order is its own, and JSON.stringify drops what
 * the copy would have dropped (undefined values) or the check refuses (any key not listed).
 */
const STEP_KEYS = [
  'id',
  'host',
  'kind',
  'service',
  'manager',
  'user',
  'target',
  'reason',
  'change',
  'commands',
  'after',
  'wave',
  'health',
  'blockedBy',
  'requiredGates',
] as const;
const CHANGE_KEYS = ['field', 'before', 'after'] as const;
const HEALTH_KEYS: Record<HealthCheck['kind'], readonly string[]> = {
  tcp: ['kind', 'port', 'host', 'timeoutSec'],
  http: ['kind', 'url', 'timeoutSec'],
  command: ['kind', 'argv', 'timeoutSec'],
};

/** Own keys are a subsequence of `order` (optional keys may be missing), nothing else. */
function inOrder(value: object, order: readonly string[]): boolean {
  let at = 0;
  for (const key in value) {
    while (at < order.length && order[at] !== key) at++;
    if (at === order.length) return false;
    at++;
  }
  return true;
}

function isCanonicalStep(s: Step): boolean {
  if (Object.getPrototypeOf(s) !== Object.prototype || !inOrder(s, STEP_KEYS)) return false;
  if (s.change !== undefined && !inOrder(s.change, CHANGE_KEYS)) return false;
  if (s.health !== undefined) {
    const keys = HEALTH_KEYS[s.health.kind];
    if (keys === undefined || !inOrder(s.health, keys)) return false;
  }
  return true;
}

/** Every object in `value` has its own keys in byText order already (what sortKeysDeep makes). */
function sortedDeep(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const v of value) if (!sortedDeep(v)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let previous: string | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (previous !== undefined && byText(previous, key) >= 0) return false;
    if (!sortedDeep(record[key])) return false;
    previous = key;
  }
  return true;
}

function canonicalStep(s: Step): Step {
  return {
    id: s.id,
    host: s.host,
    kind: s.kind,
    ...(s.service !== undefined ? { service: s.service } : {}),
    ...(s.manager !== undefined ? { manager: s.manager } : {}),
    ...(s.user !== undefined ? { user: s.user } : {}),
    ...(s.target !== undefined ? { target: s.target } : {}),
    reason: s.reason,
    ...(s.change !== undefined
      ? { change: { field: s.change.field, before: s.change.before, after: s.change.after } }
      : {}),
    commands: s.commands.map((argv) => [...argv]),
    after: [...s.after],
    wave: s.wave,
    ...(s.health !== undefined ? { health: canonicalHealth(s.health) } : {}),
    ...(s.blockedBy !== undefined ? { blockedBy: s.blockedBy } : {}),
    ...(s.requiredGates !== undefined ? { requiredGates: [...s.requiredGates] } : {}),
  };
}

function canonicalHealth(h: HealthCheck): HealthCheck {
  switch (h.kind) {
    case 'tcp':
      return { kind: 'tcp', port: h.port, host: h.host, timeoutSec: h.timeoutSec };
    case 'http':
      return { kind: 'http', url: h.url, timeoutSec: h.timeoutSec };
    case 'command':
      return { kind: 'command', argv: [...h.argv], timeoutSec: h.timeoutSec };
  }
}

/** Observed states come from several parsers; sorting their keys keeps equal plans equal bytes. */
function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => byText(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)])) as T;
}
