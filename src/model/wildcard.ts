/**
 * Shell-style wildcards as Python's fnmatch (so Ansible's host patterns) and OpenSSH's
 * known_hosts patterns read them: `*`, `?`, and (fnmatch only) `[seq]` / `[!seq]`. Matched
 * without a RegExp, by the classic two-pointer walk that backs up only to the last `*`: time is
 * at most pattern length × name length, whatever the pattern (a RegExp built from `*a*a*a*a*b`
 * backtracks exponentially; V8 took 55 s on a 60-character name).
 */
type Item =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'char'; c: string }
  | { kind: 'set'; negate: boolean; ranges: [string, string][] };

export type Wildcard = Item[];

export function compileWildcard(pattern: string, opts: { classes: boolean }): Wildcard {
  const chars = Array.from(pattern);
  const items: Item[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '*') {
      if (items[items.length - 1]?.kind !== 'star') items.push({ kind: 'star' });
    } else if (c === '?') items.push({ kind: 'any' });
    else if (c === '[' && opts.classes) {
      const set = readSet(chars, i);
      if (set) {
        items.push(set.item);
        i = set.end;
      } else items.push({ kind: 'char', c });
    } else items.push({ kind: 'char', c });
  }
  return items;
}

/** fnmatch's `[...]`: `!` negates, a `]` right after `[` or `[!` is literal, `a-z` is a range. */
function readSet(chars: string[], open: number): { item: Item; end: number } | undefined {
  let j = open + 1;
  const negate = chars[j] === '!';
  if (negate) j++;
  const start = j;
  if (chars[j] === ']') j++;
  while (j < chars.length && chars[j] !== ']') j++;
  if (j >= chars.length) return undefined; // no closing bracket: the [ is a plain character
  const body = chars.slice(start, j);
  const ranges: [string, string][] = [];
  for (let k = 0; k < body.length; k++) {
    const a = body[k] ?? '';
    if (body[k + 1] === '-' && k + 2 < body.length) {
      ranges.push([a, body[k + 2] ?? '']);
      k += 2;
    } else ranges.push([a, a]);
  }
  return { item: { kind: 'set', negate, ranges }, end: j };
}

function matchesOne(item: Item, c: string): boolean {
  switch (item.kind) {
    case 'any':
      return true;
    case 'char':
      return item.c === c;
    case 'set':
      return item.ranges.some(([a, b]) => a <= c && c <= b) !== item.negate;
    case 'star':
      return false;
  }
}

export function wildcardMatch(pattern: Wildcard, text: string): boolean {
  const t = Array.from(text);
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < t.length) {
    const item = pattern[p];
    if (item && item.kind !== 'star' && matchesOne(item, t[i] ?? '')) {
      p++;
      i++;
    } else if (item?.kind === 'star') {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (pattern[p]?.kind === 'star') p++;
  return p === pattern.length;
}
