import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Tags,
  visit,
} from 'yaml';
import type { Problem, SourceRef } from '../model/source.js';
import { parseFast } from './yaml-fast.js';

/** A parsed YAML file with what is needed to point back at its text. */
export interface SourceDoc {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The whole document as plain data, made once when it was parsed (the alias check needs it). */
  data?: unknown;
}

/** One key of a mapping, merge keys (`<<`) and aliases already followed. */
export interface Entry {
  key: string;
  keyNode: Node | undefined;
  value: Node | undefined;
}

/**
 * Parses one file. Syntax errors make the file unusable (no `source`); duplicate keys are
 * reported but the file is still checked further, so one run shows every problem.
 * Inventories are read as YAML 1.1 like Ansible does (`yes` is true); playbooks as YAML 1.2.
 */
export function parseYaml(
  file: string,
  text: string,
  version: '1.1' | '1.2',
): { source?: SourceDoc; problems: Problem[] } {
  const options = {
    prettyErrors: false,
    uniqueKeys: false,
    merge: true,
    version,
    ...(version === '1.1' ? { customTags: pyyamlBooleans } : {}),
  };
  // Plain generated YAML (large fleets) is read by the fast reader; anything else, and every
  // syntax error, by `yaml` itself. Both make the same nodes at the same offsets.
  const fast = parseFast(text, options);
  if (fast) {
    const source = { file, doc: fast.doc, lines: fast.lines, data: fast.data };
    // The fast reader's walk to plain data already tells whether any mapping may repeat a key;
    // the node-by-node check (a Map per mapping) runs only then.
    return { source, problems: fast.maybeDuplicates ? duplicateKeys(source) : [] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...options, lineCounter: lines });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      where: refAtOffset({ file, lines }, e.pos[0]),
      message: `invalid YAML: ${firstLine(e.message)}`,
      hint: yamlHint(e.code, text),
    }));
    // One unclosed bracket is reported once per enclosing collection, all at the same place.
    const unique = problems.filter(
      (p, i) => problems.findIndex((o) => o.message === p.message && o.where.line === p.where.line) === i,
    );
    return { problems: unique };
  }
  return fromDoc(file, doc, lines);
}

function fromDoc(
  file: string,
  doc: Document,
  lines: LineCounter,
): { source?: SourceDoc; problems: Problem[] } {
  const checked = aliasBomb(doc);
  if ('offset' in checked)
    return { problems: [{ where: refAtOffset({ file, lines }, checked.offset), ...checked.problem }] };
  const source = { file, doc, lines, data: checked.data };
  return { source, problems: duplicateKeys(source) };
}

/**
 * A "billion laughs" document (aliases of aliases) expands exponentially when read: `yaml` stops
 * at its alias limit with an exception. Expand once here, so that is a file:line error instead.
 */
function aliasBomb(doc: Document): { data: unknown } | { offset: number; problem: Omit<Problem, 'where'> } {
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
    let offset = 0;
    visit(doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return {
      offset,
      problem: {
        message: 'invalid YAML: its aliases expand to an excessively large document',
        hint: 'write the values out, or use fewer nested aliases (*name)',
      },
    };
  }
}

const BOOL_TAG = 'tag:yaml.org,2002:bool';
const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

/** YAML 1.1 as PyYAML (so Ansible) reads it: `y` and `n` stay strings, unlike the 1.1 spec. */
function pyyamlBooleans(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || t.tag !== BOOL_TAG || !('test' in t) || !t.test) return t;
    return { ...t, test: t.test.test('y') ? PYYAML_TRUE : PYYAML_FALSE };
  });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function yamlHint(code: string, text: string): string | undefined {
  if (/^\t/m.test(text)) return 'YAML indentation must use spaces, not tabs';
  if (code === 'BAD_INDENT' || code === 'BAD_INDENT_CHAR') return 'check the indentation of this line';
  return undefined;
}

/** The whole document as plain data (as `doc.toJS()`), made once per file. */
export function dataOf(src: SourceDoc): unknown {
  if (!('data' in src)) src.data = src.doc.toJS({ maxAliasCount: 100 });
  return src.data;
}

