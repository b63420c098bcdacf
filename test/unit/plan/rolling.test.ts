import { describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/apply/executor.js';
import type { HostAccess } from '../../../src/apply/types.js';
import { parsePause } from '../../../src/load/playbook-parse.js';
import type { Rolling } from '../../../src/model/index.js';
import { batchSize, intoBatches } from '../../../src/plan/rolling.js';
import { rollingLines } from '../../../src/report/plan-text.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

const where = { file: 'playbooks/site.yml', line: 7, col: 7 };

describe('batch sizes', () => {
  it('takes max_down as a number of hosts, at most all of them', () => {
    expect(batchSize(4, { count: 1 })).toBe(1);
    expect(batchSize(4, { count: 3 })).toBe(3);
    expect(batchSize(2, { count: 5 })).toBe(2);
  });
  it('rounds a percentage down, but never below one host', () => {
    expect(batchSize(4, { percent: 25 })).toBe(1);
    expect(batchSize(10, { percent: 25 })).toBe(2); // 2.5 → 2
    expect(batchSize(3, { percent: 10 })).toBe(1); // 0.3 → 1
    expect(batchSize(7, { percent: 100 })).toBe(7);
  });
  it('splits hosts into consecutive batches, the last one shorter', () => {
    expect(intoBatches(['a', 'b', 'c', 'd', 'e'], { count: 2 })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(intoBatches([], { count: 2 })).toEqual([]);
  });
  it('reads pause as seconds or a duration', () => {
    expect(parsePause(10)).toBe(10);
    expect(parsePause('10s')).toBe(10);
    expect(parsePause('2m')).toBe(120);
    expect(parsePause('1h')).toBe(3600);
    expect(parsePause('10 s')).toBeUndefined();
    expect(parsePause(-1)).toBeUndefined();
  });
});

function rollingFleet(rolling: Rolling, n = 4) {
  const names = Array.from({ length: n }, (_, i) => `web${i + 1}`);
  const origin = { state: { layer: 'group:web', where }, rolling: { layer: 'group:web', where } };
  return plan(
    desired(...names.map((h) => dhost(h, [svc('crm-app', { rolling, origin })]))),
    observed(...names.map((h) => ohost(h, [osvc('crm-app', 'inactive')]))),
  );
}

describe('rolling batches in the plan', () => {
  it('puts one kept barrier per batch, each batch after the one before', () => {
    const r = rollingFleet({ maxDown: { percent: 50 }, pauseSec: 10 });
    const rolls = (r.plan.barriers ?? []).filter((b) => b.roll);
    expect(rolls.map((b) => [b.id, b.after])).toEqual([
      ['@roll/web:crm-app/batch-1', ['web1/start/crm-app', 'web2/start/crm-app']],
      ['@roll/web:crm-app/batch-2', ['web3/start/crm-app', 'web4/start/crm-app']],
    ]);
    expect(rolls[0]?.roll).toEqual({ what: 'web:crm-app', batch: 1, of: 2, pauseSec: 10, maxFailures: 0 });
    expect(r.plan.waves).toEqual([
      ['web1/start/crm-app', 'web2/start/crm-app'],
      ['web3/start/crm-app', 'web4/start/crm-app'],
    ]);
    expect(r.plan.steps.find((s) => s.host === 'web3')?.after).toEqual(['@roll/web:crm-app/batch-1']);
    expect(rollingLines(r.plan)).toEqual([
      '  web:crm-app  batch 1 of 2: web1, web2 — then 10s pause',
      '  web:crm-app  batch 2 of 2: web3, web4',
    ]);
  });

  it('leaves services without rolling: in one wave', () => {
    const names = ['web1', 'web2', 'web3'];
    const r = plan(
      desired(...names.map((h) => dhost(h, [svc('crm-app')]))),
      observed(...names.map((h) => ohost(h, [osvc('crm-app', 'inactive')]))),
    );
    expect(r.plan.waves).toHaveLength(1);
    expect(r.plan.barriers ?? []).toEqual([]);
  });
});

describe('the executor walks the batches', () => {
  const run = async (failing: Set<string>, rolling: Rolling, maxFailures = 0) => {
    const r = rollingFleet(rolling);
    if (maxFailures > 0) for (const b of r.plan.barriers ?? []) if (b.roll) b.roll.maxFailures = maxFailures;
    const ran: string[] = [];
    const slept: number[] = [];
    const access = async (host: string): Promise<HostAccess> => ({
      ok: true,
      actions: {
        run: async () => {
          ran.push(host);
          return failing.has(host)
            ? { code: 1, stdout: '', stderr: 'Job failed', timedOut: false }
            : { code: 0, stdout: '', stderr: '', timedOut: false };
        },
        verifyRunning: async () => ({ ok: true }),
        waitHealthy: async () => ({ ok: true }),
      },
    });
    const outcomes = await executePlan(r.plan, {
      forks: 10,
      dryRun: false,
      access,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    return { ran, slept, outcomes: Object.fromEntries(outcomes.map((o) => [o.step.host, o.kind])) };
  };

  it('pauses between batches, not after the last', async () => {
    const r = await run(new Set(), { maxDown: { count: 1 }, pauseSec: 3 });
    expect(r.ran).toEqual(['web1', 'web2', 'web3', 'web4']);
    expect(r.slept).toEqual([3000, 3000, 3000]);
  });

  it('stops at the first failure and leaves the later hosts untouched', async () => {
    const r = await run(new Set(['web2']), { maxDown: { count: 1 }, pauseSec: 0 });
    expect(r.ran).toEqual(['web1', 'web2']);
    expect(r.outcomes).toEqual({ web1: 'ok', web2: 'failed', web3: 'skipped', web4: 'skipped' });
  });

  it('goes on past failures up to --max-failures, counted across batches', async () => {
    const one = await run(new Set(['web2']), { maxDown: { count: 1 }, pauseSec: 0 }, 1);
    expect(one.ran).toEqual(['web1', 'web2', 'web3', 'web4']);
    const two = await run(new Set(['web1', 'web3']), { maxDown: { count: 1 }, pauseSec: 0 }, 1);
    expect(two.outcomes).toEqual({ web1: 'failed', web2: 'ok', web3: 'failed', web4: 'skipped' });
  });
});
