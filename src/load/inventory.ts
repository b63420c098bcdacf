import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Inventory } from '../model/inventory.js';
import type { Problem } from '../model/source.js';
import { expandPaths, readText, yamlFilesIn } from './files.js';
import {
  emptyInventory,
  ensureGroup,
  type RawInventory,
  readInventoryDoc,
  readVars,
  type VarMap,
} from './inventory-parse.js';
import { resolveInventory } from './inventory-resolve.js';
import { schemaProblems } from './schema.js';
import { fileRef, parseYaml } from './yaml-doc.js';

/**
 * Everything found in the inventory files. `complete` is false when some file could not be read
 * or parsed at all, so its hosts and groups are missing and lookups against them would mislead.
 */
export async function readInventory(
  paths: readonly string[],
): Promise<{ inventory?: Inventory; problems: Problem[]; complete: boolean; files: string[] }> {
  if (paths.length === 0) {
    const problems = [{ message: 'no inventory given', hint: 'pass one with -i inventory.yml' }];
    return { problems, complete: false, files: [] };
  }
  const { files, problems } = await expandPaths(paths, 'inventory');
  let complete = problems.length === 0;
  const raw = emptyInventory();
  for (const file of files) {
    const { text, problem } = await readText(file, 'inventory');
    if (problem || text === undefined) {
      if (problem) problems.push(problem);
      complete = false;
      continue;
    }
    raw.files.push(file);
    const ini = iniProblem(file, text);
    const parsed = ini ? { problems: [ini] } : parseYaml(file, text, '1.1');
    problems.push(...parsed.problems);
    if (parsed.source) problems.push(...readInventoryDoc(parsed.source, raw));
    else complete = false;
  }
  if (raw.files.length === 0) return { problems, complete: false, files: [...paths, ...files] };
  // group_vars/all.yml applies even when no file spells out "all:".
  ensureGroup(raw, 'all', { file: raw.files[0] ?? '', line: 1, col: 1 });
  for (const dir of varDirs(raw.files)) problems.push(...(await readVarFiles(dir, raw)));
  const inventory = resolveInventory(raw, problems);
  if (Object.keys(inventory.hosts).length === 0 && problems.length === 0) {
    const several = raw.files.length > 1;
    problems.push({
      where: several ? undefined : fileRef(raw.files[0] ?? ''),
      message: several
        ? `the inventory (${raw.files.join(', ')}) has no hosts`
        : 'the inventory has no hosts',
      hint: 'list hosts under a group, e.g. "all:" → "hosts:" → "web1:" (with "ansible_host: 10.0.0.5" under it)',
    });
  }
  return { inventory, problems, complete, files: [...paths, ...files, ...raw.files] };
}

/** An INI inventory fails as YAML with a confusing message; say what it is instead. */
function iniProblem(file: string, text: string): Problem | undefined {
  const firstLine = text.split('\n').find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  if (firstLine === undefined || !/^\[[^\]]+\]\s*$/.test(firstLine)) return undefined;
  return {
    where: { file, line: text.split('\n').indexOf(firstLine) + 1, col: 1 },
    message: 'this looks like an INI inventory; runstate reads YAML inventories',
    hint: `convert it with: ansible-inventory -i ${file} --list --yaml > ${basename(file)}.yml`,
  };
}

/** group_vars/ and host_vars/ sit next to the inventory file, or inside the inventory directory. */
function varDirs(files: readonly string[]): string[] {
  return [...new Set(files.map((f) => dirname(f)))];
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function readVarFiles(dir: string, raw: RawInventory): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const kind of ['group_vars', 'host_vars'] as const) {
    const base = join(dir, kind);
    if (!(await isDir(base))) continue;
    const names = (await readdir(base)).sort();
    for (const entry of names) {
      const full = join(base, entry);
      const directory = await isDir(full);
      const name = directory ? entry : entry.replace(/\.ya?ml$/, '');
      if (!directory && name === entry) continue;
      const target = kind === 'group_vars' ? raw.groups.get(name) : raw.hosts.get(name);
      // Ansible ignores vars files of hosts or groups this inventory does not have.
      if (!target) continue;
      for (const file of directory ? await yamlFilesIn(full) : [full]) {
        problems.push(...(await readVarFile(file, target.fileVars, raw)));
      }
    }
  }
  return problems;
}

async function readVarFile(file: string, into: VarMap, raw: RawInventory): Promise<Problem[]> {
  const { text, problem } = await readText(file, 'inventory');
  if (problem || text === undefined) return problem ? [problem] : [];
  // Vault-encrypted files hold secrets runstate does not need (passwords), not connection vars.
  if (text.startsWith('$ANSIBLE_VAULT')) return [];
  raw.files.push(file);
  const parsed = parseYaml(file, text, '1.1');
  if (!parsed.source) return parsed.problems;
  const src = parsed.source;
  const problems = [
    ...parsed.problems,
    ...schemaProblems('inventory-vars', src.doc.toJS(), { src, label: () => `the variables in ${file}` }),
  ];
  problems.push(...readVars(src, src.doc.contents ?? undefined, into));
  return problems;
}
