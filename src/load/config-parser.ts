import { UserError } from '../model/source.js';

/** One `key = value` of an INI file, with the line it starts on. */
export interface IniValue {
  value: string;
  line: number;
}

export type IniSections = Map<string, Map<string, IniValue>>;

/**
 * An INI file read as Python's `configparser.ConfigParser(inline_comment_prefixes=(';',))` reads it,
 * which is how ansible-core reads ansible.cfg (ansible/config/manager.py): `[section]` headers;
 * `key = value` or `key: value` (the first `=` or `:`); keys lower-cased; `#` and `;` comment
 * lines; `;` after whitespace starts a comment; a line indented deeper than its key continues
 * the value (joined with "\n"); a key or section twice is an error (strict mode); `[DEFAULT]`
 * values are seen in every section. Values are read raw, as Ansible reads them (no `%(x)s`).
 *
 * Written here rather than taken from npm: the `ini` package and its kin know neither
 * continuation lines nor configparser's comment rules, and would read `a = b ; c` differently.
 */
export function parseConfigParser(text: string, file: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, IniValue> | undefined;
  let last: { entry: IniValue; indent: number; blanks: number } | undefined;
  const fail = (line: number, message: string, hint?: string): never => {
    throw new UserError(message, { file, line, col: 1 }, hint);
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const stripped = raw.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
    const value = stripInlineComment(raw);
    const indent = raw.length - raw.trimStart().length;
    if (value.trim() === '') {
      // A blank line inside a value is kept only if the value goes on; trailing ones are trimmed.
      if (last) last.blanks++;
      continue;
    }
    if (last && indent > last.indent) {
      last.entry.value += `${'\n'.repeat(last.blanks + 1)}${value.trim()}`;
      last.blanks = 0;
      continue;
    }
    last = undefined;
    const header = /^\[([^\]]+)\]/.exec(value.trim());
    if (header && indent === 0) {
      const name = header[1] ?? '';
      if (sections.has(name)) fail(lineNo, `section [${name}] appears twice`, 'merge the two sections');
      current = new Map();
      sections.set(name, current);
      continue;
    }
    if (!current)
      fail(lineNo, 'a setting before any [section]', 'put settings under a section such as [defaults]');
    const at = value.search(/[=:]/);
    if (at <= 0) fail(lineNo, `"${value.trim()}" is not "key = value"`, 'write key = value');
    const key = value.slice(0, at).trim().toLowerCase();
    if (current?.has(key)) fail(lineNo, `"${key}" is set twice in this section`, 'keep one of them');
    const entry = { value: value.slice(at + 1).trim(), line: lineNo };
    current?.set(key, entry);
    last = { entry, indent, blanks: 0 };
  }
  return sections;
}

/** A value of `section`, falling back on [DEFAULT] as configparser does. */
export function iniGet(sections: IniSections, section: string, key: string): IniValue | undefined {
  return sections.get(section)?.get(key) ?? sections.get('DEFAULT')?.get(key);
}

function stripInlineComment(line: string): string {
  const m = /\s;/.exec(line);
  return m ? line.slice(0, m.index) : line;
}
