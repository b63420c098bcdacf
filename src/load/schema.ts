import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../model/source.js';
import { didYouMean, q } from './names.js';
import { refAtPath, type SourceDoc } from './yaml-doc.js';

/** src/load and dist/load both sit two levels below the package root, next to schemas/. */
const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
const SCHEMA_NAMES = ['playbook', 'inventory', 'waivers'] as const;

export type SchemaName = 'playbook' | 'inventory' | 'inventory-vars' | 'waivers';

/** What scripts/build-validators.mjs writes next to the compiled loader (dist/ only). */
interface Precompiled {
  /** The schema texts it was generated from. */
  schemaTexts: string[];
  playbook: ValidateFunction;
  inventory: ValidateFunction;
  'inventory-vars': ValidateFunction;
  waivers: ValidateFunction;
}

let validators: Record<SchemaName, ValidateFunction> | undefined;

/**
 * The build's standalone validators when they were generated from these very schema files:
 * loading ajv's compiler and compiling the schemas was most of the CLI's start-up time.
 */
function precompiled(texts: readonly string[]): Precompiled | undefined {
  try {
    const mod = createRequire(import.meta.url)('./schema-validators.cjs') as Precompiled;
    const same = texts.length === mod.schemaTexts?.length && texts.every((t, i) => t === mod.schemaTexts[i]);
    return same ? mod : undefined;
  } catch {
    return undefined; // running from src/, or built without the validators step
  }
}

/** The same validators compiled now; scripts/build-validators.mjs uses the same options. */
export function compileValidators(texts: readonly string[]): Record<SchemaName, ValidateFunction> {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const a = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
  // Editor-facing message keywords (VS Code / yaml-language-server); the mapper below reads them.
  a.addVocabulary(['errorMessage', 'patternErrorMessage']);
  // Keyed by file name: the playbook schema refers to waivers.schema.json as editors resolve it.
  SCHEMA_NAMES.forEach((name, i) => {
    a.addSchema(JSON.parse(texts[i] as string), `${name}.schema.json`);
  });
  const get = (key: string): ValidateFunction => {
    const v = a.getSchema(key);
    if (!v) throw new Error(`schema ${key} missing`);
    return v;
  };
  return {
    playbook: get('playbook.schema.json'),
    inventory: get('inventory.schema.json'),
    'inventory-vars': get('inventory.schema.json#/definitions/groupVars'),
    waivers: get('waivers.schema.json'),
  };
}

export function validator(name: SchemaName): ValidateFunction {
  if (!validators) {
    const texts = SCHEMA_NAMES.map((n) => readFileSync(new URL(`${n}.schema.json`, SCHEMA_DIR), 'utf8'));
    validators = precompiled(texts) ?? compileValidators(texts);
  }
  return validators[name];
}

/** How messages name the place an error is in, per file kind. */
export interface SchemaContext {
  src: SourceDoc;
  /** Path prefix when validating a piece of a document (group_vars files validate from the root). */
  label: (path: string[]) => string;
  /** Errors the loader checks itself with better messages (e.g. service names). */
  skip?: (path: string[], e: ErrorObject) => boolean;
  unknownKeyHint?: (path: string[], allowed: string[]) => string | undefined;
}

