import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { parseYaml } from '../../../src/load/yaml-doc.js';
import { parseFast } from '../../../src/load/yaml-fast.js';

/**
 * The fast YAML reader (src/load/yaml-fast.ts) must make exactly the nodes `yaml`'s parseDocument
 * makes — kind, start offset, value, scalar type and format, flow — and the same line table, or
 * give up. Checked on every YAML file of the repository, the Ansible corpus
 * (../shared/ansible-inventories), fleets written the way bench/planner.ts writes them, and
 * texts at the edges of what it reads.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const CORPUS = resolve(REPO, '../shared/ansible-inventories');

function yamlFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

const options = (version: '1.1' | '1.2') => ({
  prettyErrors: false,
  uniqueKeys: false,
  merge: true,
  version,
});

/** Node for node: what the loader reads of a node (kind, range start, value, type, format, flow). */
function same(a: unknown, b: unknown, path: string): void {
  if (isScalar(a) && isScalar(b)) {
    expect(a.range?.[0], `${path} offset`).toBe(b.range?.[0]);
    expect(a.value, `${path} value`).toStrictEqual(b.value);
    expect(a.type, `${path} type`).toBe(b.type);
    expect(a.format, `${path} format`).toBe(b.format);
    expect(a.tag, `${path} tag`).toBe(b.tag);
    return;
  }
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    expect((a as Node).range?.[0], `${path} offset`).toBe((b as Node).range?.[0]);
    expect(Boolean(a.flow), `${path} flow`).toBe(Boolean(b.flow));
    expect(a.items.length, `${path} items`).toBe(b.items.length);
    a.items.forEach((item, i) => {
      const other = b.items[i];
      if (isMap(a)) {
        const [p, q] = [item as { key: unknown; value: unknown }, other as { key: unknown; value: unknown }];
        same(p.key, q.key, `${path}/${i}:key`);
        same(p.value, q.value, `${path}/${i}:value`);
      } else same(item, other, `${path}/${i}`);
    });
    return;
  }
  throw new Error(`${path}: ${String(a)} against ${String(b)}`);
}

/** Compares where the fast reader reads the text; says whether it did. */
function check(text: string, version: '1.1' | '1.2', label: string): boolean {
  const fast = parseFast(text, options(version));
  if (!fast) return false;
  const lines = new LineCounter();
  const full = parseDocument(text, { ...options(version), lineCounter: lines });
  expect(full.errors, `${label}: the fast reader read a text yaml rejects`).toEqual([]);
  same(fast.doc.contents, full.contents, label);
  expect(fast.lines.lineStarts, `${label} lines`).toEqual(lines.lineStarts);
  expect(fast.doc.toJS(), `${label} data`).toStrictEqual(full.toJS());
  expect(fast.data, `${label} data`).toStrictEqual(full.toJS());
  expect(JSON.stringify(fast.data), `${label} key order`).toBe(JSON.stringify(full.toJS()));
  return true;
}

/** A fleet the way bench/planner.ts writes one (inventory; playbook with flow mappings). */
function fleet(hosts: number): { inventory: string; playbook: string } {
  const inv = ['all:', '  vars:', '    ansible_connection: local', '  children:'];
  const pb = ['version: 1', 'hosts:'];
  for (let g = 0; g < 4; g++) {
    inv.push(`    g${g}:`, '      hosts:');
    for (let i = g; i < hosts; i += 4) inv.push(`        h${String(i).padStart(5, '0')}: {}`);
    pb.push(`  g${g}:`, '    services:');
    for (let k = 0; k < 6; k++) {
      const req = k === 3 ? ', requires: [s01, "all:s00"]' : '';
      pb.push(`      s0${k}: { state: running, enabled: true, tier: app${req} }`);
    }
  }
  pb.push('  h00001:', '    services:', '      s09:', '        state: stopped', '        requires:');
  pb.push('          - "h00002:s01"', "          - 'g1:s02'", '          - s03  # same host');
  return { inventory: `${inv.join('\n')}\n`, playbook: `${pb.join('\n')}\n` };
}

