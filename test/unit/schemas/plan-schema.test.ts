import { describe, expect, it } from 'vitest';
import {
  type Barrier,
  type HealthCheck,
  MANAGERS,
  type Plan,
  type PlanBlocked,
  type PlanHost,
  SERVICE_NAME_RE,
  type Step,
  type StepKind,
} from '../../../src/model/index.js';
import { renderPlanJson } from '../../../src/report/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from '../plan/helpers.js';
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

const schema = loadSchema('plan.schema.json');
const validate = compile(schema);
const defs = (name: string) => deref(schema, { $ref: `#/$defs/${name}` });

const PLAN: FieldSpec<Plan> = {
  version: 'required',
  serial: 'optional',
  playbooks: 'required',
  inventory: 'required',
  hosts: 'required',
  steps: 'required',
  waves: 'required',
  barriers: 'optional',
  stacks: 'optional',
  blocked: 'optional',
};
const BLOCKED: FieldSpec<PlanBlocked> = {
  host: 'required',
  service: 'optional',
  reason: 'required',
  hint: 'optional',
};
const BARRIER: FieldSpec<Barrier> = { id: 'required', reason: 'required', after: 'required' };
const PLAN_HOST: FieldSpec<PlanHost> = {
  digest: 'required',
  unreachable: 'optional',
  services: 'required',
  watches: 'optional',
  observed: 'required',
};
const STEP: FieldSpec<Step> = {
  id: 'required',
  host: 'required',
  kind: 'required',
  service: 'optional',
  manager: 'optional',
  target: 'optional',
  reason: 'required',
  commands: 'required',
  after: 'required',
  wave: 'required',
  health: 'optional',
  blockedBy: 'optional',
  requiredGates: 'optional',
};
type Health<K extends HealthCheck['kind']> = Extract<HealthCheck, { kind: K }>;
const HEALTH: { [K in HealthCheck['kind']]: FieldSpec<Health<K>> } = {
  tcp: { kind: 'required', port: 'required', host: 'required', timeoutSec: 'required' },
  http: { kind: 'required', url: 'required', timeoutSec: 'required' },
  command: { kind: 'required', argv: 'required', timeoutSec: 'required' },
};
/** A Record so tsc insists on every StepKind and nothing else. */
const STEP_KINDS: Record<StepKind, true> = {
  start: true,
  stop: true,
  restart: true,
  enable: true,
  disable: true,
  'set-runlevel': true,
  'set-default-runlevel': true,
  unmask: true,
  mask: true,
  'daemon-reload': true,
};

const digest = `sha256:${'0'.repeat(64)}`;
const step = (kind: StepKind, extra: Partial<Step> = {}): Step => ({
  id: `h1/${kind}/x`,
  host: 'h1',
  kind,
  reason: 'because',
  commands: [['true']],
  after: [],
  wave: 1,
  ...extra,
});

/** Every union member and every optional field at least once. */
const sample: Plan = {
  version: 1,
  playbooks: ['playbooks/site.yml'],
  inventory: ['inventory/hosts.yml'],
  hosts: {
    h1: {
      digest,
      services: ['crm-db'],
      observed: {
        status: 'ok',
        host: 'h1',
        init: 'systemd',
        managers: ['systemd'],
        runlevel: { current: 'multi-user.target' },
        services: {
          'crm-db': { name: 'crm-db', manager: 'systemd', active: 'inactive', enabled: 'disabled' },
        },
      },
    },
    h2: {
      digest,
      unreachable: 'connection refused',
      services: [],
      observed: { status: 'unreachable', host: 'h2', reason: 'connection refused' },
    },
  },
  steps: [
    step('start', {
      service: 'crm-db',
      manager: 'systemd',
      health: { kind: 'tcp', port: 5432, host: '127.0.0.1', timeoutSec: 30 },
    }),
    step('restart', {
      service: 'crm-app',
      manager: 'sysv',
      health: { kind: 'http', url: 'http://127.0.0.1/h', timeoutSec: 5 },
    }),
    step('stop', {
      service: 'getty@tty1',
      manager: 'openrc',
      health: { kind: 'command', argv: ['true'], timeoutSec: 1 },
    }),
    step('enable', { service: 'x', manager: 'upstart' }),
    step('disable', { service: 'x', manager: 'supervisord' }),
    step('set-runlevel', { target: '3', manager: 'sysv' }),
    step('set-default-runlevel', {
      target: 'graphical.target',
      manager: 'systemd',
      after: ['h1/set-runlevel/x'],
      wave: 2,
    }),
  ],
  waves: [['h1/start/x'], ['h1/set-default-runlevel/x']],
  barriers: [{ id: '@default/starts-before-app', reason: 'every start …', after: ['h1/start/x'] }],
  stacks: { default: ['h1'], crm: ['h2'] },
  blocked: [
    { host: 'h1', service: 'crm-masked', reason: 'crm-masked is masked on h1', hint: 'unmask it' },
    { host: 'h2', reason: 'its init system is unknown' },
  ],
};

