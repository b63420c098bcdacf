import type { HealthCheck } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { Plan, Step, StepKind } from '../model/plan.js';

/** The kinds in the order reports list them (same as the order steps of one host run in). */
export const REPORT_KINDS: readonly StepKind[] = [
  'daemon-reload',
  'set-runlevel',
  'set-default-runlevel',
  'stop',
  'mask',
  'disable',
  'unmask',
  'enable',
  'start',
  'restart',
];

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a step acts on: the service, or the runlevel/target it sets. */
export function stepSubject(step: Step): string {
  // A host-wide step without a target (daemon-reload) acts on its manager; a user's, on theirs.
  if (step.user !== undefined)
    return `${step.service ?? `${step.manager ?? 'manager'} --user`} (user ${step.user})`;
  return step.service ?? step.target ?? step.manager ?? 'host';
}

/** Code-unit order, identical on every machine (localeCompare is not). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hostsWithSteps(plan: Plan): string[] {
  return [...new Set(plan.steps.map((s) => s.host))].sort(byText);
}

export function unreachableHosts(plan: Plan): [string, string][] {
  return Object.entries(plan.hosts)
    .flatMap(([h, p]): [string, string][] => (p.unreachable !== undefined ? [[h, p.unreachable]] : []))
    .sort((a, b) => byText(a[0], b[0]));
}

/** Steps in wave order; a step id missing from `steps` (a hand-edited plan) is skipped. */
export function stepsByWave(plan: Plan): Step[][] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  return plan.waves.map((ids) => ids.map((id) => byId.get(id)).filter((s): s is Step => s !== undefined));
}

export function headline(plan: Plan): string {
  return `${plural(plan.steps.length, 'change')} on ${plural(hostsWithSteps(plan).length, 'host')} (${plural(plan.waves.length, 'wave')})`;
}

/** Words that a shell would read as they are stay bare; others are single-quoted. Display only. */
export function shellWords(argv: readonly string[]): string {
  return argv
    .map((w) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/** "tcp 127.0.0.1:5432 within 30 s": the gate a started service must pass before dependents start. */
export function describeHealth(h: HealthCheck): string {
  switch (h.kind) {
    case 'tcp':
      return `tcp ${h.host}:${h.port} within ${h.timeoutSec} s`;
    case 'http':
      return `http ${h.url} within ${h.timeoutSec} s`;
    case 'command':
      return `\`${shellWords(h.argv)}\` within ${h.timeoutSec} s`;
  }
}

/** Host → its stack, when the plan has stacks (undefined for every host otherwise). */
export function stackLookup(plan: Plan): (host: string) => string | undefined {
  const of = new Map<string, string>();
  for (const [name, hosts] of Object.entries(plan.stacks ?? {})) for (const h of hosts) of.set(h, name);
  return (host) => of.get(host);
}

/**
 * The steps of one wave grouped by stack (stacks in name order), each group in its listed order.
 * A wave all in one stack (every wave of a plan without stacks) is handed back as it is.
 */
export function byStack(
  steps: readonly Step[],
  stackOf: (host: string) => string | undefined,
): readonly Step[] {
  const keys = steps.map((s) => stackOf(s.host) ?? '');
  if (keys.every((k) => k === keys[0])) return steps;
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => byText(keys[a.i] as string, keys[b.i] as string) || a.i - b.i)
    .map(({ s }) => s);
}

/** What the plan could not do, one line each: "bed-systemd:crm-masked: crm-masked is masked…; hint". */
export function blockedLines(plan: Plan, which: 'blocked' | 'warnings' = 'blocked'): string[] {
  return (plan[which] ?? []).map((b) => {
    const where = b.service === undefined ? b.host : serviceOnHost(b.host, b.service);
    return `${where}: ${b.reason}${b.hint ? ` (${b.hint})` : ''}`;
  });
}

/** Whether some of the plan cannot happen: problems on a host, or steps blocked by them. */
export function isPartial(plan: Plan): boolean {
  return (plan.blocked?.length ?? 0) > 0 || plan.steps.some((s) => s.blockedBy !== undefined);
}

/** What a plan left out, for the end-of-apply summary: hosts unreachable when observed, problems. */
export interface NotPlanned {
  unreachable: [string, string][];
  blocked: string[];
}

export function notPlanned(plan: Plan): NotPlanned {
  return { unreachable: unreachableHosts(plan), blocked: blockedLines(plan) };
}
