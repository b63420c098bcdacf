import { access, constants, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { type Inventory, LOCALHOST_NAMES } from '../model/inventory.js';
import type { Problem } from '../model/source.js';
import { readText } from './files.js';
import { readIniInventory } from './inventory-ini.js';
import {
  emptyInventory,
  type RawHost,
  type RawInventory,
  readInventoryDoc,
  readVars,
  type VarMap,
} from './inventory-parse.js';
import { resolveInventory } from './inventory-resolve.js';
import { inventorySources } from './inventory-sources.js';
import { fileRef, parseYaml } from './yaml-doc.js';

export interface ReadInventory {
  inventory?: Inventory;
  problems: Problem[];
  /** False when some file could not be read or parsed at all, so lookups against it would mislead. */
  complete: boolean;
  files: string[];
}

/**
 * Every `-i` source read the way ansible-core reads it: a file, or a directory of files (YAML or
 * INI, extension-less ones too), each tried as YAML first when its name allows, then as INI; then
 * group_vars/ and host_vars/ beside each source, with Ansible's precedence.
 */
export async function readInventory(paths: readonly string[]): Promise<ReadInventory> {
  if (paths.length === 0) {
    const problems = [{ message: 'no inventory given', hint: 'pass one with -i inventory.yml' }];
    return { problems, complete: false, files: [] };
  }
  const { sources, problems } = await inventorySources(paths);
  let complete = problems.length === 0;
  const raw = emptyInventory();
  const warnings: Problem[] = [];
  for (const source of sources) {
    for (const file of source.files) {
      const { text, problem } = await readText(file, 'inventory');
      if (problem || text === undefined) {
        if (problem) problems.push(problem);
        complete = false;
        continue;
      }
      raw.files.push(file);
      const found = await readInventoryFile(file, text, raw);
      problems.push(...found.problems);
      if (!found.whole) complete = false;
    }
  }
  if (raw.files.length === 0) return { problems, complete: false, files: [...paths] };
  // The implicit localhost's names, unless the inventory defines one of them (that host then
  // answers to all three, as in Ansible); host_vars/localhost.yml applies to it.
  const defined = LOCALHOST_NAMES.some((n) => raw.hosts.has(n));
  const implicit: RawHost[] = (defined ? [] : LOCALHOST_NAMES).map((name) => ({
    name,
    where: { file: raw.files[0] ?? '', line: 1, col: 1 },
    vars: new Map(),
    fileVars: new Map(),
  }));
  for (const dir of [...new Set(sources.map((s) => s.varsDir))]) {
    problems.push(...(await readVarFiles(dir, raw, warnings, implicit)));
  }
  const inventory = resolveInventory(raw, problems, implicit);
  inventory.warnings = [...warnings, ...(inventory.warnings ?? [])];
  if (Object.keys(inventory.hosts).length === 0 && problems.length === 0) {
    const several = raw.files.length > 1;
    problems.push({
      where: several ? undefined : fileRef(raw.files[0] ?? ''),
      message: several
        ? `the inventory (${raw.files.join(', ')}) has no hosts`
        : 'the inventory has no hosts',
      hint: 'list hosts under a group: in INI "[web]" then "web1 ansible_host=10.0.0.5"; in YAML "all:" → "hosts:" → "web1:"',
    });
  }
  return { inventory, problems, complete, files: [...paths, ...raw.files] };
}

const YAML_EXTS = new Set(['', '.yml', '.yaml', '.json']);

/**
 * YAML first where the name allows it (as Ansible's yaml plugin), INI otherwise or when YAML fails.
 * `whole` is false when part of the file could not be read (so hosts or groups may be missing).
 */
async function readInventoryFile(
  file: string,
  text: string,
  raw: RawInventory,
): Promise<{ problems: Problem[]; whole: boolean }> {
  const partial = (problems: Problem[]) => ({ problems, whole: problems.length === 0 });
  if (text.startsWith('#!') && (await isExecutable(file))) {
    return partial([
      {
        where: { file, line: 1, col: 1 },
        message: 'this is an executable script (a dynamic inventory); runstate reads static inventories only',
        hint: `save its output as a file: ansible-inventory -i ${file} --list --yaml > inventory.yml`,
      },
    ]);
  }
  if (!YAML_EXTS.has(extname(file).toLowerCase())) return partial(readIniInventory(file, text, raw));
  const yaml = parseYaml(file, text, '1.1');
  const contents = yaml.source?.doc.contents;
  if (yaml.source && isMap(contents)) {
    const plugin = yaml.source.doc.get('plugin');
    if (typeof plugin === 'string') {
      return partial([
        {
          where: { file, line: 1, col: 1 },
          message: `this configures the inventory plugin ${JSON.stringify(plugin)}; runstate reads static inventories only`,
          hint: `save what it finds as a file: ansible-inventory -i ${file} --list --yaml > inventory.yml`,
        },
      ]);
    }
    return { problems: [...yaml.problems, ...readInventoryDoc(yaml.source, raw)], whole: true };
  }
  if (yaml.source && (contents === null || contents === undefined))
    return { problems: yaml.problems, whole: true };
  // Not a YAML mapping: Ansible's ini plugin gets its turn. Try it on a copy, and keep the error of
  // whichever reading got further when both fail.
  const trial = structuredClone(raw);
  const ini = readIniInventory(file, text, trial);
  if (ini.length === 0 || yaml.source) {
    raw.groups = trial.groups;
    raw.hosts = trial.hosts;
    return partial(ini);
  }
  const iniLine = ini[0]?.where?.line ?? 0;
  const yamlLine = yaml.problems[0]?.where?.line ?? 0;
  const preferIni = extname(file) === '' ? iniLine >= yamlLine : iniLine > yamlLine;
  return partial(preferIni ? ini : yaml.problems);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Ansible's host_group_vars plugin: for every group and host of the inventory, `<dir>/group_vars/NAME`
 * (or host_vars/), the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists; a directory
 * contributes its files (recursively, by name; no extension or a YAML one). Names of groups or
 * hosts the inventory does not have are ignored.
 */
async function readVarFiles(
  dir: string,
  raw: RawInventory,
  warnings: Problem[],
  implicit: RawHost[],
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const kinds = [
    ['group_vars', [...raw.groups.values()]],
    ['host_vars', [...raw.hosts.values(), ...implicit]],
  ] as const;
  for (const [kind, entities] of kinds) {
    const base = join(dir, kind);
    if (!(await isDir(base))) continue;
    for (const entity of entities) {
      for (const ext of ['', '.yml', '.yaml', '.json']) {
        const path = join(base, entity.name + ext);
        const directory = await isDir(path);
        if (!directory && !(await isFile(path))) continue;
        for (const file of directory ? await varFilesIn(path) : [path]) {
          problems.push(...(await readVarFile(file, entity.fileVars, raw, warnings)));
        }
        break;
      }
    }
  }
  return problems;
}

async function varFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const full = join(dir, name);
    const ext = extname(name);
    if ((await isDir(full)) && ext === '') out.push(...(await varFilesIn(full)));
    else if ((await isFile(full)) && YAML_EXTS.has(ext)) out.push(full);
  }
  return out;
}

async function readVarFile(
  file: string,
  into: VarMap,
  raw: RawInventory,
  warnings: Problem[],
): Promise<Problem[]> {
  const { text, problem } = await readText(file, 'inventory');
  if (problem || text === undefined) return problem ? [problem] : [];
  if (text.startsWith('$ANSIBLE_VAULT')) {
    warnings.push({
      where: fileRef(file),
      message: 'this file is vault-encrypted; runstate does not decrypt it, so its variables are not applied',
      hint: 'keep connection variables (ansible_user, ansible_host…) in a plain file beside it',
    });
    return [];
  }
  raw.files.push(file);
  const parsed = parseYaml(file, text, '1.1');
  if (!parsed.source) return parsed.problems;
  const contents = parsed.source.doc.contents;
  const empty = contents === null || (isScalar(contents) && contents.value === null);
  if (!empty && !isMap(contents)) {
    return [
      ...parsed.problems,
      {
        where: fileRef(file),
        message: 'a vars file must hold a mapping of variable names to values',
        hint: 'write "name: value" lines',
      },
    ];
  }
  if (!empty) readVars(parsed.source, contents, into);
  return parsed.problems;
}
