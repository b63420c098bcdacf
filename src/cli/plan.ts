import { randomUUID } from 'node:crypto';
import { emitAll, planEvents } from '../events/from.js';
import { withEvents } from '../events/run.js';
import type { EventSink } from '../events/types.js';
import { explainService, loadAll } from '../load/index.js';
import type { Plan } from '../model/plan.js';
import { UserError } from '../model/source.js';
import { planJsonPieces, planTextPieces, renderPlanMarkdown, renderPlanMermaid } from '../report/index.js';
import { isPartial } from '../report/plan-summary.js';
import { renderPlanDiff } from '../report/state-diff.js';
import { type CommonOptions, EXIT, type Io, useColor } from './context.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { preparePlan } from './prepare.js';

export interface PlanOptions extends CommonOptions {
  format: 'text' | 'json' | 'markdown' | 'mermaid';
  out?: string;
  observed?: string;
  detailedExitcode?: boolean;
  explain?: string[];
  events?: string;
  /** Then, per host, a unified diff of observed against desired (text format only). */
  diff?: boolean;
}

/** `runstate plan`: observe (or read a snapshot), diff, order, render. Changes nothing. */
export async function planCommand(playbookArgs: string[], opts: PlanOptions, io: Io): Promise<number> {
  // `--explain host svc` is variadic and may swallow playbooks written after it.
  const [explainHost, explainSvc, ...rest] = opts.explain ?? [];
  const playbooks = [...playbookArgs, ...rest];
  if (opts.explain) {
    if (!explainHost || !explainSvc) {
      throw new UserError('--explain needs a host and a service', undefined, 'e.g. --explain db1 postgresql');
    }
    const { desired } = await loadAll(opts.inventory, playbooks);
    io.out(`${explainService(desired, explainHost, explainSvc).join('\n')}\n`);
    return EXIT.ok;
  }
  if (opts.out) checkWritable(opts.out, '--out');
  if (opts.diff && opts.format !== 'text') {
    throw new UserError('--diff goes with --format text', undefined, 'drop --diff, or --format');
  }
  return withEvents(opts.events, { command: 'plan', playbooks }, io, (sink) =>
    planAndRender(playbooks, opts, io, sink),
  );
}

async function planAndRender(
  playbooks: string[],
  opts: PlanOptions,
  io: Io,
  sink: EventSink | undefined,
): Promise<number> {
  const prepared = await preparePlan(playbooks, opts, io);
  if (!prepared.ok) return prepared.exitCode;
  const { pool } = prepared;
  const plan = { ...prepared.plan, serial: randomUUID() };
  await pool.closeAll();
  // Only with --events: at 400,000 steps the event list alone is as many objects again.
  if (sink) emitAll(sink, planEvents(plan));
  for (const piece of renderPlan(plan, opts, io)) {
    if (io.outPiece) await io.outPiece(piece);
    else io.out(piece);
  }
  if (opts.diff) io.out(renderPlanDiff(plan));
  if (opts.out) writeFileAtomic(opts.out, planJsonPieces(plan));
  const unreachable = Object.entries(plan.hosts).filter(([, h]) => h.unreachable);
  for (const [host, h] of unreachable) io.err(`unreachable: ${host}: ${h.unreachable}\n`);
  // Partial like an unreachable host: some of the fleet cannot converge; the rest is planned.
  if (unreachable.length > 0 || isPartial(plan)) return EXIT.partial;
  return opts.detailedExitcode && plan.steps.length > 0 ? EXIT.changes : EXIT.ok;
}

/** The output in the pieces it is written in (a large JSON plan is never one string). */
function renderPlan(plan: Plan, opts: PlanOptions, io: Io): Iterable<string> {
  switch (opts.format) {
    case 'json':
      return planJsonPieces(plan);
    case 'markdown':
      return [renderPlanMarkdown(plan)];
    case 'mermaid':
      return [renderPlanMermaid(plan)];
    case 'text':
      return planTextPieces(plan, { color: useColor(opts, io) });
  }
}
