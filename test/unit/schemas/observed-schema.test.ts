import { describe, expect, it } from 'vitest';
import {
  type ActiveState,
  type EnabledState,
  MANAGERS,
  type ObservedRunlevel,
  type ObservedService,
  type ObservedSnapshot,
  type ReachableHost,
  SERVICE_NAME_RE,
  type UnreachableHost,
} from '../../../src/model/index.js';
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
} from './schema-walk.js';

const schema = loadSchema('observed.schema.json');
const validate = compile(schema);
const defs = (name: string) => deref(schema, { $ref: `#/$defs/${name}` });

const SNAPSHOT: FieldSpec<ObservedSnapshot> = { version: 'required', hosts: 'required' };
const REACHABLE: FieldSpec<ReachableHost> = {
  status: 'required',
  host: 'required',
  init: 'required',
  managers: 'required',
  detection: 'optional',
  runlevel: 'required',
  services: 'required',
  resources: 'optional',
};
const UNREACHABLE: FieldSpec<UnreachableHost> = { status: 'required', host: 'required', reason: 'required' };
const RUNLEVEL: FieldSpec<ObservedRunlevel> = { current: 'optional', default: 'optional' };
const SERVICE: FieldSpec<ObservedService> = {
  name: 'required',
  manager: 'required',
  active: 'required',
  enabled: 'required',
  detail: 'optional',
  unit: 'optional',
  tool: 'optional',
  runlevels: 'optional',
  watch: 'optional',
  reloadNeeded: 'optional',
  warning: 'optional',
  crashed: 'optional',
  problem: 'optional',
  problemHint: 'optional',
  user: 'optional',
  uid: 'optional',
};
/** Records so tsc insists on every member of each union and nothing else. */
const ACTIVE: Record<ActiveState, true> = {
  active: true,
  inactive: true,
  failed: true,
  activating: true,
  deactivating: true,
  'not-found': true,
  unknown: true,
};
const ENABLED: Record<EnabledState, true> = {
  enabled: true,
  disabled: true,
  static: true,
  masked: true,
  'not-found': true,
  unknown: true,
};

const actives = Object.keys(ACTIVE) as ActiveState[];
const enableds = Object.keys(ENABLED) as EnabledState[];
const sample: ObservedSnapshot = {
  version: 1,
  hosts: {
    ...Object.fromEntries(
      MANAGERS.map((m, i): [string, ReachableHost] => [
        `h-${m}`,
        {
          status: 'ok',
          host: `h-${m}`,
          init: m,
          managers: [m],
          runlevel: i === 0 ? { current: 'multi-user.target', default: 'graphical.target' } : {},
          services: Object.fromEntries(
            actives.map((active, j) => {
              const name = `svc-${j}@x`;
              const s: ObservedService = {
                name,
                manager: m,
                active,
                enabled: enableds[j % enableds.length] as EnabledState,
              };
              return [
                name,
                j === 0
                  ? {
                      ...s,
                      detail: 'running',
                      unit: `${name}.service`,
                      tool: 'update-rc.d',
                      runlevels: ['2', '3'],
                    }
                  : s,
              ];
            }),
          ),
        },
      ]),
    ),
    odd: {
      status: 'ok',
      host: 'odd',
      init: 'unknown',
      managers: [],
      runlevel: { current: '2' },
      services: {},
    },
    down: { status: 'unreachable', host: 'down', reason: 'connection refused' },
  },
};

describe('observed.schema.json agrees with src/model/observed.ts', () => {
  it('lists exactly the fields of each type, required where the type requires them', () => {
    expect(fieldsOf(schema)).toEqual(sorted(SNAPSHOT));
    expect(fieldsOf(branch(schema, defs('host'), 'status', 'ok'))).toEqual(sorted(REACHABLE));
    expect(fieldsOf(branch(schema, defs('host'), 'status', 'unreachable'))).toEqual(sorted(UNREACHABLE));
    expect(defs('host').oneOf).toHaveLength(2);
    expect(fieldsOf(defs('runlevel'))).toEqual(sorted(RUNLEVEL));
    expect(fieldsOf(defs('service'))).toEqual(sorted(SERVICE));
  });

  it('has the same enums and patterns as the model', () => {
    const service = defs('service');
    expect(enumOf(propertyOf(schema, service, 'active'))).toEqual([...actives].sort());
    expect(enumOf(propertyOf(schema, service, 'enabled'))).toEqual([...enableds].sort());
    expect(enumOf(defs('manager'))).toEqual([...MANAGERS].sort());
    expect(propertyOf(schema, service, 'name').pattern).toBe(SERVICE_NAME_RE.source);
    expect(propertyOf(schema, schema, 'version')).toEqual({ const: 1 });
  });

  it('accepts a sample with every union member', () => {
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects unknown fields, unknown states and a half-written host', () => {
    expect(validate({ ...sample, extra: true })).toBe(false);
    expect(validate({ version: 1, hosts: { a: { status: 'ok', host: 'a' } } })).toBe(false);
    expect(
      validate({
        version: 1,
        hosts: { a: { status: 'unreachable', host: 'a', reason: 'x', init: 'systemd' } },
      }),
    ).toBe(false);
    const bad = { name: 'a', manager: 'systemd', active: 'running', enabled: 'enabled' };
    const host = {
      status: 'ok',
      host: 'a',
      init: 'systemd',
      managers: [],
      runlevel: {},
      services: { a: bad },
    };
    expect(validate({ version: 1, hosts: { a: host } })).toBe(false);
  });
});
