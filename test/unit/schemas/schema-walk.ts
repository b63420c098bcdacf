import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export type Json = { [key: string]: unknown };

/** For each field of T: whether the type makes it optional. tsc checks every list written with it. */
type Presence<T, K extends keyof T> = Record<never, never> extends Pick<T, K> ? 'optional' : 'required';
export type FieldSpec<T> = { [K in keyof T]-?: Presence<T, K> };

export function loadSchema(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as Json;
}

/** Every schema is registered under its file name, so cross-file `$ref`s resolve as in the CLI. */
export function compile(schema: Json): ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addSchema(loadSchema('observed.schema.json'), 'observed.schema.json');
  return ajv.compile(schema);
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follow a local "#/$defs/x" reference (repeatedly) to the schema it names. */
export function deref(root: Json, node: unknown): Json {
  let at = node;
  for (let i = 0; i < 10 && isJson(at) && typeof at.$ref === 'string'; i++) {
    const path = at.$ref.replace(/^#\//, '').split('/');
    at = path.reduce<unknown>((cur, key) => (isJson(cur) ? cur[key] : undefined), root);
  }
  if (!isJson(at)) throw new Error(`not a schema object: ${JSON.stringify(node)}`);
  return at;
}

export function propertyOf(root: Json, node: Json, name: string): Json {
  const props = node.properties;
  if (!isJson(props)) throw new Error('schema node has no properties');
  return deref(root, props[name]);
}

/** The object branch of a oneOf whose `discriminator` property is const `value`. */
export function branch(root: Json, node: Json, discriminator: string, value: string): Json {
  const options = Array.isArray(node.oneOf) ? node.oneOf.map((o: unknown) => deref(root, o)) : [];
  const found = options.find((o) => propertyOf(root, o, discriminator).const === value);
  if (!found) throw new Error(`no oneOf branch with ${discriminator} = ${value}`);
  return found;
}

/** The schema's field list in FieldSpec form, for a toEqual against the type's list. */
export function fieldsOf(node: Json): Record<string, 'required' | 'optional'> {
  expectClosed(node);
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  const props = isJson(node.properties) ? Object.keys(node.properties) : [];
  for (const r of required)
    if (!props.includes(String(r))) throw new Error(`required ${String(r)} is not a property`);
  return Object.fromEntries(props.sort().map((p) => [p, required.has(p) ? 'required' : 'optional']));
}

function expectClosed(node: Json): void {
  if (node.additionalProperties !== false)
    throw new Error('object schema is not closed (additionalProperties: false)');
}

/** The same field list with keys sorted, so toEqual also compares printed order. */
export function sorted(
  spec: Record<string, 'required' | 'optional'>,
): Record<string, 'required' | 'optional'> {
  return Object.fromEntries(Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function enumOf(node: Json): unknown[] {
  if (!Array.isArray(node.enum)) throw new Error('not an enum');
  return [...node.enum].sort();
}
