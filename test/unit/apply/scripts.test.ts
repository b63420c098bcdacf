import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthScript, parseHealthOutput } from '../../../src/apply/health.js';
import { describeHolder, lockScript, takeLock, unlockScript } from '../../../src/apply/lock.js';
import type { HealthCheck } from '../../../src/model/desired.js';

// These scripts run on target hosts; here they run in this machine's own sh, on loopback only.
const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8', timeout: 20_000 });

describe('health gate script', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes when the port answers', () => {
    const res = sh(healthScript({ kind: 'tcp', host: '127.0.0.1', port, timeoutSec: 5 }));
    expect(res.stdout.trim()).toBe('healthy');
    expect(res.status).toBe(0);
  });

  it("fails after its timeout when nothing listens, with the probe's own words", () => {
    const res = sh(healthScript({ kind: 'tcp', host: '127.0.0.1', port: 1, timeoutSec: 1 }));
    expect(res.stdout.split('\n')[0]).toBe('unhealthy');
    expect(res.status).toBe(1);
    const got = parseHealthOutput(res.stdout, res.status);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.output).toMatch(/connection refused/i);
  });

  it("carries a command gate's stderr", () => {
    const check = {
      kind: 'command',
      argv: ['sh', '-c', 'echo "pg: no response" >&2; exit 2'],
      timeoutSec: 1,
    } satisfies HealthCheck;
    const res = sh(healthScript(check));
    expect(parseHealthOutput(res.stdout, res.status)).toEqual({ ok: false, output: 'pg: no response' });
  });

  it('kills a probe still running at the deadline instead of waiting for it', () => {
    const res = sh(healthScript({ kind: 'command', argv: ['sleep', '40'], timeoutSec: 1 }));
    expect(res.error).toBeUndefined(); // spawnSync's own 20 s bound did not have to end it
    expect(parseHealthOutput(res.stdout, res.status)).toEqual({
      ok: false,
      output: "probe still running after 1s: killed at the gate's deadline",
    });
  });

  it('once: one attempt, reported as soon as it fails', () => {
    const check = {
      kind: 'command',
      argv: ['sh', '-c', 'echo attempt; exit 1'],
      timeoutSec: 30,
    } satisfies HealthCheck;
    const res = sh(healthScript(check, { once: true }));
    expect(res.error).toBeUndefined();
    expect(parseHealthOutput(res.stdout, res.status)).toEqual({ ok: false, output: 'attempt' });
  });

  it('reads output without control characters, and says when a probe printed nothing', () => {
    expect(parseHealthOutput('unhealthy\nout|\u001b[31mHTTP 404\u001b[0m\r\nexit|1\n', 1)).toEqual({
      ok: false,
      output: 'HTTP 404',
    });
    expect(parseHealthOutput('unhealthy\nexit|3\n', 1)).toEqual({
      ok: false,
      output: 'the probe exited 3 and printed nothing',
    });
    expect(parseHealthOutput('healthy\n', 0)).toEqual({ ok: true });
  });

  it('runs a command gate as argv: a hostile word stays one word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-health-'));
    const res = sh(
      healthScript({ kind: 'command', argv: ['test', '-d', `${dir}; touch ${dir}/pwned`], timeoutSec: 1 }),
    );
    expect(res.status).toBe(1);
    expect(spawnSync('test', ['-e', join(dir, 'pwned')]).status).toBe(1);
  });
});

describe('host lock script', () => {
  it('is exclusive, records the owner, and is released only by its owner', () => {
    const lockDir = join(mkdtempSync(join(tmpdir(), 'rs-lock-')), 'runstate.lock');
    expect(sh(lockScript('alice run1', 0, lockDir)).status).toBe(0);
    expect(readFileSync(join(lockDir, 'owner'), 'utf8').split('\n')[0]).toBe('alice run1');
    const second = sh(lockScript('bob run2', 0, lockDir));
    expect(second.status).toBe(75);
    expect(second.stdout).toContain('alice run1');
    expect(describeHolder(second.stdout)).toMatch(/^alice run1 \d{4}-\d\d-\d\dT[\d:]+Z, held for \d+s$/);
    sh(unlockScript('bob run2', lockDir));
    expect(sh(lockScript('bob run2', 0, lockDir)).status).toBe(75);
    sh(unlockScript('alice run1', lockDir));
    expect(sh(lockScript('bob run2', 0, lockDir)).status).toBe(0);
  });

  it('says at once why it cannot create the lock, instead of waiting for a holder', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rs-lock-')), 'not-a-dir');
    writeFileSync(file, '');
    const res = sh(lockScript('alice', 30, join(file, 'runstate.lock')));
    expect(res.status).toBe(73);
    expect(res.stderr).toMatch(/Not a directory/);
  });
});

describe('takeLock', () => {
  it('says who holds the lock and for how long after each round, until the timeout', async () => {
    let clock = 0;
    const rounds: string[] = [];
    const conn = {
      runScript: async (script: string) => {
        rounds.push(/deadline=\$\(\( \$\(date \+%s\) \+ (\d+) \)\)/.exec(script)?.[1] ?? '?');
        clock += 10_000;
        return { code: 75, stdout: 'bob pid 7 2026-12-01T20:00:00Z \nage=42\n', stderr: '', timedOut: false };
      },
    };
    const waits: string[] = [];
    const got = await takeLock(
      conn,
      'alice',
      25,
      {
        become: false,
        onWait: (holder, left) => waits.push(`${holder} (${left}s left)`),
        staleOf: () => undefined,
      },
      () => clock,
    );
    expect(got).toEqual({ ok: false, held: 'bob pid 7 2026-12-01T20:00:00Z, held for 42s' });
    // The first try does not wait (a stale lock is judged at once); then rounds of 10 s.
    expect(rounds).toEqual(['0', '10', '5']);
    expect(waits).toEqual([
      'bob pid 7 2026-12-01T20:00:00Z, held for 42s (15s left)',
      'bob pid 7 2026-12-01T20:00:00Z, held for 42s (5s left)',
    ]);
  });

  it('takes a free lock at once, and reports a lock it cannot create', async () => {
    const ok = { runScript: async () => ({ code: 0, stdout: '', stderr: '', timedOut: false }) };
    expect(await takeLock(ok, 'alice', 0, { become: false })).toEqual({ ok: true });
    const bad = {
      runScript: async () => ({ code: 73, stdout: '', stderr: 'Permission denied\n', timedOut: false }),
    };
    expect(await takeLock(bad, 'alice', 30, { become: false })).toEqual({
      ok: false,
      error: 'Permission denied',
    });
  });
});
