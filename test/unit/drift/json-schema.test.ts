import { describe, expect, it } from 'vitest';
import { computeDrift, renderDriftJson } from '../../../src/drift/index.js';
import {
  type CheckedHostDrift,
  DRIFT_FIELDS,
  type DriftField,
  type DriftReport,
  type DriftSummary,
  type HostDriftStatus,
  type ResourceDriftItem,
  type RunlevelDriftItem,
  type ServiceDriftItem,
  type UncheckedHostDrift,
} from '../../../src/model/drift.js';
import { MANAGERS, SERVICE_NAME_RE } from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import {
  branch,
  compile,
  deref,
  enumOf,
  type FieldSpec,
  fieldsOf,
  loadSchema,
  propertyOf,
  sorted,
} from '../schemas/schema-walk.js';
import { sampleReport } from './sample-report.js';

const schema = loadSchema('drift.schema.json');
const validate = compile(schema);
const defs = (name: string) => deref(schema, { $ref: `#/$defs/${name}` });

/** The `never` fields exist only so they can be read on the union; they must stay unset (absent from the schema). */
type Never<T> = [Exclude<T, undefined>] extends [never] ? true : false;
const neverFields: [Never<RunlevelDriftItem['service']>, Never<CheckedHostDrift['reason']>] = [true, true];

const REPORT: FieldSpec<DriftReport> = {
  version: 'required',
  generatedAt: 'optional',
  hosts: 'required',
  summary: 'required',
};
const SUMMARY: FieldSpec<DriftSummary> = {
  hosts: 'required',
  inSync: 'required',
  drifted: 'required',
  unchecked: 'required',
  items: 'required',
  drifts: 'required',
  waived: 'optional',
};
const CHECKED: FieldSpec<Omit<CheckedHostDrift, 'reason'>> = { status: 'required', items: 'required' };
const UNCHECKED: FieldSpec<UncheckedHostDrift> = {
  status: 'required',
  reason: 'required',
  items: 'required',
};
const ITEM_BASE = {
  desired: 'required',
  observed: 'required',
  inSync: 'required',
  manager: 'optional',
  waived: 'optional',
  waiverExpired: 'optional',
  flapping: 'optional',
  fighting: 'optional',
} as const;
const SERVICE_ITEM: FieldSpec<ServiceDriftItem> = {
  kind: 'required',
  service: 'required',
  field: 'required',
  resource: 'optional',
  ...ITEM_BASE,
};
const RUNLEVEL_ITEM: FieldSpec<Omit<RunlevelDriftItem, 'service' | 'resource'>> = {
  kind: 'required',
  field: 'required',
  ...ITEM_BASE,
};
const RESOURCE_ITEM: FieldSpec<Omit<ResourceDriftItem, 'service'>> = {
  kind: 'required',
  field: 'required',
  resource: 'required',
  ...ITEM_BASE,
};
/** Records, so tsc insists on every member of each union and nothing else. */
const SERVICE_FIELDS: Record<ServiceDriftItem['field'], true> = {
  present: true,
  state: true,
  enabled: true,
  restart: true,
  health: true,
  masked: true,
  resource: true,
};
const RUNLEVEL_FIELDS: Record<RunlevelDriftItem['field'], true> = {
  runlevel: true,
  'default-runlevel': true,
};
const CHECKED_STATUSES: Record<CheckedHostDrift['status'], true> = { 'in-sync': true, drift: true };
const ALL_STATUSES: Record<HostDriftStatus, true> = { ...CHECKED_STATUSES, unchecked: true };
const ALL_FIELDS: Record<DriftField, true> = { ...SERVICE_FIELDS, ...RUNLEVEL_FIELDS };

