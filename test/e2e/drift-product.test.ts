import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunResult } from '../../src/cli/watch.js';
import type { HistorySummary } from '../../src/history/aggregate.js';
import type { DriftReport } from '../../src/model/drift.js';
import type { HistoryRecord } from '../../src/model/history.js';
import {
  BED_INVENTORY,
  describeBed,
  events,
  freshStateHome,
  onHost,
  playbookOf,
  readJson,
  resetBed,
  runstate,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
const DAY = 86_400_000;
/** A UTC day relative to today, as waivers are written. */
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** Several services on two hosts of different inits, all declared running. */
const fleet = () =>
  playbookOf({
    'bed-systemd': { services: { 'crm-db': { state: 'running' }, 'crm-app': { state: 'running' } } },
    'bed-sysv': { services: { 'crm-db': { state: 'running' }, 'crm-app': { state: 'running' } } },
  });

async function startAll(): Promise<void> {
  await onHost('bed-systemd', 'systemctl start crm-db crm-app');
  await onHost('bed-sysv', '/etc/init.d/crm-db start && /etc/init.d/crm-app start');
}

function waiversFile(playbook: string, entries: object[]): string {
  const file = join(dirname(playbook), 'drift-waivers.yml');
  writeFileSync(file, `${JSON.stringify({ version: 1, waivers: entries }, null, 2)}\n`);
  return file;
}

const jsonLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

describeBed('drift as a product: waivers, history, fighting (real hosts)', () => {
  beforeAll(() => resetBed('bed-systemd', 'bed-sysv'));
  afterAll(() => resetBed('bed-systemd', 'bed-sysv'));

  it('a waiver that holds keeps its drift from failing; one that expires today fails again', async () => {
    await startAll();
    const pb = fleet();
    // Drift made by hand, behind runstate's back, on both hosts.
    await onHost('bed-systemd', 'systemctl stop crm-db');
    await onHost('bed-sysv', '/etc/init.d/crm-app stop');
    const holds = {
      host: 'bed-systemd',
      service: 'crm-db',
      field: 'state',
      reason: 'db migration',
      owner: 'dba-team',
      expires: day(30),
    };
    const expired = {
      host: 'app',
      service: 'crm-app',
      reason: 'legacy cutover',
      owner: 'ops',
      expires: day(0),
    };
    waiversFile(pb, [holds, expired]);
    const v = await runstate(['validate', '-i', INV, pb]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toContain(
      `warning: waiver of app:crm-app expired on ${day(0)}: that drift fails the run again`,
    );

    const r = await runstate(['drift', '-i', INV, pb]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toMatch(
      new RegExp(
        `crm-db state\\s+observed inactive, want running — waived until ${day(30)} \\(db migration, dba-team\\)`,
      ),
    );
    expect(r.stdout).toMatch(
      /crm-app state\s+observed inactive, want running — waiver expired .* \(legacy cutover, ops\)/,
    );
    expect(r.stdout).toMatch(/^Drift check: 1 drift on 1 host, 1 host in sync \(4 items, 1 waived\)$/m);

    // Renewed: all drift is waived, so the run passes — in every format, and again on a second run.
    waiversFile(pb, [holds, { ...expired, expires: day(10) }]);
    for (const attempt of [1, 2]) {
      const json = await runstate(['drift', '-i', INV, pb, '--format', 'json']);
      expect(json.code, `run ${attempt}: ${json.stderr}`).toBe(0);
      const report = JSON.parse(json.stdout) as DriftReport;
      expect(report.summary).toMatchObject({ drifts: 0, waived: 2, inSync: 2 });
      expect(report.hosts['bed-sysv']?.items.find((i) => i.service === 'crm-app')?.waived).toEqual({
        until: day(10),
        reason: 'legacy cutover',
        owner: 'ops',
      });
    }
    const junit = await runstate(['drift', '-i', INV, pb, '--format', 'junit']);
    expect(junit.code).toBe(0);
    expect(junit.stdout).toMatch(/tests="4" failures="0" errors="0" skipped="2"/);
    expect(junit.stdout).toContain(
      `<skipped message="state: observed inactive, want running — waived until ${day(30)} (db migration, dba-team)"/>`,
    );
    const md = await runstate(['drift', '-i', INV, pb, '--format', 'markdown']);
    expect(md.stdout).toContain(`waived — waived until ${day(10)} (legacy cutover, ops)`);

    // validate refuses what names nothing declared, or waives for too long; nothing is contacted.
    const bad = waiversFile(pb, [
      { ...holds, expires: day(200) },
      { ...holds, service: 'crm-proxy' },
    ]);
    const refused = await runstate(['drift', '-i', INV, pb]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${bad}:4:5: error: waiver expires ${day(200)}, more than 90 days ahead`,
    );
    expect(refused.stderr).toContain(
      `${bad}:12:5: error: waiver names service "crm-proxy" of "bed-systemd", which no playbook declares there`,
    );
    const longer = await runstate([
      'validate',
      '-i',
      INV,
      pb,
      '--waiver-max-days',
      '365',
      '--waivers',
      waiversFile(pb, [{ ...holds, expires: day(200) }]),
    ]);
    expect(longer.code, longer.stderr).toBe(0);
    // The drift was made by hand; the waivers never let runstate touch it.
    expect(await onHost('bed-systemd', 'systemctl is-active crm-db || true')).toMatch(/inactive/);
  });

  it('history across drift runs: since when, how often, mean time to recover; apply labelled intentional', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    await startAll();
    const pb = fleet();
    const dir = freshStateHome();
    const history = join(dir, 'history.jsonl');
    const drift = async (expected: number) => {
      const r = await runstate(['drift', '-i', INV, pb, '--history', history]);
      expect(r.code, r.stdout + r.stderr).toBe(expected);
    };
    await drift(0);
    await onHost('bed-sysv', '/etc/init.d/crm-db stop');
    await drift(2);
    await drift(2);
    await onHost('bed-sysv', '/etc/init.d/crm-db start');
    await drift(0);
    await onHost('bed-sysv', '/etc/init.d/crm-db stop');
    await onHost('bed-systemd', 'systemctl stop crm-app');
    await drift(2);
    const records = jsonLines<HistoryRecord>(history);
    expect(records).toHaveLength(5);
    expect(records.map((r) => r.drifts.length)).toEqual([0, 1, 1, 0, 2]);

    const json = await runstate(['history', '--history', history, '--window', '24h', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const s = JSON.parse(json.stdout) as HistorySummary;
    expect(s.runs).toBe(5);
    const sysvDb = s.items.find((i) => i.host === 'bed-sysv' && i.service === 'crm-db');
    expect(sysvDb).toMatchObject({ driftingNow: true, since: records[4]?.at, episodes: 2, recovered: 1 });
    const took = Date.parse(records[3]?.at ?? '') - Date.parse(records[1]?.at ?? '');
    expect(sysvDb?.mttrMs).toBe(took);
    expect(s.items.find((i) => i.host === 'bed-systemd')).toMatchObject({
      service: 'crm-app',
      episodes: 1,
      recovered: 0,
    });
    const text = await runstate(['history', '--history', history]);
    expect(text.stdout).toMatch(/^History: 5 checks in the last 24h .*; 2 items drifting now$/m);
    expect(text.stdout).toMatch(/bed-sysv:crm-db state\s+since .*, observed (inactive|failed), want running/);
    const md = await runstate(['history', '--history', history, '--format', 'markdown']);
    expect(md.stdout).toMatch(/\| bed-sysv:crm-db state \| 2 \| 1 \| \d+s \|/);

    // apply fixes both; its changes go to the history and the audit log labelled intentional.
    const apply = await runstate(['apply', '-i', INV, pb, '--yes', '--history', history], {
      env: { XDG_STATE_HOME: dir },
    });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Changes: intentional (apply of the playbooks)');
    const last = jsonLines<HistoryRecord>(history).pop();
    expect(last?.source).toBe('apply');
    expect(
      last?.changes.map((c) => `${c.host}:${c.service} ${c.step} ${c.label} ${c.outcome}`).sort(),
    ).toEqual(['bed-systemd:crm-app start intentional ok', 'bed-sysv:crm-db start intentional ok']);
    const audit = jsonLines<{ event: string; label?: string }>(join(dir, 'runstate', 'audit.jsonl'));
    expect(audit.length).toBeGreaterThan(2);
    expect(audit.every((e) => e.label === 'intentional')).toBe(true);
    await drift(0);
    const after = JSON.parse(
      (await runstate(['history', '--history', history, '--format', 'json'])).stdout,
    ) as HistorySummary;
    expect(after.items.filter((i) => i.driftingNow)).toEqual([]);
  });

  describeFighting();
});

/** A loop on the host stops crm-app a few seconds after anything starts it: runstate's heals are undone. */
function describeFighting(): void {
  let fighter: string | undefined;
  afterAll(async () => {
    if (fighter) await onHost('bed-systemd', `kill ${fighter} 2>/dev/null || true`);
    resetBed('bed-systemd');
  });

  it('watch --heal stops healing a service something else keeps stopping, and says it is fighting', async () => {
    resetBed('bed-systemd');
    await onHost('bed-systemd', 'systemctl start crm-db');
    const loop =
      'while :; do if systemctl is-active -q crm-app; then sleep 3; systemctl stop crm-app; fi; sleep 0.5; done';
    fighter = (
      await onHost('bed-systemd', `setsid sh -c '${loop}' >/dev/null 2>&1 </dev/null & echo $!`)
    ).trim();
    expect(fighter).toMatch(/^\d+$/);
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-app': { state: 'running' }, 'crm-db': { state: 'running' } } },
    });
    const dir = freshStateHome();
    const [health, history] = [join(dir, 'health.json'), join(dir, 'history.jsonl')];
    const r = await runstate(
      [
        ...['watch', '-i', INV, pb, '--every', '5s', '--heal', '--settle', '1', '--fight-after', '2'],
        ...['--max-runs', '5', '--healthcheck-file', health, '--history', history],
      ],
      { env: { XDG_STATE_HOME: dir } },
    );
    expect(r.code, r.stderr).toBe(0);
    const why = 'something else is managing crm-app on bed-systemd (healed 2 times in 1h)';
    expect(r.stderr).toContain(`watch: not healing bed-systemd:crm-app: ${why}`);
    expect(r.stdout).toContain(`crm-app state   observed inactive, want running — fighting: ${why}`);
    expect(readJson<RunResult>(health)).toMatchObject({
      run: 5,
      status: 'drift',
      fighting: [`bed-systemd:crm-app: ${why}`],
      crashLooping: [],
      healed: [],
    });
    // Exactly two heals went out, then heal kept its hands off; the untouched crm-db stayed up.
    const starts = (await events('bed-systemd')).filter((e) => e.service === 'crm-app' && e.what === 'start');
    expect(starts).toHaveLength(2);
    const records = jsonLines<HistoryRecord>(history);
    expect(records).toHaveLength(5);
    const changes = records.flatMap((x) => x.changes);
    expect(changes.map((c) => `${c.service} ${c.step} ${c.label} ${c.outcome}`)).toEqual([
      'crm-app start corrective ok',
      'crm-app start corrective ok',
    ]);
    expect(records.at(-1)?.drifts.find((d) => d.service === 'crm-app')?.fighting).toBe(why);
    const audit = jsonLines<{ event: string; label?: string }>(join(dir, 'runstate', 'audit.jsonl'));
    expect(audit.filter((e) => e.event === 'start').every((e) => e.label === 'corrective')).toBe(true);
    const s = JSON.parse(
      (await runstate(['history', '--history', history, '--format', 'json', '--fight-after', '2'])).stdout,
    ) as HistorySummary;
    expect(s.items.find((i) => i.service === 'crm-app' && i.field === 'state')).toMatchObject({
      heals: 2,
      fighting: true,
      driftingNow: true,
    });
  });
}
