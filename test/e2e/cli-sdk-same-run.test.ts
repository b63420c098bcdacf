import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { apply, loadFleet, observe, plan, type RunstateEvent } from '../../src/sdk/index.js';
import {
  BED_INVENTORY,
  type BedHostName,
  crmPort,
  describeBed,
  events,
  freshStateHome,
  playbookOf,
  resetBed,
  runstate,
} from './helpers/bed.js';

/*
 * `runstate apply` is a thin layer over the SDK's apply (both run src/apply/orchestrate.ts): the
 * same playbook from the same bed state makes the same run through either — the same outcome per
 * step, the same step events per host, the same commands seen by the hosts, the same exit code —
 * on a first run with a failing gate and on the second run after it.
 */

const HOSTS: BedHostName[] = ['bed-systemd', 'bed-sysv'];
const playbook = () =>
  playbookOf({
    'bed-systemd': {
      services: {
        'crm-db': {
          state: 'running',
          health: { http: `http://127.0.0.1:${crmPort('bed-systemd', 'crm-db')}/nosuch`, timeout: 3 },
        },
        'crm-app': { state: 'running', requires: ['crm-db'] },
        'crm-proxy': { state: 'running', enabled: true },
      },
    },
    'bed-sysv': {
      services: {
        'crm-db': { state: 'running' },
        'crm-app': { state: 'running', requires: ['crm-db'] },
        'crm-main': { state: 'running' },
      },
    },
  });

/** What one run did: per step its outcome, per host its step events in order, the hosts' own log. */
interface Run {
  exitCode: number;
  outcomes: Record<string, string>;
  stepEvents: Record<string, string[]>;
  hostLog: Record<string, string[]>;
}

async function hostLogSince(before: Record<string, number>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const h of HOSTS) {
    const seen = await events(h);
    out[h] = seen.slice(before[h]).map((e) => `${e.what} ${e.service}`);
  }
  return out;
}

async function logLengths(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const h of HOSTS) out[h] = (await events(h)).length;
  return out;
}

function push(map: Record<string, string[]>, key: string, value: string): void {
  if (!map[key]) map[key] = [];
  map[key].push(value);
}

async function viaCli(pb: string): Promise<Run> {
  const before = await logLengths();
  const file = join(freshStateHome(), `events-${Date.now()}.jsonl`);
  const r = await runstate([
    'apply',
    '-i',
    BED_INVENTORY,
    pb,
    '--yes',
    '--settle',
    '1',
    '--format',
    'json',
    '--events',
    file,
  ]);
  const doc = JSON.parse(r.stdout) as { steps: { id: string; outcome: string }[] };
  const stepEvents: Record<string, string[]> = {};
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const e = JSON.parse(line) as { type: string; host: string; step: string; outcome?: string };
    if (e.type === 'step-started') push(stepEvents, e.host, `start ${e.step}`);
    if (e.type === 'step-finished') push(stepEvents, e.host, `${e.outcome} ${e.step}`);
    if (e.type === 'step-skipped') push(stepEvents, e.host, `skipped ${e.step}`);
  }
  return {
    exitCode: r.code,
    outcomes: Object.fromEntries(doc.steps.map((s) => [s.id, s.outcome])),
    stepEvents,
    hostLog: await hostLogSince(before),
  };
}

async function viaSdk(pb: string): Promise<Run> {
  const before = await logLengths();
  const connect = { hostKeyChecking: 'strict' as const };
  const planned = plan(await observe(await loadFleet({ inventory: BED_INVENTORY, playbooks: pb }), connect));
  const run = apply(planned, { ...connect, settle: 1 });
  const stepEvents: Record<string, string[]> = {};
  for await (const e of run.events as AsyncIterable<RunstateEvent>) {
    if (e.type === 'step-start') push(stepEvents, e.host, `start ${e.step.id}`);
    if (e.type === 'step-end') push(stepEvents, e.host, `${e.outcome.kind} ${e.outcome.step.id}`);
  }
  const result = await run.result;
  const outcomes = result.status === 'refused' ? [] : result.outcomes;
  return {
    exitCode: result.exitCode,
    outcomes: Object.fromEntries(
      planned.plan.steps.map((s) => [s.id, outcomes.find((o) => o.step.id === s.id)?.kind ?? 'not-run']),
    ),
    stepEvents,
    hostLog: await hostLogSince(before),
  };
}

describeBed('the CLI and the SDK make the same run', () => {
  it('a failing gate with several services per host, then a second run', async () => {
    const pb = playbook();
    resetBed(...HOSTS);
    const cli = [await viaCli(pb), await viaCli(pb)];
    resetBed(...HOSTS);
    const sdk = [await viaSdk(pb), await viaSdk(pb)];
    resetBed(...HOSTS);

    // The first run: the gate fails, what needs crm-db is skipped, the other branches go on.
    expect(cli[0]?.exitCode).toBe(3);
    expect(cli[0]?.outcomes).toMatchObject({
      'bed-systemd/start/crm-db': 'failed',
      'bed-systemd/start/crm-app': 'skipped',
      'bed-systemd/start/crm-proxy': 'ok',
      'bed-sysv/start/crm-app': 'ok',
    });
    expect(cli[0]?.hostLog['bed-sysv']?.length).toBeGreaterThan(1);
    // The second run still meets the failing gate and changes only what the first left undone.
    expect(Object.keys(cli[1]?.outcomes ?? {}).length).toBeLessThan(
      Object.keys(cli[0]?.outcomes ?? {}).length,
    );
    expect(cli[1]?.hostLog['bed-sysv']).toEqual([]);
    expect(sdk).toEqual(cli);
  }, 300_000);
});
