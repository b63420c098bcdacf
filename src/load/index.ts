import type { Desired } from '../model/desired.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import { formatProblem, type Problem, ProblemsError } from '../model/source.js';
import { readInventory } from './inventory.js';
import { readPlaybooks } from './playbooks.js';

export { countSummary, explainService } from './explain.js';

/** Problems by file (in the order the files were named and read), then by line and column. */
function inOrder(problems: Problem[], fileOrder: string[]): Problem[] {
  const files = new Map<string, number>([['', -1]]);
  for (const f of fileOrder) if (!files.has(f)) files.set(f, files.size);
  const rank = (p: Problem) => files.get(p.where?.file ?? '') ?? files.size;
  return [...problems].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.where?.line ?? 0) - (b.where?.line ?? 0) ||
      (a.where?.col ?? 0) - (b.where?.col ?? 0),
  );
}

/**
 * The refusals (unsupported connection plugin, Jinja, password variable…) of the hosts a command
 * is about to act on, once each; other hosts' refusals do not stop it.
 */
export function refusalsOf(inventory: Inventory, hosts: Iterable<string>): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const h of hosts) {
    for (const p of hostNamed(inventory, h)?.refused ?? []) {
      const key = formatProblem(p);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(p);
      }
    }
  }
  return out;
}

/** Refuses, before any connection, to act on a host whose settings runstate cannot honour. */
export function assertUsable(inventory: Inventory, hosts: Iterable<string>): void {
  const problems = refusalsOf(inventory, hosts);
  if (problems.length > 0) throw new ProblemsError(inOrder(problems, inventory.files));
}

/** Inventory files or directories (their *.yml/*.yaml, by name), merged Ansible's way. */
export async function loadInventory(paths: string[]): Promise<Inventory> {
  const { inventory, problems, files } = await readInventory(paths);
  if (problems.length > 0 || !inventory) throw new ProblemsError(inOrder(problems, files));
  return inventory;
}

/** Playbook files or directories, layered (all < group < host) and checked against the inventory. */
export async function loadPlaybooks(paths: string[], inventory: Inventory): Promise<Desired> {
  const { desired, problems, files } = await readPlaybooks(paths, inventory);
  if (problems.length > 0 || !desired) throw new ProblemsError(inOrder(problems, files));
  return desired;
}

/** Both, reporting every problem of both in one ProblemsError. */
export async function loadAll(
  inventoryPaths: string[],
  playbookPaths: string[],
): Promise<{ inventory: Inventory; desired: Desired }> {
  const inv = await readInventory(inventoryPaths);
  const pb = await readPlaybooks(playbookPaths, inv.complete ? inv.inventory : undefined);
  const problems = [...inv.problems, ...pb.problems];
  if (problems.length > 0 || !inv.inventory || !pb.desired) {
    throw new ProblemsError(inOrder(problems, [...inv.files, ...pb.files]));
  }
  return { inventory: inv.inventory, desired: pb.desired };
}
