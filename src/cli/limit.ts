import { readFileSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { type Inventory, implicitHostInUse, useHost } from '../model/inventory.js';
import { UserError } from '../model/source.js';
import { compileWildcard, wildcardMatch } from '../model/wildcard.js';

// `~regex` patterns run on V8's linear-time engine (the `l` flag), so no pattern can backtrack.
setFlagsFromString('--enable-experimental-regexp-engine');

const HINT =
  'patterns: web, web:db (or web,db), web:&prod, web:!db3, web*, ~web\\d+, web[0], web[-1], web[1:3], @retry-file; see Ansible "Patterns: targeting hosts and groups"';

/**
 * `--limit` as Ansible's InventoryManager reads a host pattern: terms separated by `,` (or by
 * `:` outside brackets), plain terms unioned first, then `&` intersections, then `!` exclusions;
 * a term is a host or group name, an fnmatch glob, `~` a regex, with an optional subscript
 * `[i]`, `[-i]`, `[i:j]`, `[i:]` over the hosts in Ansible's order; `@file` reads one term per line.
 * `localhost`, `127.0.0.1` or `::1` matching nothing is Ansible's implicit localhost; without a
 * limit it is selected when a playbook named it (like a play's `hosts: localhost`), never by `all`.
 * Returns the selected host names; a bad pattern is a UserError (exit 1).
 */
export function selectHosts(
  inventory: Inventory,
  limit: string | undefined,
  warn?: (message: string) => void,
): Set<string> {
  const all = Object.keys(inventory.hosts).sort();
  if (!limit) return new Set([...all, ...implicitHostInUse(inventory)]);
  const terms = expandFiles(splitPattern(limit));
  const ordered = [
    ...terms.filter((t) => t[0] !== '&' && t[0] !== '!'),
    ...terms.filter((t) => t[0] === '&'),
    ...terms.filter((t) => t[0] === '!'),
  ];
  if (ordered.length === terms.filter((t) => t[0] === '&' || t[0] === '!').length) ordered.unshift('all');
  let selected: string[] = [];
  for (const term of ordered) {
    if (term in inventory.hosts) {
      if (!selected.includes(term)) selected.push(term);
      continue;
    }
    const op = term[0] === '&' || term[0] === '!' ? term[0] : '';
    const body = op ? term.slice(1) : term;
    let matched = matchTerm(inventory, body);
    // ansible-core's _enumerate_matches: a term naming no host or group, exactly one of
    // localhost's names, gets the implicit localhost (get_host makes it).
    const implicit = matched.length === 0 ? useHost(inventory, body) : undefined;
    if (implicit) matched = [implicit.name];
    if (matched.length === 0 && body !== 'all')
      warn?.(`--limit: "${body}" matches no host or group; ignoring it`);
    const set = new Set(matched);
    if (op === '!') selected = selected.filter((h) => !set.has(h));
    else if (op === '&') selected = selected.filter((h) => set.has(h));
    else {
      const have = new Set(selected);
      for (const h of matched) if (!have.has(h)) selected.push(h);
    }
  }
  if (selected.length === 0) {
    throw new UserError(`--limit "${limit}" matches no host in the inventory`, undefined, HINT);
  }
  return new Set(selected);
}

/** Ansible's split_host_pattern: commas if any, else one address-like term, else `:` outside brackets. */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(','))
    return pattern
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  if (
    /^[\w.-]+\[\d+:\d+(?::\d+)?\][\w.-]*$/.test(pattern.trim()) ||
    /^[0-9a-fA-F:]+::?[0-9a-fA-F:]*$/.test(pattern.trim())
  )
    return [pattern.trim()];
  return (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []).map((p) => p.trim()).filter(Boolean);
}

function expandFiles(terms: string[]): string[] {
  const out: string[] = [];
  for (const t of terms) {
    if (!t.startsWith('@')) {
      out.push(t);
      continue;
    }
    const file = t.slice(1);
    let text: string;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UserError(
        `--limit ${t}: cannot read the file ${file}`,
        undefined,
        'a limit file lists one host or pattern per line (a .retry file)',
      );
    }
    out.push(
      ...text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  return out;
}

const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(\d+)[:-](\d*))\]$/;

function matchTerm(inventory: Inventory, term: string): string[] {
  if (term === '') throw new UserError('--limit has an empty pattern', undefined, HINT);
  let expr = term;
  let sub: { start: number; end?: number } | undefined;
  const m = term.startsWith('~') ? null : SUBSCRIPT.exec(term);
  if (m?.[1]) {
    expr = m[1];
    sub =
      m[2] !== undefined ? { start: Number(m[2]) } : { start: Number(m[3]), end: m[4] ? Number(m[4]) : -1 };
  }
  const hosts = enumerate(inventory, expr);
  if (!sub) return hosts;
  const { start, end } = sub;
  if (end !== undefined && end !== 0) {
    const last = end === -1 ? hosts.length - 1 : end;
    return hosts.slice(start, last + 1);
  }
  const i = start < 0 ? hosts.length + start : start;
  const h = hosts[i];
  if (h === undefined) {
    throw new UserError(
      `--limit "${term}": no host at index ${start}; "${expr}" has ${hosts.length} host(s)`,
      undefined,
      'indexes count from 0 in the order the inventory lists the hosts (runstate inventory --graph shows it)',
    );
  }
  return [h];
}

/** Hosts of matching groups (in Ansible's order), then matching host names when the term is a glob. */
function enumerate(inventory: Inventory, expr: string): string[] {
  const test = matcher(expr);
  const groupNames = inventory.order?.groups ?? Object.keys(inventory.groups);
  const hostNames = inventory.order?.hosts ?? Object.keys(inventory.hosts);
  const groups = groupNames.filter(test);
  const out: string[] = [];
  for (const g of groups) out.push(...hostsInOrder(inventory, g));
  if (groups.length === 0 || expr.startsWith('~') || /[.?*[]/.test(expr)) out.push(...hostNames.filter(test));
  return [...new Set(out)];
}

function matcher(expr: string): (name: string) => boolean {
  if (!expr.startsWith('~')) {
    const w = compileWildcard(expr, { classes: true });
    return (name) => wildcardMatch(w, name);
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${expr.slice(1)})`, 'l');
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    throw new UserError(
      `--limit "${expr}" is not a regular expression runstate can run: ${why}`,
      undefined,
      'lookarounds and backreferences are refused so that matching stays linear in time',
    );
  }
  return (name) => re.test(name);
}

/** Ansible's Group.get_hosts(): the group's own hosts, then its descendants' level by level. */
export function hostsInOrder(inventory: Inventory, group: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>([group]);
  let level = [group];
  while (level.length > 0) {
    const next: string[] = [];
    for (const g of level) {
      const entry = inventory.groups[g];
      for (const h of entry?.ownHosts ?? entry?.hosts ?? []) out.add(h);
      for (const c of entry?.children ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          next.push(c);
        }
      }
    }
    level = next;
  }
  return [...out];
}
