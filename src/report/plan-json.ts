import type { HealthCheck } from '../model/desired.js';
import type { Barrier, GateSet, Plan, PlanBlocked, PlanHost, Step } from '../model/plan.js';
import { insertionOrder, json, jsonString, newline, quote, sortedJson, stringList } from './json-text.js';
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
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    out += `${i === 0 ? newline(2) : `,${newline(2)}`}${quote(name)}: ${hostJson(plan.hosts[name] as PlanHost)}`;
    if (out.length >= size) {
      yield out;
      out = '';
    }
  }
  if (names.length > 0) out += `${newline(1)}}`;

  out += `${sep}"steps": ${plan.steps.length === 0 ? '[]' : '['}`;
  for (let i = 0; i < plan.steps.length; i++) {
    out += `${i === 0 ? newline(2) : `,${newline(2)}`}${stepJson(plan.steps[i] as Step)}`;
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

/** One host, 2 levels deep: digest, unreachable, services, watches, users, observed. */
function hostJson(h: PlanHost): string {
  let text = '';
  const add = (key: string, v: string | undefined): void => {
    if (v !== undefined) text += `${text === '' ? newline(3) : `,${newline(3)}`}"${key}": ${v}`;
  };
  add('digest', jsonString(h.digest, 3));
  if (h.unreachable !== undefined) add('unreachable', jsonString(h.unreachable, 3));
  add('services', stringList([...h.services], 3));
  if (h.watches !== undefined) add('watches', sortedJson(h.watches, 3));
  if (h.users !== undefined) add('users', sortedJson(h.users, 3));
  add('observed', sortedJson(h.observed, 3));
  return text === '' ? '{}' : `{${text}${newline(2)}}`;
}

// A step's lines, 3 levels deep: `,\n` and the indentation before each key after the first.
const NEXT = `,${newline(3)}`;

/**
 * One step, 2 levels deep, its keys in the plan's fixed order whatever order the object has them
 * in; a key the schema does not know is left out. Written field by field: 400,000 steps at 10,000
 * hosts make this the hottest function of a large plan.
 */
function stepJson(s: Step): string {
  let text = '';
  const add = (key: string, v: string | undefined): void => {
    if (v !== undefined) text += `${text === '' ? newline(3) : NEXT}"${key}": ${v}`;
  };
  add('id', jsonString(s.id, 3));
  add('host', jsonString(s.host, 3));
  add('kind', jsonString(s.kind, 3));
  if (s.service !== undefined) add('service', jsonString(s.service, 3));
  if (s.manager !== undefined) add('manager', jsonString(s.manager, 3));
  if (s.user !== undefined) add('user', jsonString(s.user, 3));
  if (s.target !== undefined) add('target', jsonString(s.target, 3));
  add('reason', jsonString(s.reason, 3));
  if (s.change !== undefined) {
    const { field, before, after } = s.change;
    add('change', json({ field, before, after }, 3));
  }
  add('commands', commandsJson(s.commands));
  add('after', stringList([...s.after], 3));
  add('wave', json(s.wave, 3));
  if (s.health !== undefined) add('health', json(canonicalHealth(s.health), 3));
  if (s.blockedBy !== undefined) add('blockedBy', json(s.blockedBy, 3));
  if (s.requiredGates !== undefined) add('requiredGates', stringList([...s.requiredGates], 3));
  return text === '' ? '{}' : `{${text}${newline(2)}}`;
}

function commandsJson(commands: readonly (readonly string[])[]): string {
  if (commands.length === 0) return '[]';
  let text = '[';
  for (let i = 0; i < commands.length; i++) {
    const argv = commands[i] as readonly string[];
    text += `${i === 0 ? newline(4) : `,${newline(4)}`}${stringList([...argv], 4)}`;
  }
  return `${text}${newline(3)}]`;
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
