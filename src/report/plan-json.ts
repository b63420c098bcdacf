import type { HealthCheck } from '../model/desired.js';
import type { Barrier, GateSet, Plan, PlanBlocked, PlanHost, Step } from '../model/plan.js';
import { insertionOrder, json, newline, sortedJson, sortedKeys, stringList } from './json-text.js';
import { byText } from './plan-summary.js';

/**
 * The plan as saved and reviewed: 2-space JSON with a trailing newline. Keys are written in one fixed
 * order whatever order the value was built or parsed in, so equal plans are equal bytes.
 */
export function renderPlanJson(plan: Plan): string {
  return [...planJsonPieces(plan)].join('');
}

/**
 * renderPlanJson's text in pieces of about `size` characters (the last one ends with the newline),
 * made as they are asked for: a 10,000-host plan is 250 MB of text, which as one string (and once
 * more as the UTF-8 copy a write makes of it) was a third of planning such a fleet and most of its
 * memory. Only what one host or one step adds is written between two checks of the size.
 */
export function* planJsonPieces(plan: Plan, size = 1 << 16): Generator<string, void, undefined> {
  let out = '{';
  let sep = newline(1);
  const field = (key: string, text: string | undefined): void => {
    if (text === undefined) return;
    out += `${sep}"${key}": ${text}`;
    sep = `,${newline(1)}`;
  };
  field('version', json(plan.version, 1));
  field('serial', json(plan.serial, 1));
  if (plan.made !== undefined) {
    const { by, version, at } = plan.made;
    field('made', json({ by, version, at }, 1));
  }
  field('playbooks', stringList([...plan.playbooks], 1));
  field('inventory', stringList([...plan.inventory], 1));

  // The order the hosts of a sorted copy would be listed in (as the plan was written before).
  const names = insertionOrder(Object.keys(plan.hosts).sort(byText));
  out += `${sep}"hosts": ${names.length === 0 ? '{}' : '{'}`;
  sep = `,${newline(1)}`;
  for (const text of batches(names.length, size, (from, to) => hostsJson(plan.hosts, names, from, to))) {
    out += text;
    if (out.length >= size) {
      yield out;
      out = '';
    }
  }
  if (names.length > 0) out += `${newline(1)}}`;

  out += `${sep}"steps": ${plan.steps.length === 0 ? '[]' : '['}`;
  for (const text of batches(plan.steps.length, size, (from, to) => stepsJson(plan.steps, from, to))) {
    out += text;
    if (out.length >= size) {
      yield out;
      out = '';
    }
  }
  if (plan.steps.length > 0) out += `${newline(1)}]`;

  // As written before: any value is written as it is, a wave list being the usual one.
  const { waves } = plan;
  if (!Array.isArray(waves) || Object.getPrototypeOf(waves) !== Array.prototype)
    field('waves', json(waves, 1));
  else {
    out += `${sep}"waves": ${waves.length === 0 ? '[]' : '['}`;
    for (let i = 0; i < waves.length; i++) {
      const wave = waves[i];
      const text = Array.isArray(wave) ? stringList(wave, 2) : (json(wave, 2) ?? 'null');
      out += `${i === 0 ? newline(2) : `,${newline(2)}`}${text}`;
      if (out.length >= size) {
        yield out;
        out = '';
      }
    }
    if (waves.length > 0) out += `${newline(1)}]`;
  }

  if (plan.barriers !== undefined) {
    out += `${sep}"barriers": ${plan.barriers.length === 0 ? '[]' : '['}`;
    for (let i = 0; i < plan.barriers.length; i++) {
      out += `${i === 0 ? newline(2) : `,${newline(2)}`}${barrierJson(plan.barriers[i] as Barrier)}`;
      if (out.length >= size) {
        yield out;
        out = '';
      }
    }
    if (plan.barriers.length > 0) out += `${newline(1)}]`;
  }
  if (plan.gates !== undefined) field('gates', json(plan.gates.map(canonicalGateSet), 1));
  if (plan.stacks !== undefined) field('stacks', sortedJson(plan.stacks, 1));
  if (plan.blocked !== undefined) field('blocked', json(plan.blocked.map(canonicalBlocked), 1));
  if (plan.warnings !== undefined) field('warnings', json(plan.warnings.map(canonicalBlocked), 1));
  yield `${out}\n}\n`;
}

