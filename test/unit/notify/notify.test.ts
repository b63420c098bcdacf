import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import type { DriftReport } from '../../../src/model/index.js';
import { alerterFor } from '../../../src/notify/cli.js';
import { backoffDelays, type RetryPolicy, withRetry } from '../../../src/notify/retry.js';
import { postJson, runAlertCommand } from '../../../src/notify/send.js';
import { EMPTY_STATE, stateChanges } from '../../../src/notify/state.js';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateAlert = ajv.compile(
  JSON.parse(readFileSync(new URL('../../../schemas/alert.v1.schema.json', import.meta.url), 'utf8')),
);

function report(
  items: Record<string, { service: string; observed: string }[]>,
  unchecked: string[] = [],
): DriftReport {
  const hosts: Record<string, unknown> = {};
  for (const [host, list] of Object.entries(items)) {
    hosts[host] = {
      status: list.some((i) => i.observed !== 'active') ? 'drift' : 'in-sync',
      items: list.map((i) => ({
        kind: 'service',
        service: i.service,
        field: 'state',
        desired: 'running',
        observed: i.observed,
        inSync: i.observed === 'active',
      })),
    };
  }
  for (const host of unchecked) hosts[host] = { status: 'unchecked', reason: 'unreachable', items: [] };
  return {
    version: 1,
    hosts,
    summary: { hosts: 0, inSync: 0, drifted: 0, unchecked: 0, items: 0, drifts: 0 },
  } as DriftReport;
}

const meta = { time: '2026-12-02T01:00:00.000Z', source: 'drift' };

describe('one alert per item state change', () => {
  it('alerts new drift once, not again while it lasts, and once more when it recovers', () => {
    const first = stateChanges(
      EMPTY_STATE,
      report({ h1: [{ service: 'a', observed: 'inactive' }] }),
      {},
      meta,
    );
    expect(first.alerts.map((a) => [a.kind, a.item])).toEqual([['drift', 'h1:a']]);
    for (const a of first.alerts) expect(validateAlert(a), JSON.stringify(validateAlert.errors)).toBe(true);
    const again = stateChanges(
      first.next,
      report({ h1: [{ service: 'a', observed: 'inactive' }] }),
      {},
      meta,
    );
    expect(again.alerts).toEqual([]);
    const worse = stateChanges(
      first.next,
      report({ h1: [{ service: 'a', observed: 'inactive' }] }),
      { healFailed: ['h1:a'] },
      meta,
    );
    expect(worse.alerts.map((a) => [a.kind, a.previous])).toEqual([['heal-failed', 'drift']]);
    const back = stateChanges(worse.next, report({ h1: [{ service: 'a', observed: 'active' }] }), {}, meta);
    expect(back.alerts.map((a) => [a.kind, a.item, a.previous])).toEqual([
      ['recovered', 'h1:a', 'heal-failed'],
    ]);
    expect(back.next.items).toEqual({});
    for (const a of [...worse.alerts, ...back.alerts]) expect(validateAlert(a)).toBe(true);
  });

  it('does not call an item recovered when its host could not be checked', () => {
    const first = stateChanges(
      EMPTY_STATE,
      report({ h1: [{ service: 'a', observed: 'inactive' }] }),
      {},
      meta,
    );
    const unchecked = stateChanges(first.next, report({}, ['h1']), {}, meta);
    expect(unchecked.alerts).toEqual([]);
    expect(unchecked.next.items['h1:a']?.state).toBe('drift');
  });

  it('takes flapping and fighting from the hook, worst state first', () => {
    const r = stateChanges(
      EMPTY_STATE,
      report({ h1: [{ service: 'a', observed: 'inactive' }] }),
      { flapping: ['h1:a'], fighting: ['h1:a'] },
      meta,
    );
    expect(r.alerts.map((a) => a.kind)).toEqual(['fighting']);
  });
});

