/**
 * The little of Jinja that connection variables need: `{{ var }}` and `{{ var | default('x') }}`
 * (also `d(...)`, a number, true/false or another variable as the default), inside or around
 * text, looked up in the host's variables as Ansible would. Anything else — filters, attribute
 * access, lookups, `{% %}` — is refused with the expression named: runstate does not guess.
 */
export type Lookup = (name: string) => { found: true; value: unknown } | { found: false };

export type Rendered = { value: unknown } | { error: string };

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const LITERAL = String.raw`'[^'\\]*'|"[^"\\]*"|-?\d+(?:\.\d+)?|[Tt]rue|[Ff]alse|${IDENT}`;
const EXPR = new RegExp(
  String.raw`^\s*(${IDENT})\s*(?:\|\s*(?:default|d)\s*\(\s*(${LITERAL})\s*(?:,\s*([Tt]rue|[Ff]alse)\s*)?\)\s*)?$`,
);

export function hasTemplate(v: unknown): v is string {
  return typeof v === 'string' && /\{\{|\{%|\{#/.test(v);
}

/** Renders `text`; a text that is exactly one expression keeps the value's type, as Ansible's does. */
export function renderTemplate(text: string, lookup: Lookup, depth = 0): Rendered {
  if (depth > 10)
    return { error: `variables refer to each other more than 10 deep in ${JSON.stringify(text)}` };
  const block = /\{%.*?%\}|\{#.*?#\}/s.exec(text);
  if (block) return { error: `${block[0]} is a Jinja statement, which runstate does not evaluate` };
  const parts: unknown[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('{{');
    if (start < 0) {
      if (rest !== '') parts.push(rest);
      break;
    }
    const end = rest.indexOf('}}', start + 2);
    if (end < 0) return { error: `${JSON.stringify(rest.slice(start))} has no closing }}` };
    if (start > 0) parts.push(rest.slice(0, start));
    const expr = rest.slice(start, end + 2);
    const value = evaluate(expr, lookup, depth);
    if ('error' in value) return value;
    parts.push(value.value);
    rest = rest.slice(end + 2);
  }
  if (parts.length === 1) return { value: parts[0] };
  return { value: parts.map(pythonStr).join('') };
}

function evaluate(expr: string, lookup: Lookup, depth: number): Rendered {
  const m = EXPR.exec(expr.slice(2, -2));
  if (!m?.[1]) {
    return {
      error: `${expr} is more Jinja than runstate evaluates (only {{ var }} and {{ var | default('x') }})`,
    };
  }
  const name = m[1];
  const found = lookup(name);
  // default(x, true) also replaces values that are empty or false, as Jinja's boolean flag does.
  const emptyCounts = m[3]?.toLowerCase() === 'true';
  if (found.found && !(emptyCounts && !truthy(found.value))) {
    return typeof found.value === 'string' && /\{\{|\{%/.test(found.value)
      ? renderTemplate(found.value, lookup, depth + 1)
      : { value: found.value };
  }
  if (m[2] === undefined) return { error: `${expr} refers to ${name}, which is not defined for this host` };
  return literal(m[2], lookup, depth);
}

function literal(text: string, lookup: Lookup, depth: number): Rendered {
  if (/^['"]/.test(text)) return { value: text.slice(1, -1) };
  if (/^-?\d/.test(text)) return { value: Number(text) };
  if (/^[Tt]rue$/.test(text)) return { value: true };
  if (/^[Ff]alse$/.test(text)) return { value: false };
  return evaluate(`{{${text}}}`, lookup, depth);
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** How Python's str() prints a value pasted into text. */
function pythonStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
}
