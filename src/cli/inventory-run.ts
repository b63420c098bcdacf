import { ansibleSettings } from '../load/ansible-cfg.js';
import { readInventory } from '../load/inventory.js';
import { useHost } from '../model/inventory.js';
import { formatWarning, ProblemsError, UserError } from '../model/source.js';
import { inventoryGraph, inventoryHostVars, inventoryList } from '../report/inventory.js';
import { EXIT, type Io } from './context.js';
import type { InventoryFlags } from './inventory.js';
import { selectHosts } from './limit.js';

/** `runstate inventory`: load, optionally --limit, print in ansible-inventory's shape. */
export async function inventoryCommand(opts: InventoryFlags, io: Io): Promise<number> {
  const chosen = [opts.list, opts.host !== undefined, opts.graph !== undefined].filter(Boolean).length;
  if (chosen !== 1) {
    throw new UserError(
      'give one of --list, --host NAME or --graph',
      undefined,
      'e.g. runstate inventory -i hosts --list',
    );
  }
  const cfg = ansibleSettings({ env: io.env, cwd: process.cwd() });
  for (const w of cfg.warnings) io.err(`warning: ${w}\n`);
  if (opts.verbose && cfg.file) io.err(`using ${cfg.file} as ansible.cfg\n`);
  const fromEnv = (io.env.RUNSTATE_INVENTORY ?? '').split(':').filter(Boolean);
  const given = opts.inventory && opts.inventory.length > 0 ? opts.inventory : fromEnv;
  const paths = given.length > 0 ? given : (cfg.inventory ?? ['inventory']);
  const read = await readInventory(paths);
  if (read.problems.length > 0 || !read.inventory) throw new ProblemsError(read.problems);
  let inv = read.inventory;
  if (opts.verbose) for (const w of inv.warnings ?? []) io.err(`${formatWarning(w)}\n`);
  if (opts.limit) {
    const keep = selectHosts(inv, opts.limit, (m) => io.err(`warning: ${m}\n`));
    const groups = Object.fromEntries(
      Object.entries(inv.groups).map(([n, g]) => [
        n,
        {
          ...g,
          hosts: g.hosts.filter((h) => keep.has(h)),
          ownHosts: (g.ownHosts ?? []).filter((h) => keep.has(h)),
        },
      ]),
    );
    inv = {
      ...inv,
      groups,
      hosts: Object.fromEntries(Object.entries(inv.hosts).filter(([h]) => keep.has(h))),
    };
  }
  if (opts.host !== undefined) {
    // As ansible-inventory --host localhost: the implicit localhost when the inventory has none.
    const vars = inventoryHostVars(inv, useHost(inv, opts.host)?.name ?? opts.host);
    if (!vars) throw new UserError(`no host ${JSON.stringify(opts.host)} in the inventory`);
    io.out(`${JSON.stringify(vars, null, 4)}\n`);
  } else if (opts.graph !== undefined) {
    const top = typeof opts.graph === 'string' ? opts.graph : 'all';
    if (!inv.groups[top]) throw new UserError(`no group ${JSON.stringify(top)} in the inventory`);
    io.out(`${inventoryGraph(inv, top).join('\n')}\n`);
  } else io.out(`${JSON.stringify(inventoryList(inv), null, 4)}\n`);
  return EXIT.ok;
}
