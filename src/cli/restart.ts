import { AuditLog, defaultAuditPath } from '../apply/audit.js';
import { newOwner } from '../apply/locked-run.js';
import { orchestrateApply } from '../apply/orchestrate.js';
import { renderCommands } from '../apply/saved-plan.js';
import type { StepOutcome } from '../apply/types.js';
import { commandsFor } from '../drivers/index.js';
import { emitAll, planEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import type { Desired, DesiredService } from '../model/desired.js';
import type { Plan, PlanHost } from '../model/plan.js';
import { UserError } from '../model/source.js';
import { hostDigest, orderIntoWaves, scopeToServices, stepId } from '../plan/index.js';
import type { PendingStep } from '../plan/types.js';
import { renderApplyText } from '../report/apply.js';
import { renderPlanText } from '../report/index.js';
import type { ApplyOptions } from './apply.js';
import { EXIT, type Io, useColor } from './context.js';
import { confirmed, progressOf, reobserveWith, runOptions } from './execution.js';
import { type Fleet, observeFleet } from './prepare.js';

export interface RestartOptions extends ApplyOptions {
  maxFailures: number;
}

/**
 * `runstate restart GROUP:SERVICE`: restarts the service on every host of the group that declares
 * it, a batch at a time (its `rolling:`, else one host at a time). The next batch starts when the
 * previous one's restarts, verifications and health gates passed; past --max-failures failures
 * the roll stops and the hosts not reached are left untouched (skipped, reported, exit 3).
 */
export async function restartCommand(
  target: string,
  playbooks: string[],
  opts: RestartOptions,
  io: Io,
): Promise<number> {
  const colon = target.lastIndexOf(':');
  const group = target.slice(0, colon);
  const service = target.slice(colon + 1);
  if (colon <= 0 || service === '')
    throw new UserError(
      `restart needs GROUP:SERVICE, not "${target}"`,
      undefined,
      'e.g. runstate restart web:crm-app …',
    );
  const limit = opts.limit ? `${group}:&${opts.limit}` : group;
  return withEvents(
    opts.events,
    { command: 'restart', playbooks, dryRun: Boolean(opts.dryRun) },
    io,
    async (sink) => {
      const fleet = await observeFleet(playbooks, { ...opts, limit }, io);
      try {
        return await rollOut(fleet, group, service, opts, io, sink);
      } finally {
        await fleet.pool.closeAll();
      }
    },
  );
}

async function rollOut(
  fleet: Fleet,
  group: string,
  service: string,
  opts: RestartOptions,
  io: Io,
  sink: EventSink | undefined,
): Promise<number> {
  const plan = restartPlan(fleet, group, service, opts.maxFailures);
  emitAll(sink, planEvents(plan));
  const color = useColor(opts, io);
  io.out(renderPlanText(plan, { color }));
  const unreachable = Object.entries(plan.hosts).filter(([, h]) => h.unreachable !== undefined);
  for (const [host, h] of unreachable) io.err(`unreachable: ${host}: ${h.unreachable} (not restarted)\n`);
  if (plan.steps.length === 0) return unreachable.length > 0 ? EXIT.partial : EXIT.ok;
  if (!opts.dryRun) io.out(renderCommands(plan));
  const owner = newOwner();
  const audit = opts.dryRun ? undefined : new AuditLog(opts.auditLog ?? defaultAuditPath(io.env), owner);
  const progress = progressOf(opts, io, sink);
  const applied = await orchestrateApply(
    async () => ({ ok: true, plan, inventory: fleet.inventory }),
    fleet.pool,
    { ...runOptions(opts, io), owner, ...(audit ? { audit } : {}) },
    {
      ...(!opts.dryRun && !opts.yes ? { confirm: () => confirmed(opts, io) } : {}),
      reobserve: reobserveWith(opts, io, fleet.pool),
      onEvent: progress.onEvent,
    },
  ).finally(() => {
    progress.done();
    audit?.close();
  });
  if (applied.status === 'refused') {
    if (applied.why === 'stale') {
      io.err('error: the hosts changed since they were observed; nothing was restarted.\n');
      for (const line of applied.reasons) io.err(`  changed on ${line}\n`);
      io.err('hint: run restart again\n');
    }
    return EXIT.input;
  }
  const { outcomes } = applied;
  const auditPath = audit?.path;
  io.out(`\n${renderApplyText(outcomes, { color, dryRun: Boolean(opts.dryRun) })}`);
  const untouched = outcomes.filter((o) => o.kind === 'skipped');
  if (untouched.length > 0)
    io.err(
      `the roll stopped: ${untouched.length} host(s) not restarted (${hostsOf(untouched).join(', ')})\n`,
    );
  if (auditPath) io.err(`audit log: ${auditPath}\n`);
  const allOk = outcomes.every((o) => o.kind === 'ok' || o.kind === 'would-run');
  return allOk && unreachable.length === 0 ? EXIT.ok : EXIT.partial;
}

function hostsOf(outcomes: StepOutcome[]): string[] {
  return [...new Set(outcomes.map((o) => o.step.host))].sort();
}

/**
 * The plan of a rolling restart: one restart step per reachable host (with the service's gate),
 * batched by its `rolling:` (one host at a time when it declares none), through the same
 * orderIntoWaves as apply, so the batches are barriers in the plan value.
 */
export function restartPlan(fleet: Fleet, group: string, service: string, maxFailures: number): Plan {
  const declared = Object.keys(fleet.desired.hosts)
    .sort()
    .filter((h) => fleet.desired.hosts[h]?.services[service] !== undefined);
  if (declared.length === 0) {
    throw new UserError(
      `no host of ${group} declares the service ${service}`,
      undefined,
      'restart rolls a service the playbooks declare; check the group, the service name and --limit',
    );
  }
  const first = declared.map((h) => fleet.desired.hosts[h]?.services[service]).find((s) => s?.rolling);
  const rolling = first?.rolling ?? { maxDown: { count: 1 }, pauseSec: 0 };
  const desired: Desired = { playbooks: fleet.desired.playbooks, hosts: {} };
  const hosts: Record<string, PlanHost> = {};
  const pending: PendingStep[] = [];
  for (const host of declared) {
    const want = fleet.desired.hosts[host]?.services[service] as DesiredService;
    const seen = fleet.observed.hosts[host] ?? {
      status: 'unreachable' as const,
      host,
      reason: 'not observed',
    };
    const scoped = scopeToServices(seen, [service]);
    hosts[host] = {
      digest: hostDigest(scoped),
      ...(scoped.status === 'unreachable' ? { unreachable: scoped.reason } : {}),
      services: [service],
      observed: scoped,
    };
    if (scoped.status !== 'ok') continue;
    const manager = want.manager !== 'auto' ? want.manager : scoped.services[service]?.manager;
    if (!manager)
      throw new UserError(
        `${host}: no manager knows ${service}`,
        undefined,
        'run runstate facts to see what the host has',
      );
    // One roll across the group, whatever layer each host's declaration came from.
    const where = want.origin.rolling?.where ?? want.origin.state?.where;
    const origin = where ? { ...want.origin, rolling: { layer: `group:${group}`, where } } : want.origin;
    desired.hosts[host] = { host, services: { [service]: { ...want, requires: [], rolling, origin } } };
    pending.push({
      id: stepId(host, 'restart', service, manager),
      host,
      kind: 'restart',
      service,
      manager,
      reason: `rolling restart of ${group}:${service} requested`,
      commands: commandsFor(host, manager, { kind: 'restart', service }),
      ...(want.health ? { health: want.health } : {}),
    });
  }
  const ordered = orderIntoWaves(pending, desired, { maxFailures });
  return {
    version: 1,
    playbooks: [...fleet.desired.playbooks],
    inventory: [...fleet.inventory.files],
    hosts,
    steps: ordered.steps,
    waves: ordered.waves,
    ...(ordered.barriers.length > 0 ? { barriers: ordered.barriers } : {}),
  };
}
