import { hostNamed, type Inventory, type InventoryGroup } from '../model/inventory.js';

/**
 * What runstate resolved, in the shapes of `ansible-inventory --list`, `--host` and `--graph`
 * (ansible-core 2.14), so a user can diff the two: groups in the inventory's order, `hosts` the
 * group's own hosts, empty groups left out of --list, `_meta.hostvars` the merged variables of
 * every host that has any. Keys are sorted as ansible-inventory sorts them.
 */
export function inventoryList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (g: InventoryGroup): void => {
    const entry: Record<string, string[]> = {};
    const own = g.name === 'all' ? [] : (g.ownHosts ?? []);
    if (own.length > 0) entry.hosts = own;
    if (g.children.length > 0) entry.children = g.children;
    if (Object.keys(entry).length > 0) out[g.name] = entry;
    for (const c of g.children) {
      const child = inv.groups[c];
      if (child && !seen.has(c)) {
        seen.add(c);
        visit(child);
      }
    }
  };
  const all = inv.groups.all;
  if (all) visit(all);
  const hostvars: Record<string, unknown> = {};
  for (const h of Object.values(inv.hosts)) if (Object.keys(h.vars).length > 0) hostvars[h.name] = h.vars;
  out._meta = { hostvars };
  return sortKeys(out) as Record<string, unknown>;
}

/** `ansible-inventory --host NAME`: the host's merged variables. */
export function inventoryHostVars(inv: Inventory, name: string): Record<string, unknown> | undefined {
  const h = hostNamed(inv, name);
  return h ? (sortKeys(h.vars) as Record<string, unknown>) : undefined;
}

/** `ansible-inventory --graph [GROUP]`. */
export function inventoryGraph(inv: Inventory, top = 'all'): string[] {
  const lines: string[] = [];
  const at = (name: string, depth: number) => (depth > 0 ? `${'  |'.repeat(depth)}--${name}` : name);
  const walk = (g: InventoryGroup, depth: number, trail: Set<string>): void => {
    lines.push(at(`@${g.name}:`, depth));
    for (const c of g.children) {
      const child = inv.groups[c];
      if (child && !trail.has(c)) walk(child, depth + 1, new Set([...trail, c]));
    }
    if (g.name !== 'all') for (const h of g.ownHosts ?? []) lines.push(at(h, depth + 1));
  };
  const g = inv.groups[top];
  if (g) walk(g, 0, new Set([top]));
  return lines;
}

/** JSON with object keys sorted, as Python's json.dumps(sort_keys=True) writes them. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, x]) => [k, sortKeys(x)]));
}
