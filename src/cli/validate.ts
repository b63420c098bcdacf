import { countSummary, loadAll } from '../load/index.js';
import { plural } from '../report/plan-summary.js';
import type { CommonOptions, Io } from './context.js';
import { EXIT } from './context.js';

/** `runstate validate`: every problem is reported (by main's error path); touches no host. */
export async function validateCommand(playbooks: string[], opts: CommonOptions, io: Io): Promise<number> {
  const { desired } = await loadAll(opts.inventory, playbooks);
  const { services, hosts } = countSummary(desired);
  io.out(`ok: ${plural(services, 'service')} on ${plural(hosts, 'host')}\n`);
  return EXIT.ok;
}
