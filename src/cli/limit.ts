import type { Inventory } from '../model/inventory.js';
import { UserError } from '../model/source.js';

/**
 * `--limit` as Ansible reads it: comma/colon separated host names, group names or globs
 * (`app*`), `!pattern` to exclude and `&pattern` to intersect. Returns the selected host names.
 */
export function selectHosts(inventory: Inventory, limit: string | undefined): Set<string> {
  const all = Object.keys(inventory.hosts).sort();
  if (!limit) return new Set(all);
  let selected = new Set<string>();
  const parts = limit
    .split(/[,:]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const positives = parts.filter((p) => !p.startsWith('!') && !p.startsWith('&'));
  if (positives.length === 0) selected = new Set(all);
  for (const p of positives) for (const h of matchPattern(inventory, p, all)) selected.add(h);
  for (const p of parts.filter((x) => x.startsWith('&'))) {
    const keep = new Set(matchPattern(inventory, p.slice(1), all));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const p of parts.filter((x) => x.startsWith('!'))) {
    for (const h of matchPattern(inventory, p.slice(1), all)) selected.delete(h);
  }
  if (selected.size === 0) {
    throw new UserError(
      `--limit "${limit}" matches no host in the inventory`,
      undefined,
      `known hosts: ${all.join(', ')}; groups: ${Object.keys(inventory.groups).sort().join(', ')}`,
    );
  }
  return selected;
}

function matchPattern(inventory: Inventory, pattern: string, all: string[]): string[] {
  const group = inventory.groups[pattern];
  if (group) return group.hosts;
  if (inventory.hosts[pattern]) return [pattern];
  if (!/[*?[]/.test(pattern)) return [];
  const re = globToRegExp(pattern);
  const hosts = all.filter((h) => re.test(h));
  for (const g of Object.values(inventory.groups)) if (re.test(g.name)) hosts.push(...g.hosts);
  return hosts;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
