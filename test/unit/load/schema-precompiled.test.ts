import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { compileValidators, type SchemaName } from '../../../src/load/schema.js';

/*
 * The build's standalone validators (scripts/build-validators.mjs) must be the very same checks
 * as the ones compiled at run time, errors included (the loader turns them into messages), and
 * carry the schema texts the loader compares — otherwise the CLI would silently compile at every start.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const texts = ['playbook', 'inventory', 'waivers'].map((n) =>
  readFileSync(join(ROOT, 'schemas', `${n}.schema.json`), 'utf8'),
);
// Inside the package, so the generated code's require('ajv/dist/runtime/…') resolves.
const out = mkdtempSync(join(ROOT, '.validators-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function generated(): Record<string, unknown> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-validators.mjs'), out]);
  return createRequire(import.meta.url)(join(out, 'schema-validators.cjs')) as Record<string, unknown>;
}

const samples: Array<[SchemaName, unknown]> = [
  ['playbook', { version: 1, hosts: { all: { services: { ssh: { state: 'running', enabled: true } } } } }],
  ['playbook', { version: 2, hosts: { all: { services: { ssh: { state: 'runing', tier: 7, extra: 1 } } } } }],
  [
    'playbook',
    { version: 1, hosts: { web: { runlevel: 0, services: { a: { health: { tcp: 1, http: 'x' } } } } } },
  ],
  ['inventory', { all: { hosts: { h1: { ansible_host: '10.0.0.1', ansible_port: 22 } } } }],
  ['inventory', { all: { hosts: { h1: { ansible_port: 'x', become: 'yes' } }, children: [] } }],
  ['inventory-vars', { ansible_port: 70000, known_hosts: 3 }],
  ['waivers', { version: 1, waivers: [{ host: 'h1', reason: 'r', owner: 'o', expires: '2027-01-15' }] }],
  ['waivers', { version: 1, waivers: [{ host: 'h1', field: 'nope', expires: '15.1.2027' }] }],
  [
    'playbook',
    { version: 1, hosts: {}, waivers: [{ host: 'h1', service: 'a', reason: 'r', owner: 'o', extra: 1 }] },
  ],
];

describe('precompiled schema validators', () => {
  const mod = generated();

  it('carry the texts of the schema files they were generated from', () => {
    expect(mod.schemaTexts).toEqual(texts);
  });

  it('accept and reject exactly what the run-time compiled ones do, with the same errors', () => {
    const runtime = compileValidators(texts);
    for (const [name, data] of samples) {
      const pre = mod[name] as ValidateFunction;
      const now = runtime[name];
      expect(pre(data), `${name} ${JSON.stringify(data)}`).toBe(now(data));
      const strip = (v: ValidateFunction) =>
        (v.errors ?? []).map(({ schema: _s, parentSchema, ...e }) => ({
          ...e,
          parent: JSON.stringify(parentSchema),
        }));
      expect(strip(pre)).toEqual(strip(now));
    }
  });
});