describe('drift.schema.json agrees with src/model/drift.ts', () => {
  it('lists exactly the fields of each type, required where the type requires them', () => {
    expect(neverFields).toEqual([true, true]);
    expect(fieldsOf(schema)).toEqual(sorted(REPORT));
    expect(fieldsOf(defs('summary'))).toEqual(sorted(SUMMARY));
    expect(fieldsOf(defs('checkedHost'))).toEqual(sorted(CHECKED));
    expect(fieldsOf(defs('uncheckedHost'))).toEqual(sorted(UNCHECKED));
    expect(fieldsOf(branch(schema, defs('item'), 'kind', 'service'))).toEqual(sorted(SERVICE_ITEM));
    expect(fieldsOf(branch(schema, defs('item'), 'kind', 'runlevel'))).toEqual(sorted(RUNLEVEL_ITEM));
    expect(fieldsOf(branch(schema, defs('item'), 'kind', 'resource'))).toEqual(sorted(RESOURCE_ITEM));
    expect(defs('item').oneOf).toHaveLength(3);
    expect(defs('hostDrift').oneOf).toHaveLength(2);
  });

  it('has the same enums, constants and patterns as the model', () => {
    const service = defs('serviceItem');
    const runlevel = defs('runlevelItem');
    expect(enumOf(propertyOf(schema, service, 'field'))).toEqual(Object.keys(SERVICE_FIELDS).sort());
    expect(enumOf(propertyOf(schema, runlevel, 'field'))).toEqual(Object.keys(RUNLEVEL_FIELDS).sort());
    expect([...DRIFT_FIELDS].sort()).toEqual(Object.keys(ALL_FIELDS).sort());
    expect(enumOf(propertyOf(schema, defs('checkedHost'), 'status'))).toEqual(
      Object.keys(CHECKED_STATUSES).sort(),
    );
    expect(propertyOf(schema, defs('uncheckedHost'), 'status')).toEqual({ const: 'unchecked' });
    expect(Object.keys(ALL_STATUSES)).toHaveLength(3);
    expect(enumOf(defs('manager'))).toEqual([...MANAGERS].sort());
    expect(defs('serviceName').pattern).toBe(SERVICE_NAME_RE.source);
    expect(propertyOf(schema, schema, 'version')).toEqual({ const: 1 });
  });

  it('accepts what computeDrift makes and renderDriftJson writes, with or without generatedAt', () => {
    const r = sampleReport();
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(renderDriftJson(r))), JSON.stringify(validate.errors)).toBe(true);
    const stamped = { ...r, generatedAt: '2024-05-01T12:00:00Z' };
    expect(validate(JSON.parse(renderDriftJson(stamped))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects unknown fields, other versions, missing fields and mixed-up item kinds', () => {
    const r = sampleReport();
    const withHost = (h: unknown) => ({ ...r, hosts: { x: h } });
    const item = {
      kind: 'service',
      service: 'a',
      field: 'state',
      desired: 'running',
      observed: 'active',
      inSync: true,
    };
    expect(validate(withHost({ status: 'in-sync', items: [item] }))).toBe(true);
    expect(validate({ ...r, extra: 1 })).toBe(false);
    expect(validate({ ...r, version: 2 })).toBe(false);
    expect(validate({ ...r, summary: { ...r.summary, drifts: -1 } })).toBe(false);
    expect(validate(withHost({ status: 'unchecked', items: [] }))).toBe(false);
    expect(validate(withHost({ status: 'drift', reason: 'x', items: [] }))).toBe(false);
    expect(validate(withHost({ status: 'in-sync', items: [{ ...item, field: 'runlevel' }] }))).toBe(false);
    expect(validate(withHost({ status: 'in-sync', items: [{ ...item, kind: 'runlevel' }] }))).toBe(false);
    const { service: _, ...noService } = item;
    expect(validate(withHost({ status: 'in-sync', items: [noService] }))).toBe(false);
    expect(validate(withHost({ status: 'in-sync', items: [{ ...item, service: 'bad name;rm' }] }))).toBe(
      false,
    );
    expect(validate(withHost({ status: 'in-sync', items: [{ ...item, manager: 'runit' }] }))).toBe(false);
  });
});

describe('renderDriftJson', () => {
  it('writes 2-space JSON with a trailing newline that parses back to the report', () => {
    const json = renderDriftJson(sampleReport());
    expect(json.startsWith('{\n  "version": 1,\n  "hosts": {\n')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(sampleReport());
  });

  it('writes keys in a fixed order whatever order the value was built in', () => {
    const r = sampleReport();
    const reverse = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    const hosts = Object.fromEntries(
      Object.entries(r.hosts)
        .reverse()
        .map(([n, h]) => [n, { ...reverse(h), items: h.items.map(reverse) }]),
    );
    const shuffled = reverse({ ...r, hosts: hosts as DriftReport['hosts'], summary: reverse(r.summary) });
    expect(renderDriftJson(shuffled)).toBe(renderDriftJson(r));
    expect(Object.keys(JSON.parse(renderDriftJson({ ...r, generatedAt: 'now' })))).toEqual([
      'version',
      'generatedAt',
      'hosts',
      'summary',
    ]);
  });

  it('writes an empty report too', () => {
    const r = computeDrift(desired(), observed());
    expect(renderDriftJson(r)).toBe(
      '{\n  "version": 1,\n  "hosts": {},\n  "summary": {\n    "hosts": 0,\n    "inSync": 0,\n    "drifted": 0,\n    "unchecked": 0,\n    "items": 0,\n    "drifts": 0\n  }\n}\n',
    );
    const one = computeDrift(desired(dhost('h', [svc('a')])), observed(ohost('h', [osvc('a', 'active')])));
    expect(validate(JSON.parse(renderDriftJson(one)))).toBe(true);
  });
});
