import type { Node } from 'yaml';
import type { Problem, SourceRef } from '../model/source.js';
import { expandHostPattern } from './host-pattern.js';
import { q } from './names.js';
import { schemaProblems } from './schema.js';
import { mapEntries, refOf, type SourceDoc } from './yaml-doc.js';

/** A variable as written, with where it was written (for errors, explain and relative paths). */
export interface VarValue {
  value: unknown;
  where: SourceRef;
}
export type VarMap = Map<string, VarValue>;

export interface RawGroup {
  name: string;
  where: SourceRef;
  vars: VarMap;
  /** From group_vars/ files, which Ansible ranks above every inventory-file group var. */
  fileVars: VarMap;
  children: Set<string>;
  hosts: Set<string>;
}

export interface RawHost {
  name: string;
  where: SourceRef;
  vars: VarMap;
  fileVars: VarMap;
}

/** Every inventory file merged, before precedence is applied. */
export interface RawInventory {
  files: string[];
  groups: Map<string, RawGroup>;
  hosts: Map<string, RawHost>;
}

/** Spellings of the connection variables: runstate's first, then Ansible's (newest first). */
export const CONNECTION_VARS = {
  address: ['address', 'ansible_host', 'ansible_ssh_host'],
  port: ['port', 'ansible_port', 'ansible_ssh_port'],
  user: ['user', 'ansible_user', 'ansible_ssh_user'],
  identity: ['identity', 'ansible_ssh_private_key_file', 'ansible_private_key_file'],
  become: ['become', 'ansible_become'],
  knownHosts: ['known_hosts'],
  connection: ['connection', 'ansible_connection'],
} as const;

const CONNECTION_KEYS = new Set<string>(Object.values(CONNECTION_VARS).flat());

export function emptyInventory(): RawInventory {
  return { files: [], groups: new Map(), hosts: new Map() };
}

export function ensureGroup(raw: RawInventory, name: string, where: SourceRef): RawGroup {
  let g = raw.groups.get(name);
  if (!g) {
    g = { name, where, vars: new Map(), fileVars: new Map(), children: new Set(), hosts: new Set() };
    raw.groups.set(name, g);
  }
  return g;
}

function ensureHost(raw: RawInventory, name: string, where: SourceRef): RawHost {
  let h = raw.hosts.get(name);
  if (!h) {
    h = { name, where, vars: new Map(), fileVars: new Map() };
    raw.hosts.set(name, h);
  }
  return h;
}

function inventoryLabel(path: string[]): string {
  const n = path.length;
  const last = path[n - 1] ?? '';
  if (n === 0) return 'the inventory';
  if (last === 'vars') return `the vars of group ${q(path[n - 2] ?? '')}`;
  if (path[n - 2] === 'hosts') return `host ${q(last)}`;
  return `group ${q(last)}`;
}

function groupKeyHint(_path: string[], allowed: string[]): string | undefined {
  if (allowed.includes('children'))
    return 'a group has only "hosts", "children" and "vars"; put variables under "vars"';
  return undefined;
}

/** Reads one parsed inventory file into `raw` (shared by all files), reporting what is wrong. */
export function readInventoryDoc(src: SourceDoc, raw: RawInventory): Problem[] {
  const problems = schemaProblems('inventory', src.doc.toJS(), {
    src,
    label: inventoryLabel,
    unknownKeyHint: groupKeyHint,
  });
  const active = new Set<Node>();
  const group = (
    name: string,
    keyNode: Node | undefined,
    node: Node | undefined,
    parent?: RawGroup,
  ): void => {
    const g = ensureGroup(raw, name, refOf(src, keyNode));
    parent?.children.add(name);
    // A YAML alias can make a group contain itself; Ansible's loader would loop, we stop.
    if (node === undefined || active.has(node)) return;
    active.add(node);
    for (const e of mapEntries(src, node)) {
      if (e.key === 'hosts') for (const h of mapEntries(src, e.value)) hosts(h.key, h.keyNode, h.value, g);
      else if (e.key === 'children')
        for (const c of mapEntries(src, e.value)) group(c.key, c.keyNode, c.value, g);
      else if (e.key === 'vars') problems.push(...readVars(src, e.value, g.vars));
    }
    active.delete(node);
  };
  const hosts = (pattern: string, keyNode: Node | undefined, node: Node | undefined, g: RawGroup): void => {
    const where = refOf(src, keyNode);
    const expanded = expandHostPattern(pattern);
    if ('error' in expanded) {
      problems.push({ where, message: expanded.error, hint: expanded.hint });
      return;
    }
    const vars: VarMap = new Map();
    problems.push(...readVars(src, node, vars));
    for (const name of expanded.names) {
      const h = ensureHost(raw, name, where);
      g.hosts.add(name);
      // Like Ansible, the pattern's port is a host var that the host's own vars may override.
      if (expanded.port !== undefined) h.vars.set('ansible_port', { value: expanded.port, where });
      for (const [k, v] of vars) h.vars.set(k, v);
    }
  };
  for (const e of mapEntries(src, src.doc.contents)) group(e.key, e.keyNode, e.value);
  return problems;
}

/** Copies a vars mapping into `into`, later keys winning; flags templates in connection vars. */
export function readVars(src: SourceDoc, node: Node | undefined, into: VarMap): Problem[] {
  const problems: Problem[] = [];
  for (const e of mapEntries(src, node)) {
    const value: unknown = e.value ? e.value.toJS(src.doc) : null;
    into.set(e.key, { value, where: refOf(src, e.keyNode) });
    if (CONNECTION_KEYS.has(e.key) && typeof value === 'string' && value.includes('{{')) {
      problems.push({
        where: refOf(src, e.value),
        message: `${q(e.key)} is a Jinja template, which runstate does not evaluate`,
        hint: 'write the value itself',
      });
    }
  }
  return problems;
}
