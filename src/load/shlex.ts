/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI inventory uses to
 * cut a host line into the host and its `key=value` words: quotes group and are removed, a
 * backslash escapes the next character (inside double quotes only `"` and `\`), and an unquoted
 * `#` starts a comment even in the middle of a word.
 */
export function shlexSplit(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') {
        const next = line[i + 1];
        if (next === undefined) return { error: 'No escaped character' };
        word += next === '"' || next === '\\' ? next : `\\${next}`;
        i++;
      } else word += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#') break;
    else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) return { error: 'No escaped character' };
      word += next;
      inWord = true;
      i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: 'No closing quotation' };
  if (inWord) words.push(word);
  return { words };
}