describe('the fast YAML reader', () => {
  it('reads every YAML file of the repository and the Ansible corpus as yaml does, or gives up', () => {
    const files = [...yamlFiles(REPO), ...yamlFiles(CORPUS)];
    expect(files.length).toBeGreaterThan(40);
    let read = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const v of ['1.1', '1.2'] as const) if (check(text, v, `${file} (${v})`)) read++;
    }
    // Most hand-written files are plain enough to be read fast too (so the comparison means something).
    expect(read).toBeGreaterThan(25);
  });

  it('reads generated fleets, and the loader finds the same problems with the same positions', () => {
    const { inventory, playbook } = fleet(40);
    expect(check(inventory, '1.1', 'inventory')).toBe(true);
    expect(check(playbook, '1.2', 'playbook')).toBe(true);
    // A duplicate key is still reported at its second place.
    const dup = `${inventory}        h00039: {}\n`;
    expect(check(dup, '1.1', 'dup')).toBe(true);
    expect(parseYaml('inv.yml', dup, '1.1').problems.map((p) => [p.where, p.message])).toEqual([
      [{ file: 'inv.yml', line: 53, col: 9 }, 'duplicate key "h00039"'],
    ]);
  });

  it('reports duplicate keys as the full reader does, and skips the check only when none can be', () => {
    // A tab in a trailing comment makes the fast reader give up: the same text then goes through
    // `yaml` and the node-by-node duplicate check.
    const viaYaml = (text: string) => parseYaml('f.yml', `${text}# \t\n`, '1.2').problems;
    const texts = [
      'a: 1\nb: 2\n',
      'a: 1\na: 2\n',
      'a:\n  b: { x: 1, y: 2, x: 3 }\n',
      'a:\n  - { x: 1, x: 2 }\n  - [{ y: 1 }, { y: 1, y: 2 }]\n',
      'null: 1\n"null": 2\n',
      '~: 1\n"": 2\n',
      'constructor: 1\ntoString: 2\n',
      '1: a\n"1": b\n',
      'true: a\n"true": b\n',
    ];
    for (const text of texts) {
      expect(parseFast(text, options('1.2')), JSON.stringify(text)).toBeDefined();
      expect(parseYaml('f.yml', text, '1.2').problems, JSON.stringify(text)).toEqual(viaYaml(text));
    }
    expect(parseYaml('f.yml', texts[1] as string, '1.2').problems).toHaveLength(1);
    expect(parseYaml('f.yml', texts[4] as string, '1.2').problems).toHaveLength(1);
  });

  it('resolves plain scalars as each YAML version does', () => {
    const words = [
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'Yes',
      'NO',
      'true',
      'False',
      'null',
      'Null',
      '~',
      '0',
      '10',
      '010',
      '0x1F',
      '0o17',
      '1.5',
      '.5',
      '1e3',
      '.inf',
      '-.inf',
      '.NaN',
      '1_000',
      '2001-12-14',
      'x.y',
      'a/b',
      'v1',
    ];
    for (const w of words) {
      const text = `a: ${w}\nb: [${w}, "${w}"]\nc: { ${w}: ${w} }\n${w}: x\n`;
      for (const v of ['1.1', '1.2'] as const) check(text, v, `${w} (${v})`);
    }
  });

  it('gives up on what it does not read, so yaml reads it (and reports its errors)', () => {
    const hard = [
      'a: b\n  c\n', // a plain scalar continued on the next line
      'a:\n- x\n', // a sequence at its key's indent
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: "x\\ty"\n',
      "a: 'it''s'\n",
      '---\na: 1\n---\nb: 2\n',
      'a: 1\n---\n',
      '--- a: 1\n',
      'a:\tb\n',
      'a: {b: 1,}\n',
      'a: {b: 1\n',
      'a: b: c\n',
      '<<: {a: 1}\n',
      '- a\n',
      '  a: 1\n',
      'a:\n    b: 1\n  c: 2\n',
      'a: [1, 2]x\n',
      'a b: 1\n',
      '',
      '# only a comment\n',
    ];
    for (const text of hard) {
      expect(parseFast(text, options('1.2')), JSON.stringify(text)).toBeUndefined();
    }
    expect(parseYaml('p.yml', 'a:\n    b: 1\n  c: 2\n', '1.2').problems[0]?.where).toEqual({
      file: 'p.yml',
      line: 3,
      col: 1,
    });
  });

  it('reads empty values, comments and blank lines at the offsets yaml gives them', () => {
    const texts = [
      'a:\nb: 1\n',
      'a:   \nb: 1\n',
      'a: # c\nb: 1\n',
      'x:\n  a:\n  b:\n',
      'x:\n  a:\n\n# z\n  b:',
      'a:',
      'hosts:\n  web:\n    services:\n      nginx: { state: running }   # why\n\n\n  db: {}\n',
      'a:\n  - x\n  - "y"\n  - [1, {b: c}]\nb: 2\n',
      '---\na: 1\n',
      '# c\n---   # c\n\na: 1\n',
    ];
    for (const t of texts) expect(check(t, '1.2', JSON.stringify(t)), JSON.stringify(t)).toBe(true);
  });
});
