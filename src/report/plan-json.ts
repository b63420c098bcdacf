import type { HealthCheck } from '../model/desired.js';
import type { Plan, PlanBlocked, PlanHost, Step } from '../model/plan.js';
import { byText } from './plan-summary.js';

/**
 * The plan as saved and reviewed: 2-space JSON with a trailing newline. Keys are written in one fixed
 * order whatever order the value was built or parsed in, so equal plans are equal bytes.
 */
export function renderPlanJson(plan: Plan): string {
  return [...planJsonChunks(plan)].join('');
}

/**
 * The same bytes as renderPlanJson, in pieces of about `size` characters: a 400,000-step plan is
 * written without ever holding it as one 200 MB string (and its UTF-8 copy) in memory. Steps and
 * hosts are made canonical one at a time, as they are written.
 */
export function* planJsonChunks(plan: Plan, size = 1 << 20): Generator<string> {
  const head = canonicalPlan({ ...plan, hosts: {}, steps: [] });
  let buf = '{';
  let firstKey = true;
  const nested = (v: unknown, indent: string) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`);
  for (const [key, value] of Object.entries(head)) {
    buf += `${firstKey ? '' : ','}\n  ${JSON.stringify(key)}: `;
    firstKey = false;
    if (key === 'hosts' || key === 'steps') {
      const items: [string | undefined, () => unknown][] =
        key === 'hosts'
          ? Object.keys(plan.hosts)
              .sort(byText)
              .map((name) => [name, () => canonicalHost(plan.hosts[name] as PlanHost)])
          : plan.steps.map((step) => [undefined, () => canonicalStep(step)]);
      const [open, close] = key === 'hosts' ? ['{', '}'] : ['[', ']'];
      if (items.length === 0) {
        buf += `${open}${close}`;
        continue;
      }
      buf += open;
      for (let i = 0; i < items.length; i++) {
        const [name, make] = items[i] as [string | undefined, () => unknown];
        buf += `${i > 0 ? ',' : ''}\n    ${name !== undefined ? `${JSON.stringify(name)}: ` : ''}${nested(make(), '    ')}`;
        if (buf.length >= size) {
          yield buf;
          buf = '';
        }
      }
      buf += `\n  ${close}`;
      continue;
    }
    buf += nested(value, '  ');
  }
  buf += '\n}\n';
  yield buf;
}

function canonicalHost(h: PlanHost): PlanHost {
  return {
    digest: h.digest,
    ...(h.unreachable !== undefined ? { unreachable: h.unreachable } : {}),
    services: [...h.services],
    ...(h.watches !== undefined ? { watches: sortKeysDeep(h.watches) } : {}),
    observed: sortKeysDeep(h.observed),
  };
}

function canonicalPlan(plan: Plan): Plan {
  const hosts: Record<string, PlanHost> = {};
  for (const name of Object.keys(plan.hosts).sort(byText))
    hosts[name] = canonicalHost(plan.hosts[name] as PlanHost);
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