describe('retries with backoff', () => {
  const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, timeoutMs: 50 };
  it('doubles the wait between attempts, capped', () => {
    expect(backoffDelays(policy)).toEqual([100, 200, 250]);
    expect(backoffDelays({ ...policy, attempts: 1 })).toEqual([]);
  });
  it('stops at the first success, or after the last attempt, or at an answer not worth retrying', async () => {
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    let n = 0;
    const ok = await withRetry(
      async () =>
        ++n < 3 ? { ok: false, retry: true, detail: 'HTTP 503' } : { ok: true, detail: 'HTTP 204' },
      policy,
      sleep,
    );
    expect(ok).toEqual({ ok: true, attempts: 3, detail: 'HTTP 204' });
    expect(slept).toEqual([100, 200]);
    const never = await withRetry(
      async () => ({ ok: false, retry: true, detail: 'HTTP 500' }),
      policy,
      sleep,
    );
    expect(never).toEqual({ ok: false, attempts: 4, detail: 'HTTP 500' });
    const refused = await withRetry(
      async () => ({ ok: false, retry: false, detail: 'HTTP 404' }),
      policy,
      sleep,
    );
    expect(refused.attempts).toBe(1);
    const thrown = await withRetry(
      async () => {
        throw new Error('bug in attempt');
      },
      { ...policy, attempts: 2 },
      sleep,
    );
    expect(thrown).toEqual({ ok: false, attempts: 2, detail: 'bug in attempt' });
  });
});

describe('delivery to real servers on loopback', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const serve = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
  };
  const quietIo = (errs: string[]): Io => ({
    out: () => {},
    err: (t) => errs.push(t),
    isTTY: false,
    env: {},
  });

  it('retries a server that fails first, then delivers the payload; state is saved', async () => {
    const bodies: unknown[] = [];
    let calls = 0;
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(503).end();
          return;
        }
        bodies.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    const stateFile = join(mkdtempSync(join(tmpdir(), 'notify-')), 'state.json');
    const errs: string[] = [];
    const alerter = alerterFor({ notify: [url], notifyState: stateFile }, quietIo(errs), {
      policy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5000 },
    });
    const r = report({ h1: [{ service: 'a', observed: 'inactive' }] });
    await alerter?.afterRun(r, {});
    expect(calls).toBe(2);
    expect(bodies).toHaveLength(1);
    expect(validateAlert(bodies[0])).toBe(true);
    expect(bodies[0]).toMatchObject({ kind: 'drift', item: 'h1:a', host: 'h1', service: 'a' });
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).items['h1:a'].state).toBe('drift');
    await alerter?.afterRun(r, {}); // same state: no second alert
    expect(calls).toBe(2);
    expect(errs).toEqual([]);
  });

  it('gives up on a server that never answers after its timeout, reports it, and alerts again next run', async () => {
    let calls = 0;
    const url = await serve(() => {
      calls++; // accepts, never answers
    });
    const stateFile = join(mkdtempSync(join(tmpdir(), 'notify-')), 'state.json');
    const errs: string[] = [];
    const alerter = alerterFor({ notify: [url], notifyState: stateFile }, quietIo(errs), {
      policy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 200 },
    });
    await alerter?.afterRun(report({ h1: [{ service: 'a', observed: 'inactive' }] }), {});
    expect(calls).toBe(2);
    expect(errs.join('')).toContain('not delivered');
    expect(errs.join('')).toContain('timed out after 200 ms');
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).items).toEqual({});
  });

  it('posts and reads HTTP answers: 2xx delivered, 4xx not retried', async () => {
    const url = await serve((_req, res) => res.writeHead(404).end());
    expect(await postJson(url, '{}', 2000)).toEqual({ ok: false, retry: false, detail: 'HTTP 404' });
  });

  it('runs a local command with the payload on stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-'));
    const out = join(dir, 'got.json');
    expect(await runAlertCommand(`cat > '${out}'`, '{"x":1}\n', 5000)).toEqual({
      ok: true,
      detail: 'exit 0',
    });
    expect(readFileSync(out, 'utf8')).toBe('{"x":1}\n');
    expect(await runAlertCommand('echo nope >&2; exit 3', '{}', 5000)).toEqual({
      ok: false,
      retry: true,
      detail: 'exit 3: nope',
    });
    expect((await runAlertCommand('sleep 5', '{}', 100)).detail).toBe('timed out after 100 ms');
  });

  it('refuses a --notify that is not an http(s) URL before anything runs', () => {
    expect(() => alerterFor({ notify: ['ftp://x'] }, quietIo([]))).toThrow(/only http and https/);
    expect(() => alerterFor({ notify: ['nope'] }, quietIo([]))).toThrow(/is not a URL/);
  });
});
