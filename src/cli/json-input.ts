import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { DriftReport } from '../model/drift.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { UserError } from '../model/source.js';

/** Reads an observed-state snapshot (`runstate facts --format json`), checked against its schema. */
export function readSnapshot(file: string): Promise<ObservedSnapshot> {
  return readChecked<ObservedSnapshot>(
    file,
    'observed',
    'an observed-state snapshot',
    'runstate facts --format json > FILE',
  );
}

/** Reads a saved plan (`runstate plan --out FILE`), checked against its schema. */
export function readSavedPlan(file: string): Promise<Plan> {
  return readChecked<Plan>(file, 'plan', 'a runstate plan', 'runstate plan PLAYBOOK --out FILE');
}

/** Reads a drift report (`runstate drift --format json`), checked against its schema. */
export function readDriftReport(file: string): Promise<DriftReport> {
  return readChecked<DriftReport>(
    file,
    'drift',
    'a drift report',
    'runstate drift PLAYBOOK --format json > FILE',
  );
}

async function readSchema(name: string): Promise<object> {
  const url = new URL(`../../schemas/${name}.schema.json`, import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as object;
}

async function readChecked<T>(file: string, schemaName: string, what: string, howToMake: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`${file}: no such file`, undefined, `make one with: ${howToMake}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // The plan embeds observed host states by reference to the observed schema.
  ajv.addSchema(await readSchema('observed'), 'observed.schema.json');
  const validate =
    schemaName === 'observed'
      ? ajv.compile<T>({ $ref: 'observed.schema.json' })
      : ajv.compile<T>(await readSchema(schemaName));
  if (!validate(data)) {
    const why = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new UserError(
      `${file}: not ${what}: ${why}`,
      undefined,
      `see schemas/${schemaName}.schema.json; ${howToMake}`,
    );
  }
  return data;
}
