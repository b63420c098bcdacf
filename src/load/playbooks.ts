import type { Desired, DesiredHost } from '../model/desired.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import type { Problem, SourceRef } from '../model/source.js';
import type { Waiver } from '../model/waiver.js';
import { expandPaths, readText } from './files.js';
import { mergeLayers, placeTargets } from './layers.js';
import { listNames } from './names.js';
import { readPlaybookDoc, stackNameProblem, type TargetEntry } from './playbook-parse.js';
import { resolveRequires } from './requires.js';
import { parseYaml } from './yaml-doc.js';

const STACK_VAR = 'runstate_stack';

/**
 * The inventory variable `runstate_stack` for hosts whose playbooks name no stack (a playbook's
 * `stack:` is more specific and wins). A bad value is one problem naming every host that has it.
 */
function stacksFromInventory(
  hosts: Record<string, DesiredHost>,
  inventory: Inventory,
  problems: Problem[],
): void {
  const bad = new Map<string, { hosts: string[]; where: SourceRef }>();
  for (const [name, h] of Object.entries(hosts)) {
    const inv = hostNamed(inventory, name);
    const v = inv?.vars[STACK_VAR];
    if (h.stack !== undefined || v === undefined || !inv) continue;
    if (stackNameProblem(v) === undefined) {
      h.stack = v as string;
      h.stackOrigin = { layer: 'inventory', where: inv.source };
      continue;
    }
    const key = JSON.stringify(v) ?? String(v);
    const entry = bad.get(key);
    if (entry) entry.hosts.push(name);
    else bad.set(key, { hosts: [name], where: inv.source });
  }
  for (const [value, { hosts: names, where }] of bad) {
    const problem = stackNameProblem(JSON.parse(value)) as { message: string; hint: string };
    problems.push({
      where,
      message: `inventory variable ${STACK_VAR} of ${names.length > 1 ? 'hosts' : 'host'} ${listNames(names)}: ${problem.message}`,
      hint: problem.hint,
    });
  }
}

/**
 * Reads and checks the playbooks. Without an inventory (it could not be read) only the checks
 * of each file on its own run, so a broken inventory does not bury the playbooks in false errors.
 */
export async function readPlaybooks(
  paths: readonly string[],
  inventory: Inventory | undefined,
): Promise<{ desired?: Desired; problems: Problem[]; files: string[] }> {
  if (paths.length === 0) {
    return {
      problems: [{ message: 'no playbook given', hint: 'name one or more playbook files or directories' }],
      files: [],
    };
  }
  const { files, problems } = await expandPaths(paths, 'playbook');
  const entries: TargetEntry[] = [];
  const waivers: Waiver[] = [];
  const read: string[] = [];
  for (const file of files) {
    const { text, problem } = await readText(file, 'playbook');
    if (problem || text === undefined) {
      if (problem) problems.push(problem);
      continue;
    }
    read.push(file);
    const parsed = parseYaml(file, text, '1.2');
    problems.push(...parsed.problems);
    if (!parsed.source) continue;
    const doc = readPlaybookDoc(parsed.source);
    problems.push(...doc.problems);
    entries.push(...doc.entries);
    waivers.push(...(doc.waivers ?? []));
  }
  const order = [...paths, ...files];
  if (!inventory) return { problems, files: order };
  const merged = mergeLayers(placeTargets(entries, inventory, problems), problems);
  stacksFromInventory(merged.hosts, inventory, problems);
  resolveRequires(merged, inventory, problems);
  const desired: Desired = { playbooks: read, hosts: merged.hosts, ...(waivers.length ? { waivers } : {}) };
  return { desired, problems, files: order };
}
