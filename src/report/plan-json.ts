import type { HealthCheck } from '../model/desired.js';
import type { Plan, PlanBlocked, PlanHost, Step } from '../model/plan.js';
import { byText } from './plan-summary.js';

/**
 * The plan as saved and reviewed: 2-space JSON with a trailing newline. Keys are written in one fixed
 * order whatever order the value was built or parsed in, so equal plans are equal bytes.
 */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(canonicalPlan(plan), null, 2)}\n`;
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
      observed: sortKeysDeep(h.observed),
    };
  }
  return {
    version: plan.version,
    ...(plan.serial !== undefined ? { serial: plan.serial } : {}),
    playbooks: [...plan.playbooks],
    inventory: [...plan.inventory],
    hosts,
    steps: plan.steps.map(canonicalStep),
    waves: plan.waves.map((w) => [...w]),
    ...(plan.barriers !== undefined
      ? { barriers: plan.barriers.map((b) => ({ id: b.id, reason: b.reason, after: [...b.after] })) }
      : {}),
    ...(plan.stacks !== undefined ? { stacks: sortKeysDeep(plan.stacks) } : {}),
    ...(plan.blocked !== undefined ? { blocked: plan.blocked.map(canonicalBlocked) } : {}),
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

function canonicalStep(s: Step): Step {
  return {
    id: s.id,
    host: s.host,
    kind: s.kind,
    ...(s.service !== undefined ? { service: s.service } : {}),
    ...(s.manager !== undefined ? { manager: s.manager } : {}),
    ...(s.target !== undefined ? { target: s.target } : {}),
    reason: s.reason,
    commands: s.commands.map((argv) => [...argv]),
    after: [...s.after],
    wave: s.wave,
    ...(s.health !== undefined ? { health: canonicalHealth(s.health) } : {}),
    ...(s.blockedBy !== undefined ? { blockedBy: s.blockedBy } : {}),
    ...(s.requiredGates !== undefined
      ? {
          requiredGates: s.requiredGates.map((g) => ({
            host: g.host,
            service: g.service,
            health: canonicalHealth(g.health),
          })),
        }
      : {}),
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
