import { countSummary, loadAll, refusalsOf } from '../load/index.js';
import { formatWarning, type Problem, ProblemsError, UserError } from '../model/source.js';
import { plural } from '../report/plan-summary.js';
import type { CommonOptions, Io } from './context.js';
import { EXIT, nowOf } from './context.js';
import { loadWaivers, type WaiverOptions } from './waivers.js';

export interface ValidateOptions extends CommonOptions {
  format?: 'text' | 'json';
}

/**
 * `runstate validate`: every problem is reported (by main's error path); touches no host.
 * Refusals of hosts a playbook targets are errors; those of other hosts, and Ansible settings
 * runstate ignores, are warnings with file:line, so nothing is ignored silently.
 */
export async function validateCommand(
  playbooks: string[],
  opts: ValidateOptions & WaiverOptions,
  io: Io,
): Promise<number> {
  if (opts.format === 'json') return validateJson(playbooks, opts, io);
  const { errors, warnings, summary } = await check(playbooks, opts, io);
  for (const w of warnings) io.err(`${formatWarning(w)}\n`);
  if (errors.length > 0) throw new ProblemsError(errors);
  io.out(`ok: ${summary}\n`);
  return EXIT.ok;
}

async function check(playbooks: string[], opts: CommonOptions & WaiverOptions, io: Io) {
  const { inventory, desired } = await loadAll(opts.inventory, playbooks);
  const { waivers } = await loadWaivers(
    playbooks,
    desired,
    inventory,
    opts,
    nowOf(io).toISOString().slice(0, 10),
    io,
  );
  const targeted = new Set(Object.keys(desired.hosts));
  const errors = refusalsOf(inventory, targeted);
  const others = refusalsOf(
    inventory,
    Object.keys(inventory.hosts).filter((h) => !targeted.has(h)),
  );
  const { services, hosts } = countSummary(desired);
  const waived = waivers.length > 0 ? `, ${plural(waivers.length, 'waiver')}` : '';
  const summary = `${plural(services, 'service')} on ${plural(hosts, 'host')}${waived}`;
  return { errors, warnings: [...(inventory.warnings ?? []), ...others], summary };
}

/**
 * The shape of `terraform validate -json`: `valid`, counts, and one diagnostic per problem with
 * its severity, file, line, column, message and hint. Exit 1 when there are errors, as in text.
 */
async function validateJson(
  playbooks: string[],
  opts: CommonOptions & WaiverOptions,
  io: Io,
): Promise<number> {
  let errors: Problem[];
  let warnings: Problem[] = [];
  try {
    ({ errors, warnings } = await check(playbooks, opts, io));
  } catch (err) {
    if (err instanceof ProblemsError) errors = err.problems;
    else if (err instanceof UserError)
      errors = [
        {
          message: err.message,
          ...(err.where ? { where: err.where } : {}),
          ...(err.hint ? { hint: err.hint } : {}),
        },
      ];
    else throw err;
  }
  const diagnostic = (severity: 'error' | 'warning') => (p: Problem) => ({
    severity,
    ...(p.where ? { file: p.where.file, line: p.where.line, column: p.where.col } : {}),
    message: p.message,
    ...(p.hint ? { hint: p.hint } : {}),
  });
  const doc = {
    format_version: '1.0',
    valid: errors.length === 0,
    error_count: errors.length,
    warning_count: warnings.length,
    diagnostics: [...errors.map(diagnostic('error')), ...warnings.map(diagnostic('warning'))],
  };
  io.out(`${JSON.stringify(doc, null, 2)}\n`);
  return errors.length === 0 ? EXIT.ok : EXIT.input;
}
