import { readFile } from 'node:fs/promises';
import type { DriftReport } from '../model/drift.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { UserError } from '../model/source.js';
import { renderHtmlReport } from '../report/html.js';
import { type HistoryPoint, readHistory } from '../report/html-history.js';
import { type CommonOptions, EXIT, type Io } from './context.js';
import { driftOf } from './drift.js';
import { readDriftReport, readSavedPlan, readSnapshot } from './json-input.js';
import { checkWritable, writeFileAtomic } from './output-files.js';
import { observeFleet, planFleet } from './prepare.js';
import { probeGates } from './probe-gates.js';

export interface ReportOptions extends CommonOptions {
  html: string;
  plan?: string;
  drift?: string;
  facts?: string;
  history?: string;
  title?: string;
}

/**
 * `runstate report --html FILE`: one self-contained HTML page, from a live run (playbooks given:
 * observe, plan and drift, changing nothing) or from saved JSON (--plan, --drift, --facts,
 * --history). Exit 0 written; 1 bad input (nothing written); 3 some hosts unreachable (written).
 */
export async function reportCommand(playbooks: string[], opts: ReportOptions, io: Io): Promise<number> {
  const saved = [opts.plan, opts.drift, opts.facts].some((f) => f !== undefined);
  if (playbooks.length === 0 && !saved && !opts.history) {
    throw new UserError(
      'report needs playbooks (a live run) or saved inputs',
      undefined,
      'e.g. runstate report -i inventory/ playbooks/ --html report.html, or --plan plan.json --drift drift.json --html report.html',
    );
  }
  if (playbooks.length > 0 && saved) {
    throw new UserError(
      'give either playbooks (a live run) or --plan/--drift/--facts files, not both',
      undefined,
      '--history may go with either',
    );
  }
  checkWritable(opts.html, '--html');
  const history = opts.history ? readHistory(await readJson(opts.history)) : undefined;
  const inputs = playbooks.length > 0 ? await liveInputs(playbooks, opts, io) : await savedInputs(opts);
  if (!inputs) return EXIT.input;
  const page = renderHtmlReport({
    generatedAt: new Date().toISOString(),
    ...(opts.title ? { title: opts.title } : {}),
    ...inputs,
    ...(history ? { history } : {}),
  });
  writeFileAtomic(opts.html, page);
  io.err(`report written to ${opts.html}\n`);
  const unreachable = Object.values(inputs.facts?.hosts ?? {}).filter((h) => h.status === 'unreachable');
  for (const h of unreachable)
    io.err(`unreachable: ${h.host}: ${h.status === 'unreachable' ? h.reason : ''}\n`);
  return unreachable.length > 0 ? EXIT.partial : EXIT.ok;
}

interface Inputs {
  plan?: Plan;
  drift?: DriftReport;
  facts?: ObservedSnapshot;
  history?: HistoryPoint[];
}

/** Observe once; plan and drift from the same observation (and the gates probed now). */
async function liveInputs(playbooks: string[], opts: ReportOptions, io: Io): Promise<Inputs | undefined> {
  const fleet = await observeFleet(playbooks, opts, io);
  try {
    const { plan, refused } = planFleet(fleet, io);
    if (refused) return undefined;
    const drift = driftOf(fleet, await probeGates(fleet, opts));
    return { plan, drift, facts: fleet.observed };
  } finally {
    await fleet.pool.closeAll();
  }
}

async function savedInputs(opts: ReportOptions): Promise<Inputs> {
  return {
    ...(opts.plan ? { plan: await readSavedPlan(opts.plan) } : {}),
    ...(opts.drift ? { drift: await readDriftReport(opts.drift) } : {}),
    ...(opts.facts ? { facts: await readSnapshot(opts.facts) } : {}),
  };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(
      `${file}: no such file`,
      undefined,
      'make one with: runstate history --format json > FILE',
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}
