import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import type { Problem } from '../model/source.js';
import { expandPaths, readText } from './files.js';
import { mergeLayers, placeTargets } from './layers.js';
import { readPlaybookDoc, type TargetEntry } from './playbook-parse.js';
import { resolveRequires } from './requires.js';
import { parseYaml } from './yaml-doc.js';

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
  }
  const order = [...paths, ...files];
  if (!inventory) return { problems, files: order };
  const merged = mergeLayers(placeTargets(entries, inventory, problems), problems);
  resolveRequires(merged, inventory, problems);
  return { desired: { playbooks: read, hosts: merged.hosts }, problems, files: order };
}