/** A node's value as plain data; a scalar's is its value (what `toJS` returns), without a walk. */
export function nodeData(src: SourceDoc, node: Node | undefined): unknown {
  if (node === undefined) return undefined;
  return isScalar(node) ? node.value : node.toJS(src.doc);
}

export function refAtOffset(src: Pick<SourceDoc, 'file' | 'lines'>, offset: number): SourceRef {
  const { line, col } = src.lines.linePos(offset);
  return { file: src.file, line, col };
}

/** A problem about a whole file (missing, unreadable): no line or column. */
export function fileRef(file: string): SourceRef {
  return { file, line: 0, col: 0 };
}

export function refOf(src: SourceDoc, node: Node | undefined | null): SourceRef {
  const offset = node?.range?.[0];
  return offset === undefined ? { file: src.file, line: 1, col: 1 } : refAtOffset(src, offset);
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return JSON.stringify(key);
}

function deref(src: SourceDoc, node: unknown): Node | undefined {
  if (isAlias(node)) return deref(src, node.resolve(src.doc));
  return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === '<<' && (!key.type || key.type === 'PLAIN');
}

/** The entries of a mapping node in order, merged mappings first so explicit keys win (as in toJS). */
export function mapEntries(src: SourceDoc, node: unknown, seen = new Set<unknown>()): Entry[] {
  const map = deref(src, node);
  if (!isMap(map) || seen.has(map)) return [];
  seen.add(map);
  const out = new Map<string, Entry>();
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const merged = deref(src, pair.value);
    const sources = isSeq(merged) ? merged.items : [merged];
    for (const m of sources) for (const e of mapEntries(src, m, seen)) out.set(e.key, e);
  }
  for (const pair of map.items) {
    if (isMergeKey(pair.key)) continue;
    const key = keyText(pair.key);
    out.delete(key);
    out.set(key, { key, keyNode: isScalar(pair.key) ? pair.key : undefined, value: deref(src, pair.value) });
  }
  return [...out.values()];
}

/** The key and value nodes at a JSON path (`['hosts', 'db', 'services']`); undefined where it ends. */
export function nodeAt(
  src: SourceDoc,
  path: readonly string[],
): { key?: Node; value?: Node; depth: number; parent?: Node } {
  let value = deref(src, src.doc.contents);
  let key: Node | undefined;
  let parent: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isSeq(value)) {
      const item = deref(src, value.items[Number(seg)]);
      if (item === undefined) break;
      parent = value;
      key = undefined;
      value = item;
    } else {
      const entry = mapEntries(src, value).find((e) => e.key === seg);
      if (entry === undefined) break;
      parent = value;
      key = entry.keyNode;
      value = entry.value;
    }
    depth++;
  }
  return { key, value, depth, parent };
}

/** Where to point for a path: the key if asked and known, else the value, else the nearest parent. */
export function refAtPath(src: SourceDoc, path: readonly string[], prefer: 'key' | 'value'): SourceRef {
  const at = nodeAt(src, path);
  if (at.depth < path.length) return refOf(src, at.key ?? at.value);
  if (prefer === 'key' && at.key) return refOf(src, at.key);
  return refOf(src, at.value?.range ? at.value : (at.key ?? at.value));
}

/** Duplicate keys in any mapping, each reported at the second occurrence. */
function duplicateKeys(src: SourceDoc): Problem[] {
  const problems: Problem[] = [];
  const visit = (node: unknown): void => {
    if (isSeq(node)) for (const item of node.items) visit(item);
    if (!isMap(node)) return;
    const seen = new Map<string, unknown>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const first = seen.get(key);
      if (first !== undefined && !isMergeKey(pair.key)) {
        problems.push({
          where: refOf(src, pair.key as Node),
          message: `duplicate key "${key}"`,
          hint: `first defined at ${formatRef(refOf(src, first as Node))}; keep one of them`,
        });
      } else seen.set(key, pair.key);
      visit(pair.value);
    }
  };
  visit(src.doc.contents);
  return problems;
}

export function formatRef(ref: SourceRef): string {
  return ref.line > 0 ? `${ref.file}:${ref.line}:${ref.col}` : ref.file;
}
