import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHistoryRecord } from '../../../src/cli/history-file.js';
import { aggregateHistory } from '../../../src/history/aggregate.js';
import { appendHistory, readHistory } from '../../../src/history/file.js';
import type { HistoryChange, HistoryDrift, HistoryRecord } from '../../../src/model/history.js';
import { renderHistoryText } from '../../../src/report/history.js';

const T0 = Date.parse('2026-12-02T00:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const db: HistoryDrift = {
  host: 'app1',
  service: 'crm-app',
  field: 'state',
  desired: 'running',
  observed: 'inactive',
};
function rec(min: number, drifts: HistoryDrift[], changes: HistoryChange[] = []): HistoryRecord {
  return {
    version: 1,
    at: at(min),
    source: 'watch',
    hosts: { app1: drifts.length ? 'drift' : 'in-sync' },
    drifts,
    changes,
  };
}
const heal = (min: number, outcome: 'ok' | 'failed' = 'ok'): HistoryChange => ({
  host: 'app1',
  service: 'crm-app',
  step: 'start',
  label: 'corrective',
  outcome,
  at: at(min),
});
const opts = (nowMin: number, windowMin = 60) => ({
  now: new Date(T0 + nowMin * 60_000),
  windowMs: windowMin * 60_000,
  flapThreshold: 3,
  fightThreshold: 3,
});

describe('aggregateHistory', () => {
  it('drifting now and since when: the first check of the current episode', () => {
    const s = aggregateHistory([rec(0, []), rec(5, [db]), rec(10, [db]), rec(15, [db])], opts(20));
    expect(s.runs).toBe(4);
    expect(s.items).toHaveLength(1);
    expect(s.items[0]).toMatchObject({ driftingNow: true, since: at(5), episodes: 1, recovered: 0 });
    expect(s.items[0]?.mttrMs).toBeUndefined();
  });

  it('counts episodes and the mean time to recover; an unchecked host neither ends nor starts one', () => {
    const unchecked: HistoryRecord = { ...rec(12, []), hosts: { app1: 'unchecked' } };
    const s = aggregateHistory(
      [rec(0, [db]), rec(10, []), rec(20, [db]), unchecked, rec(50, []), rec(55, [db])],
      opts(58),
    );
    // 0→10 (10 min), 20→50 (30 min): mean 20 min; the third is still open.
    expect(s.items[0]).toMatchObject({
      episodes: 3,
      recovered: 2,
      mttrMs: 20 * 60_000,
      driftingNow: true,
      since: at(55),
    });
    expect(s.items[0]?.flapping).toBe(true);
  });

  it('only episodes that began (or ended) within the window count; since still reaches back', () => {
    const s = aggregateHistory([rec(0, [db]), rec(10, []), rec(20, [db]), rec(200, [db])], opts(210, 60));
    expect(s.items[0]).toMatchObject({
      episodes: 0,
      recovered: 0,
      driftingNow: true,
      since: at(20),
      flapping: false,
    });
    expect(s.runs).toBe(1);
  });

  it('a successful heal ends an episode; drifting back after 3 heals is fighting, failed heals are not', () => {
    const records = [rec(0, [db], [heal(1)]), rec(2, [db], [heal(3)]), rec(4, [db], [heal(5)]), rec(6, [db])];
    const s = aggregateHistory(records, opts(7));
    expect(s.items[0]).toMatchObject({
      episodes: 4,
      recovered: 3,
      mttrMs: 60_000,
      heals: 3,
      fighting: true,
      flapping: true,
    });
    const failing = records.map((r) => ({
      ...r,
      changes: r.changes.map((c) => ({ ...c, outcome: 'failed' as const })),
    }));
    expect(aggregateHistory(failing, opts(7)).items[0]).toMatchObject({
      episodes: 1,
      heals: 0,
      fighting: false,
    });
  });

  it('renders what drifts now with its age, and each item with counts and MTTR', () => {
    const s = aggregateHistory([rec(0, [db]), rec(10, []), rec(20, [db])], opts(30));
    const text = renderHistoryText(s, '1h');
    expect(text).toContain(
      'app1:crm-app state   since 2026-12-02T00:20:00.000Z (10m 0s), observed inactive, want running',
    );
    expect(text).toMatch(/app1:crm-app state\s+2\s+1\s+10m 0s/);
  });
});

describe('history file', () => {
  it('rotates to FILE.1 past the bound and reads both back in order; a torn line is warned about', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runstate-history-')), 'h.jsonl');
    const one = rec(0, [db]);
    const size = Buffer.byteLength(`${JSON.stringify(one)}\n`);
    for (let i = 0; i < 5; i++) appendHistory(file, rec(i, [db]), size * 2);
    expect(statSync(file).size).toBe(size);
    expect(statSync(`${file}.1`).size).toBe(size * 2);
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"version":1,"at":`);
    const { records, warnings } = readHistory(file, isHistoryRecord);
    expect(records.map((r) => r.at)).toEqual([at(2), at(3), at(4)]);
    expect(warnings).toEqual([
      { where: { file, line: 2, col: 1 }, message: 'not a complete JSON line; skipped' },
    ]);
  });

  it('records agree with schemas/history.schema.json', () => {
    expect(isHistoryRecord(rec(0, [db], [heal(1)]))).toBe(true);
    expect(isHistoryRecord({ ...rec(0, [db]), extra: 1 })).toBe(false);
    expect(isHistoryRecord({ ...rec(0, []), changes: [{ ...heal(1), label: 'oops' }] })).toBe(false);
  });
});
