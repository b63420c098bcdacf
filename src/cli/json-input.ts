import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
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

async function readSchema(name: string): Promise<string> {
  const url = new URL(`../../schemas/${name}.schema.json`, import.meta.url);
  return readFile(url, 'utf8');
}

/** What scripts/build-validators.mjs writes next to this module (dist/ only). */
interface Precompiled {
  schemaTexts: string[];
  observed: ValidateFunction;
  plan: ValidateFunction;
}

/**
 * The build's standalone validator when it was generated from these very schema texts (no ajv
 * compiler loaded, nothing compiled); else the schema compiled now, with the same options.
 */
async function validatorOf<T>(schemaName: 'observed' | 'plan' | 'drift'): Promise<ValidateFunction<T>> {
  const texts = [await readSchema('observed'), await readSchema('plan')];
  const require = createRequire(import.meta.url);
  if (schemaName === 'drift') {
    // Read only by `runstate report`: compiled when needed, not precompiled.
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    return ajv.compile<T>(JSON.parse(await readSchema('drift')) as object);
  }
  try {
    const mod = require('./json-validators.cjs') as Precompiled;
    if (mod.schemaTexts?.length === 2 && mod.schemaTexts.every((t, i) => t === texts[i]))
      return mod[schemaName] as ValidateFunction<T>;
  } catch {
    // running from src/, or built without the validators step
  }
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // The plan embeds observed host states by reference to the observed schema.
  ajv.addSchema(JSON.parse(texts[0] as string) as object, 'observed.schema.json');
  return schemaName === 'observed'
    ? ajv.compile<T>({ $ref: 'observed.schema.json' })
    : ajv.compile<T>(JSON.parse(texts[1] as string) as object);
}

async function readChecked<T>(
  file: string,
  schemaName: 'observed' | 'plan' | 'drift',
  what: string,
  howToMake: string,
): Promise<T> {
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
  const validate = await validatorOf<T>(schemaName);
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
