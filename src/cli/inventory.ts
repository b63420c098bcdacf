import type { Command } from 'commander';
import type { Io } from './context.js';

export interface InventoryFlags {
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
      // Loaded when the command runs, like every other command (start-up is module loading).
      const { inventoryCommand } = await import('./inventory-run.js');
      setExit(await inventoryCommand(opts, io));
    });
}
