import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { initKinds } from '../drivers/index.js';
import type { ManagerKind } from '../model/desired.js';
import type { Inventory, InventoryGroup, InventoryHost } from '../model/inventory.js';
import type { Problem, SourceRef } from '../model/source.js';
import {
  CONNECTION_VARS,
  ensureGroup,
  type RawGroup,
  type RawInventory,
  type VarMap,
  type VarValue,
} from './inventory-parse.js';
import { q } from './names.js';
import { formatRef } from './yaml-doc.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Applies Ansible's rules: implicit all/ungrouped, group depth, and variable precedence. */
export function resolveInventory(raw: RawInventory, problems: Problem[]): Inventory {
  const first: SourceRef = { file: raw.files[0] ?? '', line: 1, col: 1 };
  const all = ensureGroup(raw, 'all', first);
  const ungrouped = ensureGroup(raw, 'ungrouped', first);
  for (const h of raw.hosts.values()) {
    const g = raw.groups.get(h.name);
    if (g) {
      problems.push({
        where: h.where,
        message: `${q(h.name)} is both a host and a group`,
        hint:
          g === all || g === ungrouped
            ? `${q(g.name)} is a group Ansible always has; rename the host`
            : `the group is defined at ${formatRef(g.where)}; hosts and groups share one namespace, rename one`,
      });
    }
  }
  const parents = parentsOf(raw);
  for (const g of raw.groups.values()) {
    if (g !== all && (parents.get(g.name)?.size ?? 0) === 0) {
      all.children.add(g.name);
      parents.get(g.name)?.add('all');
    }
  }
  breakCycles(raw, parents, problems);
  const depth = depths(parents);
  const members = transitiveHosts(raw);
  for (const h of raw.hosts.values()) {
    const inOther = [...raw.groups.values()].some(
      (g) => g !== all && g !== ungrouped && members.get(g.name)?.has(h.name),
    );
    if (inOther) ungrouped.hosts.delete(h.name);
    else ungrouped.hosts.add(h.name);
  }
  all.hosts = new Set(raw.hosts.keys());
  const finalMembers = transitiveHosts(raw);

  const groups: Record<string, InventoryGroup> = {};
  for (const g of [...raw.groups.values()].sort((a, b) => byName(a.name, b.name))) {
    groups[g.name] = {
      name: g.name,
      hosts: [...(finalMembers.get(g.name) ?? [])].sort(byName),
      children: [...g.children].sort(byName),
      source: g.where,
    };
  }
  const hosts: Record<string, InventoryHost> = {};
  for (const h of [...raw.hosts.values()].sort((a, b) => byName(a.name, b.name))) {
    const hostGroups = [...raw.groups.values()].filter((g) => finalMembers.get(g.name)?.has(h.name));
    const ordered = hostGroups.sort(
      (a, b) =>
        (depth.get(a.name) ?? 0) - (depth.get(b.name) ?? 0) ||
        priority(a) - priority(b) ||
        byName(a.name, b.name),
    );
    // Ansible: inventory-file group vars < group_vars/ files < inventory-file host vars < host_vars/.
    const levels = [...ordered.map((g) => g.vars), ...ordered.map((g) => g.fileVars), h.vars, h.fileVars];
    hosts[h.name] = hostFromLevels(h.name, levels, hostGroups.map((g) => g.name).sort(byName), h.where);
  }
  return { files: raw.files, hosts, groups };
}

function parentsOf(raw: RawInventory): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const g of raw.groups.values()) parents.set(g.name, parents.get(g.name) ?? new Set());
  for (const g of raw.groups.values()) for (const c of g.children) parents.get(c)?.add(g.name);
  return parents;
}

