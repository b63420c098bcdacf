/**
 * Python's `ast.literal_eval`, which Ansible's INI inventory runs on every value: `2222` becomes
 * an int, `"['/dev/sda']"` a list, `True` a bool, while `no`, `10.0.0.1` or `{{ x }}` are not
 * literals and stay strings. Returns undefined where Python raises ValueError/SyntaxError (Ansible
 * then keeps the text as it is). Only the grammar literal_eval accepts is accepted here: strings
 * (with prefixes, escapes, implicit concatenation), ints, floats, True/False/None, unary +/- on a
 * number, lists, tuples, dicts and sets; a `#` comment ends the expression, as in Python.
 */
export function pythonLiteral(text: string): { value: unknown } | undefined {
  const p = new Parser(text.replace(/^[ \t]+/, ''));
  try {
    const value = p.expression(true);
    p.skipSpace();
    if (!p.atEnd()) return undefined;
    return { value };
  } catch (e) {
    if (e instanceof NotLiteral) return undefined;
    throw e;
  }
}

class NotLiteral extends Error {}

const fail = (): never => {
  throw new NotLiteral();
};

const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const STRING_START = /^([rRbBuUfF]{0,2})(['"])/;

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      // A comment runs to the end of the line, and a value is one line.
      else if (c === '#') this.pos = this.s.length;
      else return;
    }
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.s[this.pos];
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /** An expression, or at top level / in parentheses a bare tuple `1, 2`. */
  expression(tupleAllowed: boolean): unknown {
    const first = this.atom();
    if (!tupleAllowed || this.peek() !== ',') return first;
    const items = [first];
    while (this.eat(',')) {
      const next = this.peek();
      if (next === undefined || next === ')') break;
      items.push(this.atom());
    }
    return items;
  }

  private atom(): unknown {
    const c = this.peek();
    if (c === undefined) return fail();
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.parenthesised();
    if (c === '{') return this.braces();
    if (c === '-' || c === '+') {
      this.pos++;
      const n = this.number();
      return c === '-' ? -n : n;
    }
    const rest = this.s.slice(this.pos);
    if (STRING_START.test(rest)) return this.strings();
    const name = NAME.exec(rest)?.[0];
    if (name !== undefined) {
      this.pos += name.length;
      if (name === 'True') return true;
      if (name === 'False') return false;
      if (name === 'None') return null;
      if (name === 'set' && this.eat('(') && this.eat(')')) return [];
      return fail();
    }
    return this.number();
  }

  private number(): number {
    this.skipSpace();
    const m = NUMBER.exec(this.s.slice(this.pos))?.[0] ?? '';
    // A lone "." or "e5" is not a number; complex numbers have no JSON form.
    if (!/\d/.test(m) || /[jJ]$/.test(m) || /^[eE]/.test(m)) return fail();
    this.pos += m.length;
    if (NAME.test(this.s.slice(this.pos))) return fail(); // 12abc, 1_
    const digits = m.replace(/_/g, '');
    if (/^0[xXoObB]/.test(digits)) return Number(digits);
    // Python 3 refuses leading zeros in a decimal int ("0123"), but "00" is zero.
    if (/^0\d*$/.test(digits) && /[1-9]/.test(digits)) return fail();
    return Number(digits);
  }

  private sequence(close: string): unknown[] {
    this.pos++; // the opening bracket
    const items: unknown[] = [];
    while (!this.eat(close)) {
      items.push(this.atom());
      if (!this.eat(',')) {
        if (!this.eat(close)) return fail();
        break;
      }
    }
    return items;
  }

  private parenthesised(): unknown {
    this.pos++;
    if (this.eat(')')) return [];
    const first = this.atom();
    if (this.eat(')')) return first;
    if (!this.eat(',')) return fail();
    const items = [first];
    while (!this.eat(')')) {
      items.push(this.atom());
      if (!this.eat(',')) {
        if (!this.eat(')')) return fail();
        break;
      }
    }
    return items;
  }

  /** `{}` is a dict, `{1, 2}` a set (a list in JSON), `{'a': 1}` a dict. */
  private braces(): unknown {
    this.pos++;
    if (this.eat('}')) return {};
    const first = this.atom();
    if (this.eat(':')) {
      const dict: Record<string, unknown> = {};
      let key = first;
      for (;;) {
        if (typeof key === 'object' && key !== null) return fail(); // unhashable key
        dict[String(key)] = this.atom();
        if (!this.eat(',') || this.peek() === '}') break;
        key = this.atom();
        if (!this.eat(':')) return fail();
      }
      if (!this.eat('}')) return fail();
      return dict;
    }
    const items = [first];
    while (this.eat(',')) {
      if (this.peek() === '}') break;
      items.push(this.atom());
    }
    if (!this.eat('}')) return fail();
    return items;
  }

  /** Adjacent string literals concatenate, as in Python source. */
  private strings(): string {
    let out = '';
    for (;;) {
      this.skipSpace();
      const m = STRING_START.exec(this.s.slice(this.pos));
      if (!m) return out;
      const prefix = (m[1] ?? '').toLowerCase();
      if (prefix.includes('f') || !/^(?:|r|u|b|br|rb)$/.test(prefix)) return fail();
      this.pos += prefix.length;
      out += this.oneString(prefix.includes('r'));
    }
  }

  private oneString(raw: boolean): string {
    const q = this.s[this.pos] ?? '';
    const triple = this.s.startsWith(q.repeat(3), this.pos);
    const end = triple ? q.repeat(3) : q;
    this.pos += end.length;
    let out = '';
    for (;;) {
      if (this.atEnd()) return fail();
      if (this.s.startsWith(end, this.pos)) {
        this.pos += end.length;
        return out;
      }
      const c = this.s[this.pos] ?? '';
      if (c === '\\') {
        const next = this.s[this.pos + 1];
        if (next === undefined) return fail();
        if (raw) {
          out += c + next;
          this.pos += 2;
        } else out += this.escape();
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private escape(): string {
    const next = this.s[this.pos + 1] ?? '';
    this.pos += 2;
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    };
    const known = simple[next];
    if (known !== undefined) return known;
    const hex = (len: number): string => {
      const h = this.s.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) return fail();
      this.pos += len;
      return String.fromCodePoint(Number.parseInt(h, 16));
    };
    if (next === 'x') return hex(2);
    if (next === 'u') return hex(4);
    if (next === 'U') return hex(8);
    if (/[0-7]/.test(next)) {
      const m = /^[0-7]{0,2}/.exec(this.s.slice(this.pos))?.[0] ?? '';
      this.pos += m.length;
      return String.fromCodePoint(Number.parseInt(next + m, 8));
    }
    // \N{NAME} needs Unicode's name table; an unknown escape keeps its backslash, as Python does.
    if (next === 'N') return fail();
    return `\\${next}`;
  }
}
