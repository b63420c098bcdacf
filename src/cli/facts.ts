import { assertUsable, loadAll, loadInventory } from '../load/index.js';
import type { ObservedSnapshot } from '../model/observed.js';
import { renderFactsText } from '../report/facts.js';
import { type CommonOptions, EXIT, type Io, useColor } from './context.js';
import { gatherFacts } from './gather.js';
import { selectHosts } from './limit.js';
import { restrictDesired } from './prepare.js';

export interface FactsOptions extends CommonOptions {
  format: 'text' | 'json';
}

/** `runstate facts`: the observed state of every selected host; exit 3 when some are unreachable. */
export async function factsCommand(playbooks: string[], opts: FactsOptions, io: Io): Promise<number> {
  const { inventory, desired } =
    playbooks.length > 0
      ? await loadAll(opts.inventory, playbooks)
      : { inventory: await loadInventory(opts.inventory), desired: undefined };
  const selected = selectHosts(inventory, opts.limit, (m) => io.err(`warning: ${m}\n`));
  assertUsable(inventory, selected);
  const limited = desired ? restrictDesired(desired, selected) : undefined;
  const { snapshot, pool } = await gatherFacts(inventory, limited, opts, io, [...selected]);
  await pool.closeAll();
  io.out(opts.format === 'json' ? `${JSON.stringify(snapshot, null, 2)}\n` : renderFacts(snapshot, opts, io));
  const unreachable = Object.values(snapshot.hosts).filter((h) => h.status === 'unreachable');
  for (const h of unreachable)
    io.err(`unreachable: ${h.host}: ${h.status === 'unreachable' ? h.reason : ''}\n`);
  return unreachable.length > 0 ? EXIT.partial : EXIT.ok;
}

function renderFacts(snapshot: ObservedSnapshot, opts: FactsOptions, io: Io): string {
  return renderFactsText(snapshot, { color: useColor(opts, io) });
}