export function schemaProblems(name: SchemaName, data: unknown, ctx: SchemaContext): Problem[] {
  const validate = validator(name);
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const branches = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const kept = errors.filter(
    (e) =>
      !branches.some(
        (b) =>
          b !== e && e.schemaPath.startsWith(`${b.schemaPath}/`) && e.instancePath.startsWith(b.instancePath),
      ),
  );
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of kept) {
    const path = pathOf(e.instancePath);
    if (ctx.skip?.(path, e)) continue;
    const p = describe(e, path, ctx);
    const key = `${p.where?.line}:${p.where?.col}:${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  }
  return problems;
}

function pathOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function fieldName(path: string[]): string {
  const last = path[path.length - 1] ?? '';
  if (/^\d+$/.test(last) && path.length > 1) return `${path[path.length - 2]}[${last}]`;
  return last;
}

function subject(path: string[], ctx: SchemaContext): string {
  return path.length === 0 ? ctx.label(path) : q(fieldName(path));
}

function describe(e: ErrorObject, path: string[], ctx: SchemaContext): Problem {
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const at = (p: string[], prefer: 'key' | 'value') => refAtPath(ctx.src, p, prefer);
  const got = ` (got ${gotText(e.data)})`;
  const what = subject(path, ctx);
  switch (e.keyword) {
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return {
        where: at(path, 'value'),
        message: `${what} must be ${expected(schema)}${got}`,
        hint: typeHint(schema, e.data),
      };
    case 'enum': {
      const options = (e.params as { allowedValues: unknown[] }).allowedValues;
      const hint = typeof e.data === 'string' ? didYouMean(e.data, options.map(String)) : undefined;
      return {
        where: at(path, 'value'),
        message: `${what} must be ${orList(options.map(String))}${got}`,
        hint,
      };
    }
    case 'const': {
      const want = JSON.stringify(schema.const);
      const hint = path.join('/') === 'version' ? `this runstate reads version ${want} files` : undefined;
      return { where: at(path, 'value'), message: `${what} must be ${want}${got}`, hint };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return {
        where: at(path, 'key'),
        message: `${ctx.label(path)} is missing ${q(missing)}`,
        hint: requiredHint(missing, schema),
      };
    }
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((schema.properties ?? {}) as object);
      return {
        where: at([...path, key], 'key'),
        message: `unknown key ${q(key)} in ${ctx.label(path)}`,
        hint:
          didYouMean(key, allowed) ??
          ctx.unknownKeyHint?.(path, allowed) ??
          `expected ${orList(allowed.map((k) => q(k)))}`,
      };
    }
    case 'dependencies': {
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      return {
        where: at([...path, property], 'key'),
        message: `${q(property)} is only used together with ${q(missingProperty)}`,
      };
    }
    case 'pattern': {
      const custom = schema.patternErrorMessage;
      const message = typeof custom === 'string' ? custom : `${what} must match ${String(schema.pattern)}`;
      return { where: at(path, 'value'), message: `${message}${got}` };
    }
    case 'minLength':
    case 'minItems':
      return { where: at(path, 'value'), message: `${what} must not be empty` };
    default: {
      const custom = schema.errorMessage;
      const message = typeof custom === 'string' ? custom : `${what} ${e.message ?? 'is invalid'}`;
      const scalar = typeof e.data !== 'object' || e.data === null;
      return { where: at(path, 'value'), message: scalar ? `${message}${got}` : message };
    }
  }
}

export function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function typeWord(t: string, schema: Record<string, unknown>): string | undefined {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin } = schema;
  switch (t) {
    case 'integer':
      return typeof min === 'number' && typeof max === 'number'
        ? `an integer from ${min} to ${max}`
        : 'an integer';
    case 'number':
      if (typeof xmin === 'number' && typeof max === 'number')
        return `a number greater than ${xmin} and at most ${max}`;
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    default:
      return undefined; // "null" only says the value may be left empty
  }
}

function expected(schema: Record<string, unknown>): string {
  const types = Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type)];
  const words = types.map((t) => typeWord(t, schema)).filter((w): w is string => w !== undefined);
  return orList(words);
}

function typeHint(schema: Record<string, unknown>, data: unknown): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('object') && Array.isArray(data))
    return 'write it as a mapping ("key: value" lines), not a list';
  if (types.includes('boolean') && typeof data === 'string') return 'write true or false, without quotes';
  if (types.includes('integer') && typeof data === 'string' && /^\d+$/.test(data))
    return 'write the number without quotes';
  return undefined;
}

function requiredHint(missing: string, schema: Record<string, unknown>): string | undefined {
  const prop = (schema.properties as Record<string, Record<string, unknown>> | undefined)?.[missing];
  if (prop?.const !== undefined) return `add "${missing}: ${JSON.stringify(prop.const)}"`;
  if (Array.isArray(prop?.enum)) return `add ${orList(prop.enum.map((v) => q(`${missing}: ${String(v)}`)))}`;
  return undefined;
}

export function gotText(data: unknown): string {
  if (data === null || data === undefined) return 'nothing';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  // Never the text itself: a value in the wrong field may be a secret (a password typed as a port).
  if (typeof data === 'string') return 'a string';
  return String(data);
}
