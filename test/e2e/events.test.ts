import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect, it } from 'vitest';
import {
  BED_INVENTORY,
  crmPort,
  describeBed,
  freshStateHome,
  playbookOf,
  resetBed,
  runstate,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const load = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')));
const validEvent = load('event.v1.schema.json');
const validAlert = load('alert.v1.schema.json');

/** Every line parsed and checked against the schema on its own, in file order. */
function eventsOf(file: string): { type: string; step?: string; seq: number; [k: string]: unknown }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const e = JSON.parse(line);
      expect(validEvent(e), `${line}: ${JSON.stringify(validEvent.errors)}`).toBe(true);
      return e;
    });
}

describeBed('the event stream and alerts of real runs', () => {
  it('streams a real apply with several services per host and a failing gate, line by line', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const db = crmPort('bed-systemd', 'crm-db');
    const pb = playbookOf({
      'bed-systemd': {
        services: {
          'crm-db': { state: 'running', health: { http: `http://127.0.0.1:${db}/nosuch`, timeout: 3 } },
          'crm-app': { state: 'running', requires: ['crm-db'] },
          'crm-proxy': { state: 'running' },
        },
      },
      'bed-sysv': { services: { 'crm-app': { state: 'running' }, 'crm-proxy': { state: 'running' } } },
    });
    const file = join(freshStateHome(), 'events.jsonl');
    const r = await runstate(['apply', '-i', INV, pb, '--yes', '--events', file]);
    expect(r.code).toBe(3);
    const ev = eventsOf(file);
    expect(ev[0]?.type).toBe('run-started');
    expect(ev.at(-1)).toMatchObject({ type: 'run-finished', exitCode: 3 });
    expect(ev.map((e) => e.seq)).toEqual(ev.map((_, i) => i + 1));
    expect(ev.filter((e) => e.type === 'host-observed').map((e) => e.host)).toEqual([
      'bed-systemd',
      'bed-sysv',
    ]);
    const planned = ev.filter((e) => e.type === 'step-planned').map((e) => e.step);
    expect(planned).toHaveLength(5);
    const finished = Object.fromEntries(
      ev.filter((e) => e.type === 'step-finished').map((e) => [e.step, e.outcome]),
    );
    expect(finished['bed-systemd/start/crm-db']).toBe('failed');
    expect(finished['bed-sysv/start/crm-app']).toBe('ok');
    const skipped = ev.filter((e) => e.type === 'step-skipped').map((e) => e.step);
    expect(skipped).toEqual(['bed-systemd/start/crm-app']);
    // Each step that ran was started before it finished, in the stream's own order.
    for (const id of Object.keys(finished)) {
      const s = ev.findIndex((e) => e.type === 'step-started' && e.step === id);
      const f = ev.findIndex((e) => e.type === 'step-finished' && e.step === id);
      expect(s).toBeGreaterThan(-1);
      expect(f).toBeGreaterThan(s);
    }
    // A second run appends its own run to the same file.
    const again = await runstate(['apply', '-i', INV, pb, '--yes', '--events', file]);
    expect(again.code).toBe(3);
    const runs = new Set(eventsOf(file).map((e) => e.run));
    expect(runs.size).toBe(2);
    resetBed('bed-systemd', 'bed-sysv');
  });

  it('alerts drift to a webhook on loopback once per change, and its recovery', async () => {
    resetBed('bed-sysv');
    const got: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        got.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const state = join(freshStateHome(), 'notify.json');
    const pb = playbookOf({ 'bed-sysv': { services: { 'crm-app': { state: 'running' } } } });
    const file = join(freshStateHome(), 'events.jsonl');
    try {
      const args = ['drift', '-i', INV, pb, '--notify', url, '--notify-state', state, '--events', file];
      expect((await runstate(args)).code).toBe(2);
      expect(got).toHaveLength(1);
      expect(validAlert(got[0]), JSON.stringify(validAlert.errors)).toBe(true);
      expect(got[0]).toMatchObject({ kind: 'drift', item: 'bed-sysv:crm-app', source: 'drift' });
      expect(eventsOf(file).map((e) => e.type)).toContain('drift-found');
      expect(eventsOf(file).map((e) => e.type)).toContain('alert-sent');
      expect((await runstate(args)).code).toBe(2); // still drifting: no second alert
      expect(got).toHaveLength(1);
      expect((await runstate(['apply', '-i', INV, pb, '--yes'])).code).toBe(0);
      expect((await runstate(args)).code).toBe(0);
      expect(got).toHaveLength(2);
      expect(got[1]).toMatchObject({ kind: 'recovered', item: 'bed-sysv:crm-app', previous: 'drift' });
    } finally {
      await new Promise((r) => server.close(r));
      resetBed('bed-sysv');
    }
  });
});
