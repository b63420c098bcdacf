import type { Node } from 'yaml';
import type { Problem, SourceRef } from '../model/source.js';
import { expandHostPattern } from './host-pattern.js';
import { q } from './names.js';
import { schemaProblems } from './schema.js';
import { dataOf, mapEntries, refOf, type SourceDoc } from './yaml-doc.js';

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
  /** In the order the inventory names them (Ansible's order for `group[0]` and `--list`). */
  children: Set<string>;
  hosts: Set<string>;
  /** `ansible_group_priority` from the inventory source; Ansible consumes it, it is no variable. */
  priority?: number;
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

/** `all` and `ungrouped` exist from the start, `ungrouped` first among all's children, as in Ansible. */
export function emptyInventory(): RawInventory {
  const raw: RawInventory = { files: [], groups: new Map(), hosts: new Map() };
  const nowhere = { file: '', line: 1, col: 1 };
  ensureGroup(raw, 'all', nowhere).children.add('ungrouped');
  ensureGroup(raw, 'ungrouped', nowhere);
  return raw;
}

export function ensureGroup(raw: RawInventory, name: string, where: SourceRef): RawGroup {
  let g = raw.groups.get(name);
  if (!g) {
    g = { name, where, vars: new Map(), fileVars: new Map(), children: new Set(), hosts: new Set() };
    raw.groups.set(name, g);
  } else if (g.where.file === '') g.where = where;
  return g;
}

/**
 * Adds a host to a group. Like Ansible, a `host:port` sets the host var ansible_port only when it
 * creates the host, and the host's own vars may override it.
 */
export function addHost(
  raw: RawInventory,
  name: string,
  group: string,
  where: SourceRef,
  port?: number,
): RawHost {
  let h = raw.hosts.get(name);
  if (!h) {
    h = { name, where, vars: new Map(), fileVars: new Map() };
    if (port !== undefined) h.vars.set('ansible_port', { value: port, where });
    raw.hosts.set(name, h);
  }
  ensureGroup(raw, group, where).hosts.add(name);
  return h;
}

/** A group variable from an inventory source; `ansible_group_priority` sets the priority instead. */
export function setGroupVar(raw: RawInventory, group: string, key: string, v: VarValue): void {
  const g = ensureGroup(raw, group, v.where);
  if (key === 'ansible_group_priority') {
    const n = Number(v.value);
    if (Number.isInteger(n)) g.priority = n;
    return;
  }
  g.vars.set(key, v);
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

/** Reads one parsed YAML inventory file into `raw` (shared by all files), reporting what is wrong. */
export function readInventoryDoc(src: SourceDoc, raw: RawInventory): Problem[] {
  const problems = schemaProblems('inventory', dataOf(src), {
    src,
    label: inventoryLabel,
    unknownKeyHint: groupKeyHint,
  });
  const active = new Set<Node>();
  const group = (name: string, keyNode: Node | undefined, node: Node | undefined, parent?: string): void => {
    const g = ensureGroup(raw, name, refOf(src, keyNode));
    if (parent !== undefined) raw.groups.get(parent)?.children.add(name);
    // A YAML alias can make a group contain itself; Ansible's loader would loop, we stop.
    if (node === undefined || active.has(node)) return;
    active.add(node);
    for (const e of mapEntries(src, node)) {
      if (e.key === 'hosts')
        for (const h of mapEntries(src, e.value)) hosts(h.key, h.keyNode, h.value, g.name);
      else if (e.key === 'children')
        for (const c of mapEntries(src, e.value)) group(c.key, c.keyNode, c.value, g.name);
      else if (e.key === 'vars') {
        const vars: VarMap = new Map();
        readVars(src, e.value, vars);
        for (const [k, v] of vars) setGroupVar(raw, g.name, k, v);
      }
    }
    active.delete(node);
  };
  const hosts = (pattern: string, keyNode: Node | undefined, node: Node | undefined, g: string): void => {
    const where = refOf(src, keyNode);
    const expanded = expandHostPattern(pattern);
    if ('error' in expanded) {
      problems.push({ where, message: expanded.error, hint: expanded.hint });
      return;
    }
    const vars: VarMap = new Map();
    readVars(src, node, vars);
    for (const name of expanded.names) {
      const h = addHost(raw, name, g, where, expanded.port);
      for (const [k, v] of vars) h.vars.set(k, v);
    }
  };
  for (const e of mapEntries(src, src.doc.contents)) group(e.key, e.keyNode, e.value);
  return problems;
}

/** Copies a vars mapping into `into`, later keys winning. */
export function readVars(src: SourceDoc, node: Node | undefined, into: VarMap): void {
  for (const e of mapEntries(src, node)) {
    const value: unknown = e.value ? e.value.toJS(src.doc) : null;
    into.set(e.key, { value, where: refOf(src, e.keyNode) });
  }
}
