import {
  Document,
  type DocumentOptions,
  isScalar,
  LineCounter,
  type Node,
  Pair,
  type ParseOptions,
  Scalar,
  type SchemaOptions,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

/**
 * A fast reader for the plain YAML that large generated fleets are written in: block mappings and
 * sequences indented with spaces, one-line flow collections, plain and simple quoted scalars,
 * comments. It builds the same nodes, with the same start offsets and line table, that `yaml`'s
 * `parseDocument` builds for such text, in a fraction of the time (`yaml`'s lexer, CST and composer
 * were most of loading a 10,000-host inventory). On anything else — anchors, aliases, tags, merge
 * keys, block or multi-line scalars, escapes, tabs, directives, several documents, anything `yaml`
 * could report — it gives up and the caller parses with `yaml` itself, so syntax errors and their
 * positions always come from `yaml`. test/unit/load/yaml-fast.test.ts checks node for node that both
 * agree on every YAML file of the repository, the Ansible corpus and generated fleets.
 */

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

type Options = ParseOptions & DocumentOptions & SchemaOptions;

interface ScalarTag {
  tag: string;
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
}

const SCALAR = Symbol.for('yaml.scalar');
/** Characters of a plain scalar this reader accepts (never an indicator, quote, ':' or '#'), by code. */
const PLAIN = charTable('A-Za-z0-9_./~@+-');
const PLAIN_FIRST = charTable('A-Za-z0-9_./~');

function charTable(set: string): Uint8Array {
  const table = new Uint8Array(128);
  const re = new RegExp(`[${set}]`);
  for (let c = 0; c < 128; c++) if (re.test(String.fromCharCode(c))) table[c] = 1;
  return table;
}
/** Whether the character at `i` is in the table (ASCII only; anything else is left to `yaml`). */
const isIn = (table: Uint8Array, text: string, i: number): boolean => table[text.charCodeAt(i)] === 1;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it must not accept
const ODD_IN_QUOTES = /[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/;
/** Longer lines give up: `yaml` refuses implicit keys over 1,024 characters. */
const MAX_LINE = 1000;

interface Frame {
  indent: number;
  node: YAMLMap | YAMLSeq;
}

class Reader {
  private readonly tags: ScalarTag[];
  private readonly str: ScalarTag;
  private readonly options: unknown;
  /** Tag resolution by text, for keys and for values: generated fleets repeat the same few words. */
  private readonly keyTags = new Map<string, ScalarTag>();
  private readonly valueTags = new Map<string, ScalarTag>();
  text = '';
  lineEnd = 0;
  /**
   * Where the last flow value, key or quoted scalar read ended: set by those readers instead of
   * handing back a { node, end } pair each (one object fewer per scalar on 40,000-line files).
   */
  end = 0;

  constructor(doc: Document) {
    const schema = doc.schema as unknown as { tags: ScalarTag[]; compat?: unknown; [SCALAR]: ScalarTag };
    if (schema.compat) giveUp();
    this.tags = schema.tags;
    this.str = schema[SCALAR];
    this.options = doc.options;
  }

  /** A plain scalar, its tag found the way `yaml`'s composer finds it (first default tag whose test matches). */
  plain(value: string, start: number, atKey: boolean): Scalar {
    const cache = atKey ? this.keyTags : this.valueTags;
    let tag = cache.get(value);
    if (!tag) {
      tag =
        this.tags.find(
          (t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(value),
        ) ?? this.str;
      cache.set(value, tag);
    }
    const res = tag.resolve(value, giveUp, this.options);
    const scalar = isScalar(res) ? res : new Scalar(res);
    scalar.range = [start, start + value.length, start + value.length];
    scalar.source = value;
    scalar.type = 'PLAIN';
    if (tag.format) scalar.format = tag.format;
    return scalar;
  }

  quoted(start: number): Scalar {
    const q = this.text[start] as string;
    const close = this.text.indexOf(q, start + 1);
    if (close < 0 || close >= this.lineEnd) giveUp();
    const value = this.text.slice(start + 1, close);
    // Escapes, '' inside single quotes and control or line-breaking characters are left to `yaml`.
    if (q === '"' && value.includes('\\')) giveUp();
    if (ODD_IN_QUOTES.test(value)) giveUp();
    if (q === "'" && this.text[close + 1] === "'") giveUp();
    const node = new Scalar(value);
    node.range = [start, close + 1, close + 1];
    node.source = value;
    node.type = q === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
    this.end = close + 1;
    return node;
  }

  /** A plain scalar in a flow collection or a key: plain characters up to the first other one. */
  word(start: number, atKey: boolean): Scalar {
    const t = this.text;
    if (!isIn(PLAIN_FIRST, t, start)) giveUp();
    let end = start + 1;
    while (end < this.lineEnd && isIn(PLAIN, t, end)) end++;
    this.end = end;
    return this.plain(t.slice(start, end), start, atKey);
  }

  spaces(pos: number): number {
    while (this.text[pos] === ' ') pos++;
    return pos;
  }

  flowValue(pos: number): Node {
    const c = this.text[pos];
    if (c === '{') return this.flowMap(pos);
    if (c === '[') return this.flowSeq(pos);
    if (c === '"' || c === "'") return this.quoted(pos);
    return this.word(pos, false);
  }

  flowKey(pos: number): Scalar {
    const c = this.text[pos];
    return c === '"' || c === "'" ? this.quoted(pos) : this.word(pos, true);
  }

  flowMap(start: number): YAMLMap {
    const map = new YAMLMap(this.schema);
    map.flow = true;
    let pos = this.spaces(start + 1);
    if (this.text[pos] !== '}') {
      for (;;) {
        const key = this.flowKey(pos);
        // "key: value" only; "key:value", "key" alone and "key:" with no value are left to `yaml`.
        if (this.text[this.end] !== ':' || this.text[this.end + 1] !== ' ') giveUp();
        pos = this.spaces(this.end + 1);
        const value = this.flowValue(pos);
        map.items.push(new Pair(key, value));
        pos = this.spaces(this.end);
        if (this.text[pos] === '}') break;
        if (this.text[pos] !== ',') giveUp();
        pos = this.spaces(pos + 1);
        if (this.text[pos] === '}') giveUp(); // a trailing comma
      }
    }
    map.range = [start, pos + 1, pos + 1];
    this.end = pos + 1;
    return map;
  }

  flowSeq(start: number): YAMLSeq {
    const seq = new YAMLSeq(this.schema);
    seq.flow = true;
    let pos = this.spaces(start + 1);
    if (this.text[pos] !== ']') {
      for (;;) {
        seq.items.push(this.flowValue(pos));
        pos = this.spaces(this.end);
        if (this.text[pos] === ']') break;
        if (this.text[pos] !== ',') giveUp();
        pos = this.spaces(pos + 1);
        if (this.text[pos] === ']') giveUp();
      }
    }
    seq.range = [start, pos + 1, pos + 1];
    this.end = pos + 1;
    return seq;
  }

  schema: Document['schema'] | undefined;

  /** After a value: only spaces and a comment (after a space) may follow on the line. */
  lineTail(pos: number): void {
    const rest = this.spaces(pos);
    if (rest === this.lineEnd) return;
    if (this.text[rest] !== '#' || rest === pos) giveUp();
  }

  /** A value written on the key's (or dash's) own line, at `pos`. */
  inlineValue(pos: number): Node {
    const t = this.text;
    const c = t[pos] as string;
    if (c === '{' || c === '[' || c === '"' || c === "'") {
      const v = this.flowValue(pos);
      this.lineTail(this.end);
      return v;
    }
    if (!isIn(PLAIN_FIRST, t, pos)) giveUp();
    // A block plain scalar runs to a comment (" #") or the end of the line, trailing spaces cut.
    const hash = t.indexOf(' #', pos);
    let end = hash < 0 || hash > this.lineEnd ? this.lineEnd : hash;
    while (end > pos && t[end - 1] === ' ') end--;
    for (let i = pos + 1; i < end; i++) {
      if (t.charCodeAt(i) !== 32 && !isIn(PLAIN, t, i)) giveUp();
    }
    return this.plain(t.slice(pos, end), pos, false);
  }
}

/**
 * The document `parseDocument(text, options)` would make, with its line table, or undefined when
 * the text is not of the simple kind read here.
 */
export function parseFast(
  text: string,
  options: Options,
): { doc: Document; lines: LineCounter; data: unknown; maybeDuplicates: boolean } | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  const doc = new Document(null, options);
  const lines = new LineCounter();
  try {
    const root = read(text, doc, lines);
    if (!root) return undefined;
    doc.contents = root;
    const seen = { maybeDuplicates: false };
    const data = toData(root, seen);
    return { doc, lines, data, maybeDuplicates: seen.maybeDuplicates };
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

function read(text: string, doc: Document, lines: LineCounter): YAMLMap | undefined {
  const r = new Reader(doc);
  r.text = text;
  r.schema = doc.schema;
  const stack: Frame[] = [];
  /** A key whose value is not on its line: a nested block, or an empty (null) value. */
  let pending: { pair: Pair<Node, Node | null>; indent: number; at: number } | undefined;
  /** Indent of the entry whose value was on its line: deeper lines would continue that scalar. */
  let inlineAt = -1;
  let root: YAMLMap | undefined;
  lines.addNewLine(0);
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    else lines.addNewLine(end + 1);
    const next = end + 1;
    if (end - start > MAX_LINE) giveUp();
    r.lineEnd = end;
    const first = r.spaces(start);
    const indent = first - start;
    const c = text[first];
    if (first === end || c === '#') {
      start = next;
      continue;
    }
    if (indent === 0 && (c === '%' || text.startsWith('---', first) || text.startsWith('...', first))) {
      // One `---` before everything (as Ansible files often start) is only a document start.
      if (root || pending || !/^---[ ]*(?:[ ]#.*)?$/.test(text.slice(first, end))) giveUp();
      start = next;
      continue;
    }
    if (indent > inlineAt && inlineAt >= 0) giveUp();
    inlineAt = -1;
    const dash = c === '-' && (first + 1 === end || text[first + 1] === ' ');
    if (pending) {
      if (indent > pending.indent) {
        const node = dash ? new YAMLSeq(doc.schema) : new YAMLMap(doc.schema);
        node.range = [first, first, first];
        pending.pair.value = node;
        stack.push({ indent, node });
      } else {
        // A sequence at its key's own indent is valid YAML, but left to `yaml`.
        if (dash && indent === pending.indent) giveUp();
        pending.pair.value = r.plain('', pending.at, false);
      }
      pending = undefined;
    } else if (!root) {
      if (indent !== 0 || dash) giveUp();
      root = new YAMLMap(doc.schema);
      root.range = [first, first, first];
      stack.push({ indent: 0, node: root });
    }
    while (stack.length > 0 && (stack[stack.length - 1] as Frame).indent > indent) stack.pop();
    const frame = stack[stack.length - 1];
    if (!frame || frame.indent !== indent) giveUp();
    const { node } = frame as Frame;
    if (node instanceof YAMLSeq) {
      if (!dash || first + 1 === end) giveUp();
      const at = r.spaces(first + 1);
      if (at === end) giveUp();
      node.items.push(r.inlineValue(at));
      inlineAt = indent;
    } else {
      if (dash) giveUp();
      const key = r.flowKey(first);
      if (text[r.end] !== ':') giveUp();
      const after = r.end + 1;
      if (after !== end && text[after] !== ' ') giveUp();
      const at = r.spaces(after);
      const pair = new Pair<Node, Node | null>(key, null);
      (node as YAMLMap<Node, Node | null>).items.push(pair);
      if (at === end || text[at] === '#') {
        if (text[at] === '#' && at === after) giveUp();
        pending = { pair, indent, at };
      } else {
        pair.value = r.inlineValue(at);
        inlineAt = indent;
      }
    }
    start = next;
  }
  if (pending) pending.pair.value = r.plain('', pending.at, false);
  return root;
}

/**
 * The document as plain data, as `doc.toJS()` makes it, for the nodes read here (no aliases, merge
 * keys or tags to follow): a direct walk instead of `yaml`'s general one. `seen.maybeDuplicates`
 * is set when a mapping may repeat a key (a name met again, an inherited one such as
 * "constructor", or a null key, which the duplicate check names "null"): only then need the
 * caller look for duplicate keys node by node.
 */
function toData(node: unknown, seen: { maybeDuplicates: boolean }): unknown {
  if (node instanceof Scalar) return node.value;
  if (node instanceof YAMLSeq) return node.items.map((item) => toData(item, seen));
  const map: Record<string, unknown> = {};
  for (const { key, value } of (node as YAMLMap<Scalar, unknown>).items) {
    const k: unknown = key.value;
    // Keys `yaml` turns into text its own way (dates) or that would set the prototype: left to it.
    if ((typeof k === 'object' && k !== null) || k === '__proto__') giveUp();
    if (k === null) seen.maybeDuplicates = true;
    const name = k === null ? '' : String(k);
    const v = toData(value, seen);
    // As yaml's addPairToJSMap: a repeated (or inherited) name is redefined, keeping its place.
    if (name in map) {
      seen.maybeDuplicates = true;
      Object.defineProperty(map, name, { value: v, writable: true, enumerable: true, configurable: true });
    } else map[name] = v;
  }
  return map;
}
