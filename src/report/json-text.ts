/*
 * JSON text exactly as `JSON.stringify(value, null, 2)` writes it, for a value nested `depth` levels
 * deep, built from small strings so a large document can be written in pieces (issue 15: a 250 MB
 * plan made as one string, then copied once more into UTF-8 for stdout, was a third of the run).
 * Plain objects and arrays are walked here; anything else (a Date, a class instance, a boxed
 * value, an own toJSON) is left to JSON.stringify itself and indented to its depth, so the text
 * is the same for every value. test/unit/report/json-text.test.ts holds the two side by side.
 */

const INDENTS: string[] = [];

/** A newline and the indentation of a line `depth` levels deep (2 spaces a level). */
export function newline(depth: number): string {
  let s = INDENTS[depth];
  if (s === undefined) {
    s = `\n${'  '.repeat(depth)}`;
    INDENTS[depth] = s;
  }
  return s;
}

// What JSON.stringify escapes: quote, backslash, control characters, and lone surrogates (as
// \udXXX); a string with none of them is written between quotes as it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A string as `quote`; any other value as `json` (a hand-edited plan may put one anywhere). */
export function jsonString(v: unknown, depth: number): string | undefined {
  return typeof v === 'string' ? quote(v) : json(v, depth);
}

/** The text of `v`, or undefined where JSON.stringify leaves it out (undefined, a function, a symbol). */
export function json(v: unknown, depth: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v) && isPlainArray(v)) return array(v, depth);
      if (Object.getPrototypeOf(v) === Object.prototype) {
        const text = object(v as Record<string, unknown>, depth);
        if (text !== undefined) return text;
      }
      return stringified(v, depth);
    case 'bigint':
      return stringified(v, depth); // throws, as JSON.stringify does
    default:
      return undefined;
  }
}

function isPlainArray(v: unknown[]): boolean {
  return (
    Object.getPrototypeOf(v) === Array.prototype && typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** A list of strings (ids, names): the common case of `json` on an array, without its checks per item. */
export function stringList(list: readonly unknown[], depth: number): string {
  if (list.length === 0) return '[]';
  const nl = newline(depth + 1);
  let text = '[';
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    text += `${i === 0 ? nl : `,${nl}`}${typeof v === 'string' ? quote(v) : (json(v, depth + 1) ?? 'null')}`;
  }
  return `${text}${newline(depth)}]`;
}

function array(list: readonly unknown[], depth: number): string {
  if (list.length === 0) return '[]';
  const nl = newline(depth + 1);
  let text = '[';
  for (let i = 0; i < list.length; i++) {
    text += `${i === 0 ? nl : `,${nl}`}${json(list[i], depth + 1) ?? 'null'}`;
  }
  return `${text}${newline(depth)}]`;
}

/** undefined when the object has its own toJSON: JSON.stringify calls it, and the caller defers. */
function object(o: Record<string, unknown>, depth: number): string | undefined {
  const nl = newline(depth + 1);
  let text = '';
  for (const key in o) {
    if (!Object.hasOwn(o, key)) continue;
    if (key === 'toJSON') return undefined;
    const v = json(o[key], depth + 1);
    if (v !== undefined) text += `${text === '' ? nl : `,${nl}`}${quote(key)}: ${v}`;
  }
  return text === '' ? '{}' : `{${text}${newline(depth)}}`;
}

/** JSON.stringify's own text of `v`, indented to `depth`: raw newlines occur only between tokens. */
function stringified(v: unknown, depth: number): string | undefined {
  const text = JSON.stringify(v, null, 2) as string | undefined;
  return text === undefined || depth === 0 ? text : text.replaceAll('\n', newline(depth));
}

/**
 * The text of `sortKeysDeep(v)`: every object's keys in code-unit order, as observed states are
 * written (they come from several parsers). An object whose keys JS itself reorders (array-index
 * keys such as a service named "10") or that has its own toJSON goes the long way round.
 */
export function sortedJson(v: unknown, depth: number): string | undefined {
  if (v === null || typeof v !== 'object') return json(v, depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const nl = newline(depth + 1);
    let text = '[';
    for (let i = 0; i < v.length; i++) {
      text += `${i === 0 ? nl : `,${nl}`}${sortedJson(v[i], depth + 1) ?? 'null'}`;
    }
    return `${text}${newline(depth)}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'toJSON' || isIndexLike(key)) return stringified(sortKeysDeep(o), depth);
    if (i > 0 && (keys[i - 1] as string) >= key) sorted = false;
  }
  if (!sorted) keys.sort(byCodeUnits);
  const nl = newline(depth + 1);
  let text = '';
  for (const key of keys) {
    const item = sortedJson(o[key], depth + 1);
    if (item !== undefined) text += `${text === '' ? nl : `,${nl}`}${quote(key)}: ${item}`;
  }
  return text === '' ? '{}' : `{${text}${newline(depth)}}`;
}

/**
 * `v` with every object's keys in code-unit order, for JSON.stringify to write what sortedJson
 * writes, natively (a plan's observed states are a large part of its text). Shares what is in order
 * already, `v` itself in the usual case; an object out of order (the parsers and snapshots write a
 * service's fields in their own order) is rebuilt alone, its sorted values shared, not copied.
 */
export function sortedKeys<T>(v: T): T {
  return inOrder(v) as T;
}

function inOrder(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return sortKeysDeep(v);
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = inOrder(v[i]);
      if (copy === undefined && item !== v[i]) copy = v.slice(0, i);
      if (copy !== undefined) copy.push(item);
    }
    return copy ?? v;
  }
  // a Date, a boxed value, a null prototype: sortKeysDeep's copy decides
  if (Object.getPrototypeOf(v) !== Object.prototype) return sortKeysDeep(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let same = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    // an own toJSON or an index key (JS lists those first, whatever order they were set in)
    if (key === 'toJSON' || isIndexLike(key)) return sortKeysDeep(v);
    if (i > 0 && (keys[i - 1] as string) >= key) same = false;
  }
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const value = o[keys[i] as string];
    values[i] = inOrder(value);
    if (values[i] !== value) same = false;
  }
  if (same) return v;
  const order = keys.map((_, i) => i).sort((a, b) => byCodeUnits(keys[a] as string, keys[b] as string));
  const out: Record<string, unknown> = {};
  for (const i of order) {
    const key = keys[i] as string;
    const value = values[i];
    // `out.__proto__ = …` would set the prototype, not a key
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys JS orders before all others, numerically ("9" before "10"), whatever order they are set in. */
function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/**
 * The order JS lists the keys of an object they were set on in `keys`' order: array-index keys
 * first, numerically, then the others as they came (a host named "10" comes after one named "9").
 */
export function insertionOrder(keys: string[]): string[] {
  if (!keys.some(isIndexLike)) return keys;
  const index = keys.filter(isIndexLike).sort((a, b) => Number(a) - Number(b));
  return [...index, ...keys.filter((k) => !isIndexLike(k))];
}

/** A copy with every object's keys inserted in code-unit order (the objects JS lets keep it). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => byCodeUnits(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)])) as T;
}
