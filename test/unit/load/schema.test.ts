import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { splitCommand } from '../../../src/load/health.js';
import { expandHostPattern } from '../../../src/load/host-pattern.js';
import { OPENRC_RUNLEVELS } from '../../../src/load/runlevel.js';
import { validator } from '../../../src/load/schema.js';
import { MANAGERS, TIERS } from '../../../src/model/desired.js';
import { FIXTURES } from './helpers.js';

const SCHEMAS = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const read = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8'));

/** Every named property of a schema, with its JSON pointer, for the "has a description" check. */
function properties(node: unknown, at = '#'): { at: string; schema: Record<string, unknown> }[] {
  if (typeof node !== 'object' || node === null) return [];
  const out: { at: string; schema: Record<string, unknown> }[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && typeof v === 'object' && v !== null) {
      for (const [name, s] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        out.push({ at: `${at}/properties/${name}`, schema: s });
      }
    }
    out.push(...properties(v, `${at}/${k}`));
  }
  return out;
}

describe('schemas', () => {
  for (const name of ['playbook.schema.json', 'inventory.schema.json']) {
    it(`${name} is a valid draft-07 schema whose fields all have descriptions`, () => {
      const schema = read(name);
      const ajv = new Ajv({ strict: false });
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const undocumented = properties(schema).filter(
        ({ schema: s }) => typeof s.description !== 'string' && typeof s.$ref !== 'string',
      );
      expect(undocumented.map((p) => p.at)).toEqual([]);
    });
  }

  it('agrees with the model: tiers, managers, runlevel names', () => {
    const service = (read('playbook.schema.json').definitions as Record<string, Record<string, unknown>>)
      .service;
    const props = service?.properties as Record<string, { enum: string[] }>;
    expect(props.tier?.enum).toEqual([...TIERS]);
    expect(props.manager?.enum).toEqual(['auto', ...MANAGERS]);
    expect(JSON.stringify(read('playbook.schema.json'))).toContain(JSON.stringify([...OPENRC_RUNLEVELS]));
  });

  it('the $schema comment of a playbook points at the schema, which accepts it', () => {
    const file = join(FIXTURES, 'basic/playbooks/site.yml');
    const text = readFileSync(file, 'utf8');
    const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1] ?? '';
    expect(resolve(dirname(file), ref)).toBe(join(SCHEMAS, 'playbook.schema.json'));
    const validate = validator('playbook');
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the inventory schema accepts the fixtures', () => {
    const validate = validator('inventory');
    for (const f of ['basic/inventory.yml', 'inventory-dir/10-base.yml', 'inventory-dir/20-more.yml']) {
      const data = parse(readFileSync(join(FIXTURES, f), 'utf8'));
      expect(validate(data), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

describe('pieces', () => {
  it('splits health commands into argv like a shell would, without running one', () => {
    expect(splitCommand(`pg_isready -h "db one" -p 5432 'a b'\\ c`)).toEqual({
      argv: ['pg_isready', '-h', 'db one', '-p', '5432', 'a b c'],
    });
    expect(splitCommand("echo '$HOME'")).toEqual({ argv: ['echo', '$HOME'] });
    expect(splitCommand('   ')).toEqual({
      message: 'health command is empty',
      hint: 'give the command to run',
    });
  });

  it('expands Ansible host patterns', () => {
    expect(expandHostPattern('web[1:3].lan')).toEqual({ names: ['web1.lan', 'web2.lan', 'web3.lan'] });
    expect(expandHostPattern('web[01:10:5]')).toEqual({ names: ['web01', 'web06'] });
    expect(expandHostPattern('db-[a:c]-[1:2]')).toEqual({
      names: ['db-a-1', 'db-a-2', 'db-b-1', 'db-b-2', 'db-c-1', 'db-c-2'],
    });
    expect(expandHostPattern('h1:2222')).toEqual({ names: ['h1'], port: 2222 });
    expect(expandHostPattern('[fe80::1]:2222')).toEqual({ names: ['fe80::1'], port: 2222 });
    expect(expandHostPattern('fe80::1')).toEqual({ names: ['fe80::1'] });
    expect(expandHostPattern('h1:99999')).toEqual({
      error: 'port 99999 in host "h1:99999" is not in 1-65535',
    });
  });
});