/**
 * Hosts and steps are written in batches by JSON.stringify (native: one flat string per batch, no
 * JIT warm-up, a fraction of the garbage of building the text from small strings), as many to a
 * batch as made about `size` characters in the batch before. `render(from, to)` writes items
 * from..to, each after its newline; the batches after the first start with the comma between.
 */
function* batches(
  count: number,
  size: number,
  render: (from: number, to: number) => string,
): Generator<string, void, undefined> {
  let perBatch = 1;
  for (let from = 0; from < count; ) {
    const to = Math.min(count, from + perBatch);
    const text = render(from, to);
    yield from === 0 ? text : `,${text}`;
    perBatch = Math.max(1, Math.floor((size * (to - from)) / Math.max(1, text.length)));
    from = to;
  }
}

// JSON.stringify({ h: { name: host, … } }, null, 2) puts the hosts 2 levels deep, as the plan has them.
const HOSTS_OPEN = '{\n  "h": {'.length;
const HOSTS_CLOSE = '\n  }\n}'.length;

/**
 * Hosts names[from..to] as the plan lists them, each after `\n    ` and separated by commas. An
 * object's keys come out array-index names first, as `names` (insertionOrder) has them already.
 */
function hostsJson(
  hosts: Readonly<Record<string, PlanHost>>,
  names: readonly string[],
  from: number,
  to: number,
): string {
  const batch: Record<string, unknown> = {};
  for (let i = from; i < to; i++) {
    const name = names[i] as string;
    const host = canonicalHost(hosts[name] as PlanHost);
    // `batch.__proto__ = …` would set the prototype, not a key
    if (name === '__proto__') Object.defineProperty(batch, name, { value: host, enumerable: true });
    else batch[name] = host;
  }
  const text = JSON.stringify({ h: batch }, null, 2);
  return text.slice(HOSTS_OPEN, text.length - HOSTS_CLOSE);
}

/** One host, its keys in the plan's order; watches, users and observed with their keys sorted. */
function canonicalHost(h: PlanHost): unknown {
  return {
    digest: h.digest,
    unreachable: h.unreachable,
    services: h.services,
    watches: h.watches === undefined ? undefined : sortedKeys(h.watches),
    users: h.users === undefined ? undefined : sortedKeys(h.users),
    observed: sortedKeys(h.observed),
  };
}

// JSON.stringify({ s: [step, …] }, null, 2) puts the steps 2 levels deep, as the plan has them.
const STEPS_OPEN = '{\n  "s": ['.length;
const STEPS_CLOSE = '\n  ]\n}'.length;

function stepsJson(steps: readonly Step[], from: number, to: number): string {
  const batch: unknown[] = new Array(to - from);
  for (let i = from; i < to; i++) batch[i - from] = canonicalStep(steps[i] as Step);
  const text = JSON.stringify({ s: batch }, null, 2);
  return text.slice(STEPS_OPEN, text.length - STEPS_CLOSE);
}

/**
 * A step with the plan's keys in the plan's fixed order whatever order it has them in, and only
 * those (a key the schema does not know is left out); JSON.stringify drops the undefined ones.
 */
function canonicalStep(s: Step): unknown {
  const { change, health } = s;
  return {
    id: s.id,
    host: s.host,
    kind: s.kind,
    service: s.service,
    manager: s.manager,
    user: s.user,
    target: s.target,
    reason: s.reason,
    change:
      change === undefined ? undefined : { field: change.field, before: change.before, after: change.after },
    commands: s.commands,
    after: s.after,
    wave: s.wave,
    health: health === undefined ? undefined : canonicalHealth(health),
    blockedBy: s.blockedBy,
    requiredGates: s.requiredGates,
  };
}

function barrierJson(b: Barrier): string {
  return json({ id: b.id, reason: b.reason, after: [...b.after] }, 2) as string;
}

function canonicalGateSet(set: GateSet): GateSet {
  return {
    id: set.id,
    requirement: set.requirement,
    gates: set.gates.map((g) => ({ host: g.host, service: g.service, health: canonicalHealth(g.health) })),
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
