import {
  type ImplicitLocalhost,
  type Inventory,
  type InventoryGroup,
  type InventoryHost,
  LOCALHOST_NAMES,
} from '../model/inventory.js';
import type { Problem, SourceRef } from '../model/source.js';
import { resolveConnection } from './connection-vars.js';
import {
  ensureGroup,
  type RawGroup,
  type RawHost,
  type RawInventory,
  type VarMap,
} from './inventory-parse.js';
import { q } from './names.js';
import { formatRef } from './yaml-doc.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Applies Ansible's rules: implicit all/ungrouped, group depth, and variable precedence; `implicit`
 * are the localhost names the inventory does not define (their host_vars/ read), made into the
 * implicit localhost's candidates.
 */
export function resolveInventory(
  raw: RawInventory,
  problems: Problem[],
  implicit: RawHost[] = [],
): Inventory {
  const first: SourceRef = { file: raw.files[0] ?? '', line: 1, col: 1 };
  const all = ensureGroup(raw, 'all', first);
  const ungrouped = ensureGroup(raw, 'ungrouped', first);
  for (const g of [all, ungrouped]) if (g.where.file === '') g.where = first;
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
  // Ansible's reconcile: a host in no group but all/ungrouped is ungrouped, and only then.
  const grouped = new Set<string>();
  for (const [name, set] of transitiveHosts(raw)) {
    if (name !== 'all' && name !== 'ungrouped') for (const h of set) grouped.add(h);
  }
  for (const h of raw.hosts.keys()) {
    if (grouped.has(h)) ungrouped.hosts.delete(h);
    else ungrouped.hosts.add(h);
  }
  const finalMembers = transitiveHosts(raw);
  for (const h of raw.hosts.keys()) finalMembers.get('all')?.add(h);

  const groups: Record<string, InventoryGroup> = {};
  for (const g of [...raw.groups.values()].sort((a, b) => byName(a.name, b.name))) {
    groups[g.name] = {
      name: g.name,
      hosts: [...(finalMembers.get(g.name) ?? [])].sort(byName),
      ownHosts: [...g.hosts],
      children: [...g.children],
      vars: Object.fromEntries([...g.vars].map(([k, v]) => [k, v.value])),
      source: g.where,
    };
  }
  const hostGroups = new Map<string, RawGroup[]>();
  for (const g of raw.groups.values()) {
    for (const h of finalMembers.get(g.name) ?? []) {
      const list = hostGroups.get(h) ?? [];
      list.push(g);
      hostGroups.set(h, list);
    }
  }
  const hosts: Record<string, InventoryHost> = {};
  const warnings = new Map<string, Problem>();
  const build = (h: RawHost, levels: VarMap[], groupNames: string[]): InventoryHost => {
    const set = levels.filter((level) => level.size > 0);
    // Only read from here on: with one level set (a host in groups only) that level itself.
    const merged: VarMap = set.length === 1 ? (set[0] as VarMap) : new Map();
    if (set.length > 1) for (const level of set) for (const [k, v] of level) merged.set(k, v);
    const conn = resolveConnection(h.name, merged, groupNames);
    const host: InventoryHost = {
      name: h.name,
      ...conn.fields,
      groups: groupNames,
      vars: Object.fromEntries([...merged].map(([k, v]) => [k, v.value])),
      source: h.where,
    };
    if (conn.refused.length > 0) host.refused = conn.refused;
    for (const { name, where } of conn.ignored) {
      const key = `${name}\0${formatRef(where)}`;
      if (!warnings.has(key)) {
        warnings.set(key, {
          where,
          message: `${name} is an Ansible setting runstate does not implement; it is ignored`,
        });
      }
    }
    return host;
  };
  // Hosts in the same groups share the ordering of those groups and their merged variables:
  // worked out once per combination of groups, not once per host (a fleet has few combinations).
  const combinations = new Map<string, { names: string[]; groupVars: VarMap }>();
  for (const h of [...raw.hosts.values()].sort((a, b) => byName(a.name, b.name))) {
    const member = hostGroups.get(h.name) ?? [];
    const key = member.map((g) => g.name).join('\u0000');
    let combination = combinations.get(key);
    if (!combination) {
      const ordered = [...member].sort(
        (a, b) =>
          (depth.get(a.name) ?? 0) - (depth.get(b.name) ?? 0) ||
          (a.priority ?? 1) - (b.priority ?? 1) ||
          byName(a.name, b.name),
      );
      // Ansible: inventory-file group vars < group_vars/ files < inventory-file host vars < host_vars/.
      const groupVars: VarMap = new Map();
      for (const level of [...ordered.map((g) => g.vars), ...ordered.map((g) => g.fileVars)]) {
        for (const [k, v] of level) groupVars.set(k, v);
      }
      combination = { names: ordered.map((g) => g.name).sort(byName), groupVars };
      combinations.set(key, combination);
    }
    hosts[h.name] = build(h, [combination.groupVars, h.vars, h.fileVars], combination.names.slice());
  }
  const candidates: ImplicitLocalhost['candidates'] = {};
  for (const h of implicit) {
    // As ansible-core sets them on the Host it makes: below host_vars/, above the `all` group's
    // vars (the implicit localhost is in no group, yet Ansible gives it all's variables).
    const own: VarMap = new Map([['ansible_connection', { value: 'local', where: h.where }]]);
    candidates[h.name] = build(h, [all.vars, all.fileVars, own, h.fileVars], []);
  }
  const order = { hosts: [...raw.hosts.keys()], groups: [...raw.groups.keys()] };
  const inventory: Inventory = { files: raw.files, hosts, groups, order, warnings: [...warnings.values()] };
  // ansible-core's add_host keeps the first host of a localhost name it adds as `self.localhost`.
  const definedLocal = [...raw.hosts.keys()].find((n) => LOCALHOST_NAMES.includes(n));
  if (definedLocal !== undefined) inventory.implicitLocalhost = { candidates: {}, name: definedLocal };
  else if (implicit.length > 0) inventory.implicitLocalhost = { candidates };
  return inventory;
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
