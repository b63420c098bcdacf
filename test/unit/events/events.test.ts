import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { driftEvents, outcomeEvent, planEvents } from '../../../src/events/from.js';
import { openEventSink, serialiseEvent } from '../../../src/events/sink.js';
import type { RunEventBody } from '../../../src/events/types.js';
import type { DriftReport, Step } from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from '../plan/helpers.js';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const schema = JSON.parse(
  readFileSync(new URL('../../../schemas/event.v1.schema.json', import.meta.url), 'utf8'),
);
const validate = ajv.compile(schema);
const at = new Date('2026-12-02T01:00:00.000Z');

const step: Step = {
  id: 'h1/start/crm-db',
  host: 'h1',
  kind: 'start',
  service: 'crm-db',
  manager: 'systemd',
  reason: 'observed inactive, want running',
  commands: [['systemctl', 'start', 'crm-db']],
  after: [],
  wave: 1,
};

const EVERY_TYPE: RunEventBody[] = [
  { type: 'run-started', command: 'apply', playbooks: ['site.yml'], dryRun: false },
  { type: 'host-observed', host: 'h1', init: 'systemd', services: 3 },
  { type: 'host-unreachable', host: 'h2', reason: 'connection refused' },
  { type: 'step-planned', step: step.id, host: 'h1', kind: 'start', service: 'crm-db', wave: 1, reason: 'x' },
  { type: 'step-started', step: step.id, host: 'h1', kind: 'start', service: 'crm-db' },
  outcomeEvent({ kind: 'ok', step, durationMs: 120 }),
  outcomeEvent({ kind: 'failed', step, durationMs: 3, message: 'health gate did not pass', stderrTail: '' }),
  outcomeEvent({ kind: 'skipped', step, because: 'h1/start/x', cause: 'h1/start/x did not succeed' }),
  outcomeEvent({ kind: 'would-run', step }),
  {
    type: 'drift-found',
    host: 'h1',
    service: 'crm-db',
    field: 'state',
    desired: 'running',
    observed: 'inactive',
  },
  {
    type: 'drift-waived',
    host: 'h1',
    field: 'runlevel',
    desired: '3',
    observed: '5',
    waiver: { reason: 'migration', owner: 'ops', until: '2027-01-15' },
  },
  { type: 'drift-healed', step: step.id, host: 'h1', kind: 'start', service: 'crm-db' },
  { type: 'alert-sent', target: 'http://127.0.0.1:9/x', alert: 'drift', item: 'h1:crm-db', attempts: 1 },
  {
    type: 'alert-failed',
    target: 'command "x"',
    alert: 'drift',
    item: 'h1:crm-db',
    attempts: 4,
    message: 'exit 1',
  },
  { type: 'run-finished', exitCode: 3 },
  { type: 'run-finished', exitCode: -1, error: 'boom' },
];

describe('event serialisation', () => {
  it('writes one line per event, envelope first, each valid against event.v1', () => {
    EVERY_TYPE.forEach((body, i) => {
      const line = serialiseEvent(body, 'abc123', i + 1, at);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      const parsed = JSON.parse(line);
      expect(Object.keys(parsed).slice(0, 5)).toEqual(['v', 'run', 'seq', 'time', 'type']);
      expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    });
  });

  it('refuses an event of no known type or with a field the schema lacks', () => {
    const env = { v: 1, run: 'r', seq: 1, time: at.toISOString() };
    expect(validate({ ...env, type: 'nope' })).toBe(false);
    expect(validate({ ...env, type: 'host-unreachable', host: 'h', reason: 'x', extra: 1 })).toBe(false);
  });

  it('lists the plan: hosts as observed, then each step with its wave', () => {
    const r = plan(
      desired(dhost('h1', [svc('crm-db'), svc('crm-app')])),
      observed(ohost('h1', [osvc('crm-db', 'inactive'), osvc('crm-app', 'active')])),
    );
    const events = planEvents(r.plan);
    expect(events.map((e) => e.type)).toEqual(['host-observed', 'step-planned']);
    expect(events[1]).toMatchObject({ step: 'h1/start/crm-db', wave: 1 });
  });

  it('reports drift as found, or as waived where an item carries a waiver', () => {
    const report = {
      version: 1,
      hosts: {
        h1: {
          status: 'drift',
          items: [
            {
              kind: 'service',
              service: 'a',
              field: 'state',
              desired: 'running',
              observed: 'inactive',
              inSync: false,
            },
            {
              ...{
                kind: 'service',
                service: 'b',
                field: 'enabled',
                desired: 'enabled',
                observed: 'disabled',
              },
              inSync: false,
              waived: { reason: 'r', owner: 'o', until: '2027-01-15' },
            },
            {
              kind: 'service',
              service: 'c',
              field: 'state',
              desired: 'running',
              observed: 'active',
              inSync: true,
            },
          ],
        },
        h2: { status: 'unchecked', reason: 'unreachable', items: [] },
      },
      summary: { hosts: 2, inSync: 0, drifted: 1, unchecked: 1, items: 3, drifts: 2 },
    } as unknown as DriftReport;
    expect(driftEvents(report).map((e) => [e.type, 'service' in e ? e.service : ''])).toEqual([
      ['drift-found', 'a'],
      ['drift-waived', 'b'],
    ]);
  });
});

describe('the event file', () => {
  it('has every event on disk as soon as it is emitted, before close', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'events-')), 'run.jsonl');
    const sink = openEventSink(file, { now: () => at, run: 'r1' });
    sink.emit(EVERY_TYPE[0] as RunEventBody);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    sink.emit(EVERY_TYPE[1] as RunEventBody);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
    sink.close();
    sink.close();
    sink.emit(EVERY_TYPE[2] as RunEventBody); // after close: dropped, not thrown
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('refuses a file it cannot open, naming it', () => {
    expect(() => openEventSink('/nonexistent-dir/x.jsonl')).toThrow(/cannot open --events \/nonexistent-dir/);
  });
});
