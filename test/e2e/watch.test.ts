import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DriftReport } from '../../src/model/drift.js';
import {
  BED_INVENTORY,
  describeBed,
  events,
  freshStateHome,
  onHost,
  playbookOf,
  resetBed,
  runstate,
  spawnRunstate,
  waitFor,
} from './helpers/bed.js';

const INV = BED_INVENTORY;

/** What --healthcheck-file holds after a run. */
interface Healthcheck {
  run: number;
  status: string;
  drifts: number;
  healed: string[];
  healFailed: string[];
  crashLooping: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

describeBed('runstate watch on real hosts', () => {
  it('--heal repairs killed services within one interval', async () => {
    resetBed('bed-systemd', 'bed-supervisord');
    await onHost('bed-systemd', 'systemctl start crm-db');
    await onHost('bed-supervisord', 'supervisorctl start crm-main');
    await onHost('bed-systemd', 'systemctl kill crm-db');
    await onHost('bed-supervisord', 'supervisorctl stop crm-main');
    await waitFor('crm-db to be dead', async () =>
      /inactive|failed/.test(await onHost('bed-systemd', 'systemctl is-active crm-db || true')),
    );
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running' } } },
      'bed-supervisord': { services: { 'crm-main': { state: 'running' } } },
    });
    const dir = freshStateHome();
    const [out, health] = [join(dir, 'runs.jsonl'), join(dir, 'health.json')];
    const r = await runstate(
      [
        ...['watch', '-i', INV, pb, '--every', '2s', '--heal', '--max-runs', '2'],
        ...['--format', 'json', '--out', out, '--healthcheck-file', health],
      ],
      { env: { XDG_STATE_HOME: dir } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/watch: healed 2 step\(s\), 0 did not succeed/);
    const runs = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DriftReport);
    expect(runs).toHaveLength(2);
    expect(runs[0]?.summary).toMatchObject({ drifted: 2, drifts: 2 });
    // The next scheduled run (one interval later) already finds everything repaired.
    expect(runs[1]?.summary).toMatchObject({ inSync: 2, drifts: 0 });
    expect(readJson<Healthcheck>(health)).toMatchObject({ run: 2, status: 'in-sync', drifts: 0 });
    const later = await runstate(['drift', '-i', INV, pb]);
    expect(later.code, later.stdout).toBe(0);
    expect((await events('bed-systemd')).filter((e) => e.what === 'start')).toHaveLength(2);
    expect((await events('bed-supervisord')).filter((e) => e.what === 'start')).toHaveLength(2);
  });

  it('a service that dies on every start is healed at most --max-heals times, then reported as crash-looping', async () => {
    resetBed('bed-systemd');
    const pb = playbookOf({ 'bed-systemd': { services: { 'crm-flaky': { state: 'running' } } } });
    const health = join(freshStateHome(), 'health.json');
    const r = await runstate([
      ...['watch', '-i', INV, pb, '--every', '1s', '--heal', '--max-heals', '1', '--heal-window', '1h'],
      ...['--max-runs', '3', '--healthcheck-file', health],
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^--- run \d/gm)).toHaveLength(3);
    expect(r.stderr).toMatch(/start crm-flaky FAILED: .*died right after start/);
    expect(r.stderr).toMatch(/bed-systemd:crm-flaky was healed 1 times within 1h; not healing it again/);
    expect(readJson<Healthcheck>(health)).toMatchObject({
      run: 3,
      status: 'drift',
      crashLooping: ['bed-systemd:crm-flaky'],
      healed: [],
    });
    const starts = (await events('bed-systemd')).filter(
      (e) => e.service === 'crm-flaky' && e.what === 'start',
    );
    expect(starts).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM between runs', async () => {
    const pb = playbookOf({ 'bed-systemd': { services: { 'crm-masked': { state: 'stopped' } } } });
    const health = join(freshStateHome(), 'health.json');
    const run = spawnRunstate(['watch', '-i', INV, pb, '--every', '1h', '--healthcheck-file', health]);
    await waitFor('the first report', () => /--- run 1 at[\s\S]*Drift check/.test(run.output().stdout));
    await waitFor('the healthcheck file', () => existsSync(health));
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.result;
    expect(r.code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(r.stderr).toMatch(/watch: stopping after the current run/);
    expect(r.stdout).not.toMatch(/--- run 2/);
    expect(readJson<Healthcheck>(health)).toMatchObject({ run: 1, status: 'in-sync' });
  });
});
