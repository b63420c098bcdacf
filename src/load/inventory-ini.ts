import type { Problem, SourceRef } from '../model/source.js';
import { expandHostPattern } from './host-pattern.js';
import { addHost, ensureGroup, type RawInventory, setGroupVar } from './inventory-parse.js';
import { q } from './names.js';
import { pythonLiteral } from './python-literal.js';
import { shlexSplit } from './shlex.js';

/** `[name]`, `[name:vars]`, `[name:children]`, a trailing `# comment` allowed (Ansible's regex). */
const SECTION = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/**
 * Reads one INI inventory into `raw`, as ansible-core's `ini` plugin does: hosts before any
 * section are ungrouped; `[g]` lists hosts (`name[:port] key=value …`, split like a shell line),
 * `[g:vars]` takes `key=value` lines, `[g:children]` group names, which may be declared later in
 * the same file. Values are Python literals where they parse as one (`2222`, `"['a']"`,
 * `True`), else strings (`no`, `{{ x }}`). Every problem carries file:line:col.
 */
export function readIniInventory(file: string, text: string, raw: RawInventory): Problem[] {
  const problems: Problem[] = [];
  const at = (line: number, col = 1): SourceRef => ({ file, line, col });
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  // Groups named by [x:vars] or [p:children] before they are declared here or in an earlier file.
  const pending = new Map<string, { where: SourceRef; state: 'vars' | 'children'; parents: string[] }>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i] ?? '';
    const line = rawLine.trim();
    const col = rawLine.length - rawLine.trimStart().length + 1;
    const where = at(i + 1, col);
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = SECTION.exec(line);
    if (section) {
      group = section[1] ?? '';
      const tag = section[2] ?? 'hosts';
      if (tag !== 'hosts' && tag !== 'vars' && tag !== 'children') {
        problems.push({
          where,
          message: `section [${group}:${tag}] has an unknown type ${q(tag)}`,
          hint: 'a section is [group], [group:vars] or [group:children]',
        });
        state = 'hosts';
        group = '';
        continue;
      }
      state = tag;
      if (!raw.groups.has(group) && state === 'vars' && !pending.has(group)) {
        pending.set(group, { where, state: 'vars', parents: [] });
      }
      ensureGroup(raw, group, where);
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') addPendingChildren(raw, group, pending);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      problems.push({
        where,
        message: `invalid section ${line}`,
        hint: 'a section header has no spaces and one optional ":vars" or ":children", e.g. [web:vars]',
      });
      group = '';
      continue;
    }
    if (group === '') continue; // lines of a section already reported as invalid
    if (state === 'hosts') problems.push(...hostLine(raw, line, group, where));
    else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        problems.push({
          where,
          message: `expected key=value in [${group}:vars], got ${q(line)}`,
          hint: 'write one variable per line, e.g. ansible_user=deploy',
        });
        continue;
      }
      const key = line.slice(0, eq).trim();
      const value = iniValue(line.slice(eq + 1).trim());
      setGroupVar(raw, group, key, { value, where });
    } else {
      const m = GROUP_NAME.exec(line);
      const child = m?.[1];
      if (child === undefined) {
        problems.push({
          where,
          message: `expected a group name in [${group}:children], got ${q(line)}`,
          hint: 'list one child group per line',
        });
        continue;
      }
      if (raw.groups.has(child)) addChild(raw, group, child);
      else {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { where, state: 'children', parents: [group] });
      }
    }
  }
  for (const [name, p] of pending) {
    problems.push(
      p.state === 'vars'
        ? {
            where: p.where,
            message: `section [${name}:vars] is for a group that is not defined: ${q(name)}`,
            hint: `declare the group with a [${name}] or [${name}:children] section`,
          }
        : {
            where: p.where,
            message: `section [${p.parents[p.parents.length - 1]}:children] names a group that is not defined: ${q(name)}`,
            hint: `declare it with a [${name}] section (it may be empty)`,
          },
    );
  }
  return problems;
}

function addChild(raw: RawInventory, parent: string, child: string): void {
  raw.groups.get(parent)?.children.add(child);
}

function addPendingChildren(
  raw: RawInventory,
  group: string,
  pending: Map<string, { state: 'vars' | 'children'; parents: string[] }>,
): void {
  for (const parent of pending.get(group)?.parents ?? []) {
    addChild(raw, parent, group);
    if (pending.get(parent)?.state === 'children') addPendingChildren(raw, parent, pending);
  }
  pending.delete(group);
}

function hostLine(raw: RawInventory, line: string, group: string, where: SourceRef): Problem[] {
  const split = shlexSplit(line);
  if ('error' in split) {
    return [{ where, message: `cannot split the host line: ${split.error}`, hint: 'close every quote' }];
  }
  const [pattern, ...assignments] = split.words;
  if (pattern === undefined) return [];
  if (pattern.endsWith(':')) {
    return [
      {
        where,
        message: `host ${q(pattern)} ends in ":"`,
        hint: 'a colon after a host name gives its port, e.g. web1:2222',
      },
    ];
  }
  if (pattern === '---') {
    return [{ where, message: 'a host named "---" is a sign this is a YAML file', hint: 'name it .yml' }];
  }
  const expanded = expandHostPattern(pattern);
  if ('error' in expanded) return [{ where, message: expanded.error, hint: expanded.hint }];
  const vars: [string, unknown][] = [];
  for (const word of assignments) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      return [
        {
          where,
          message: `expected key=value after host ${q(pattern)}, got ${q(word)}`,
          hint: 'host variables are written key=value; quote values that contain spaces',
        },
      ];
    }
    vars.push([word.slice(0, eq), iniValue(word.slice(eq + 1))]);
  }
  for (const name of expanded.names) {
    const h = addHost(raw, name, group, where, expanded.port);
    for (const [k, v] of vars) h.vars.set(k, { value: v, where });
  }
  return [];
}

/** Ansible's `_parse_value`: a Python literal when it is one, the text otherwise. */
export function iniValue(text: string): unknown {
  const lit = pythonLiteral(text);
  return lit ? lit.value : text;
}