/** A group that is its own ancestor has no depth; report the loop and drop the edge that closes it. */
function breakCycles(raw: RawInventory, parents: Map<string, Set<string>>, problems: Problem[]): void {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (g: RawGroup, trail: string[]): void => {
    state.set(g.name, 'open');
    for (const c of [...g.children].sort(byName)) {
      const child = raw.groups.get(c);
      if (!child) continue;
      if (state.get(c) === 'open') {
        const loop = [...trail.slice(trail.indexOf(c)), g.name, c];
        problems.push({
          where: child.where,
          message: `group cycle: ${loop.join(' → ')}`,
          hint: 'a group cannot be a child of itself or of its own descendants',
        });
        g.children.delete(c);
        parents.get(c)?.delete(g.name);
      } else if (state.get(c) === undefined) visit(child, [...trail, g.name]);
    }
    state.set(g.name, 'done');
  };
  for (const g of [...raw.groups.values()].sort((a, b) => byName(a.name, b.name))) {
    if (!state.has(g.name)) visit(g, []);
  }
}

/** Ansible's depth: the longest chain of parents up to `all`. */
function depths(parents: Map<string, Set<string>>): Map<string, number> {
  const depth = new Map<string, number>();
  const of = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    depth.set(name, 0);
    let d = 0;
    for (const p of parents.get(name) ?? []) d = Math.max(d, of(p) + 1);
    depth.set(name, d);
    return d;
  };
  for (const name of parents.keys()) of(name);
  return depth;
}

function transitiveHosts(raw: RawInventory): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const of = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const set = new Set<string>();
    memo.set(name, set);
    const g = raw.groups.get(name);
    for (const h of g?.hosts ?? []) set.add(h);
    for (const c of g?.children ?? []) for (const h of of(c)) set.add(h);
    return set;
  };
  for (const name of raw.groups.keys()) of(name);
  return memo;
}

function priority(g: RawGroup): number {
  const p = (g.fileVars.get('ansible_group_priority') ?? g.vars.get('ansible_group_priority'))?.value;
  return typeof p === 'number' ? p : 1;
}

/** The value of one connection field: the highest level that sets it, runstate's spelling first. */
function pick(levels: readonly VarMap[], spellings: readonly string[]): VarValue | undefined {
  for (let i = levels.length - 1; i >= 0; i--) {
    for (const s of spellings) {
      const v = levels[i]?.get(s);
      if (v !== undefined && v.value !== null) return v;
    }
  }
  return undefined;
}

function expandPath(v: VarValue | undefined): string | undefined {
  if (typeof v?.value !== 'string') return undefined;
  const p = v.value;
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dirname(v.where.file), p);
}

function hostFromLevels(name: string, levels: VarMap[], groups: string[], source: SourceRef): InventoryHost {
  const vars: Record<string, unknown> = {};
  for (const level of levels) for (const [k, v] of level) vars[k] = v.value;
  const str = (v: VarValue | undefined) => (typeof v?.value === 'string' ? v.value : undefined);
  const port = pick(levels, CONNECTION_VARS.port)?.value;
  const connection = str(pick(levels, CONNECTION_VARS.connection));
  const host: InventoryHost = {
    name,
    address: str(pick(levels, CONNECTION_VARS.address)) ?? name,
    become: pick(levels, CONNECTION_VARS.become)?.value === true,
    connection: connection === 'local' ? 'local' : 'ssh',
    groups,
    vars,
    source,
  };
  if (typeof port === 'number') host.port = port;
  const user = str(pick(levels, CONNECTION_VARS.user));
  if (user !== undefined) host.user = user;
  const identity = expandPath(pick(levels, CONNECTION_VARS.identity));
  if (identity !== undefined) host.identity = identity;
  const knownHosts = expandPath(pick(levels, CONNECTION_VARS.knownHosts));
  if (knownHosts !== undefined) host.knownHosts = knownHosts;
  // Any other value was refused by the inventory schema, with its position.
  const init = str(pick(levels, ['runstate_init']));
  if (init && (initKinds() as string[]).includes(init)) host.init = init as ManagerKind;
  return host;
}
