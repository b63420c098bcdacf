import { countSummary, loadAll, refusalsOf } from '../load/index.js';
import { formatWarning, ProblemsError } from '../model/source.js';
import { plural } from '../report/plan-summary.js';
import type { CommonOptions, Io } from './context.js';
import { EXIT, nowOf } from './context.js';
import { loadWaivers, type WaiverOptions } from './waivers.js';

/**
 * `runstate validate`: every problem is reported (by main's error path); touches no host.
 * Refusals of hosts a playbook targets are errors; those of other hosts, and Ansible settings
 * runstate ignores, are warnings with file:line, so nothing is ignored silently.
 */
export async function validateCommand(
  playbooks: string[],
  opts: CommonOptions & WaiverOptions,
  io: Io,
): Promise<number> {
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
  for (const w of [...(inventory.warnings ?? []), ...others]) io.err(`${formatWarning(w)}\n`);
  if (errors.length > 0) throw new ProblemsError(errors);
  const { services, hosts } = countSummary(desired);
  const waived = waivers.length > 0 ? `, ${plural(waivers.length, 'waiver')}` : '';
  io.out(`ok: ${plural(services, 'service')} on ${plural(hosts, 'host')}${waived}\n`);
  return EXIT.ok;
}