describe('plan.schema.json agrees with src/model/plan.ts', () => {
  it('lists exactly the fields of each type, required where the type requires them', () => {
    expect(fieldsOf(schema)).toEqual(sorted(PLAN));
    expect(fieldsOf(defs('planHost'))).toEqual(sorted(PLAN_HOST));
    expect(fieldsOf(defs('step'))).toEqual(sorted(STEP));
    expect(fieldsOf(defs('barrier'))).toEqual(sorted(BARRIER));
    expect(fieldsOf(defs('blocked'))).toEqual(sorted(BLOCKED));
    for (const kind of Object.keys(HEALTH) as HealthCheck['kind'][]) {
      expect(fieldsOf(branch(schema, defs('health'), 'kind', kind))).toEqual(sorted(HEALTH[kind]));
    }
    expect(defs('health').oneOf).toHaveLength(Object.keys(HEALTH).length);
  });

  it('has the same enums and patterns as the model', () => {
    expect(enumOf(defs('stepKind'))).toEqual(Object.keys(STEP_KINDS).sort());
    expect(enumOf(defs('manager'))).toEqual([...MANAGERS].sort());
    expect(defs('serviceName').pattern).toBe(SERVICE_NAME_RE.source);
    expect(propertyOf(schema, schema, 'version')).toEqual({ const: 1 });
  });

  it('accepts a sample with every union member', () => {
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects unknown fields, other versions and missing fields', () => {
    expect(validate({ ...sample, extra: 1 })).toBe(false);
    expect(validate({ ...sample, version: 2 })).toBe(false);
    const { reason: _, ...noReason } = step('start');
    expect(validate({ ...sample, steps: [noReason] })).toBe(false);
    expect(validate({ ...sample, hosts: { h1: { digest: 'md5:x' } } })).toBe(false);
    expect(validate({ ...sample, steps: [step('start', { service: 'bad name;rm' })] })).toBe(false);
  });

  it('accepts what buildPlan makes and renderPlanJson writes', () => {
    const r = plan(
      desired(
        dhost(
          'h1',
          [
            svc('crm-db', {
              tier: 'database',
              health: { kind: 'tcp', port: 5432, host: '127.0.0.1', timeoutSec: 30 },
            }),
          ],
          {
            kind: 'level',
            level: 5,
          },
        ),
        dhost('h2', [
          svc('crm-app', { requires: ['h1:crm-db'], enabled: true }),
          svc('old', { state: 'stopped', enabled: false }),
        ]),
        dhost('h3', [svc('x')]),
      ),
      observed(
        ohost('h1', [osvc('crm-db', 'inactive')]),
        ohost('h2', [osvc('crm-app', 'failed', 'disabled'), osvc('old', 'active', 'enabled')]),
        { status: 'unreachable', host: 'h3', reason: 'timed out' },
      ),
    );
    expect(r.plan.steps.length).toBeGreaterThan(5);
    expect(validate(r.plan), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(renderPlanJson(r.plan)))).toBe(true);
  });
});
