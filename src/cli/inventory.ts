import type { Command } from 'commander';
import { readInventory } from '../load/inventory.js';
import { formatWarning, ProblemsError, UserError } from '../model/source.js';
import { inventoryGraph, inventoryHostVars, inventoryList } from '../report/inventory.js';
import { EXIT, type Io } from './context.js';
import { selectHosts } from './limit.js';

interface InventoryFlags {
  inventory?: string[];
  list?: boolean;
  host?: string;
  graph?: boolean | string;
  limit?: string;
  verbose?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `runstate inventory --list | --host NAME | --graph [GROUP]`: what runstate resolved, in the
 * shape `ansible-inventory` prints, so the two can be diffed. Touches no host.
 */
export function registerInventoryCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('inventory')
    .description("show the inventory as runstate resolved it, in ansible-inventory's shape; touches no host")
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
    .option('--list', 'every group and host with its variables, as ansible-inventory --list')
    .option('--host <name>', "one host's variables, as ansible-inventory --host")
    .option('--graph [group]', 'the group tree, as ansible-inventory --graph')
    .option('-l, --limit <pattern>', 'only these hosts (Ansible host patterns)')
    .option('-v, --verbose', 'also print the Ansible settings runstate ignores')
    .addHelpText(
      'after',
      '\nExample:\n  runstate inventory -i inventory/ --list | diff - <(ansible-inventory -i inventory/ --list)\n\nExit codes: 0 shown, 1 the inventory has errors or the option is wrong.\n',
    )
    .action(async (opts: InventoryFlags) => {
      setExit(await inventoryCommand(opts, io));
    });
}

export async function inventoryCommand(opts: InventoryFlags, io: Io): Promise<number> {
  const chosen = [opts.list, opts.host !== undefined, opts.graph !== undefined].filter(Boolean).length;
  if (chosen !== 1) {
    throw new UserError(
      'give one of --list, --host NAME or --graph',
      undefined,
      'e.g. runstate inventory -i hosts --list',
    );
  }
  const paths = opts.inventory && opts.inventory.length > 0 ? opts.inventory : ['inventory'];
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
    const vars = inventoryHostVars(inv, opts.host);
    if (!vars) throw new UserError(`no host ${JSON.stringify(opts.host)} in the inventory`);
    io.out(`${JSON.stringify(vars, null, 4)}\n`);
  } else if (opts.graph !== undefined) {
    const top = typeof opts.graph === 'string' ? opts.graph : 'all';
    if (!inv.groups[top]) throw new UserError(`no group ${JSON.stringify(top)} in the inventory`);
    io.out(`${inventoryGraph(inv, top).join('\n')}\n`);
  } else io.out(`${JSON.stringify(inventoryList(inv), null, 4)}\n`);
  return EXIT.ok;
}
