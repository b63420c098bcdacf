import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { DriftReport } from '../../src/model/drift.js';
import type { Plan } from '../../src/model/plan.js';
import {
  BED_INVENTORY,
  describeBed,
  events,
  freshStateHome,
  onHost,
  playbookOf,
  resetBed,
  runstate,
  waitFor,
} from './helpers/bed.js';

const INV = BED_INVENTORY;

interface Healthcheck {
  run: number;
  status: string;
  drifts: number;
  healed: string[];
  healFailed: string[];
  crashLooping: string[];
  blocked: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const jsonLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
const starts = async (host: Parameters<typeof events>[0]) =>
  (await events(host)).filter((e) => e.what === 'start').map((e) => e.service);

describeBed('one fleet, several services per host, one bad host (issue 14)', () => {
  afterAll(() => resetBed('bed-systemd', 'bed-sysv', 'bed-openrc'));

  it('watch --heal heals the one drifted service of a host that declares several, and only once', async () => {
    resetBed('bed-systemd');
    await onHost('bed-systemd', 'systemctl start crm-db crm-worker@1');
    await onHost('bed-systemd', 'systemctl stop crm-worker@1');
    await waitFor('crm-worker@1 to be stopped', async () =>
      /inactive/.test(await onHost('bed-systemd', 'systemctl is-active crm-worker@1 || true')),
    );
    const pb = playbookOf({
      'bed-systemd': {
        services: {
          'crm-db': { state: 'running', tier: 'database' },
          'crm-worker@1': { state: 'running', tier: 'app', requires: ['crm-db'] },
        },
      },
    });
    const dir = freshStateHome();
    const [out, health] = [join(dir, 'runs.jsonl'), join(dir, 'health.json')];
    // --max-heals 2 over 3 runs: a heal refused on every run (the old bug) would be counted and
    // end in "crash-looping" by run 3; a real heal converges on run 1.
    const r = await runstate(
      [
        ...['watch', '-i', INV, pb, '--every', '1s', '--heal', '--max-heals', '2', '--max-runs', '3'],
        ...['--format', 'json', '--out', out, '--healthcheck-file', health],
      ],
      { env: { XDG_STATE_HOME: dir } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/not healing/);
    expect(r.stderr).not.toMatch(/crash loop/);
    expect(r.stderr).toMatch(/watch: healed 1 step\(s\), 0 did not succeed/);
    const runs = jsonLines<DriftReport>(out);
    expect(runs.map((x) => x.summary.drifts)).toEqual([1, 0, 0]);
    expect(readJson<Healthcheck>(health)).toMatchObject({
      run: 3,
      status: 'in-sync',
      crashLooping: [],
      blocked: [],
    });
    expect(await starts('bed-systemd')).toEqual(['crm-db', 'crm-worker@1', 'crm-worker@1']);
    const again = await runstate(['drift', '-i', INV, pb]);
    expect(again.code, again.stdout).toBe(0);
  });

  it('a missing unit and a missing init script block only what needs them; drift elsewhere is applied', async () => {
    resetBed('bed-systemd', 'bed-sysv', 'bed-openrc');
    const pb = playbookOf({
      'bed-systemd': {
        services: {
          'crm-gone': { state: 'running', tier: 'database' },
          'crm-db': { state: 'running', tier: 'database' },
        },
      },
      'bed-sysv': {
        services: {
          'crm-app': { state: 'running', requires: ['bed-systemd:crm-db'] },
          'crm-proxy': { state: 'running', tier: 'network', requires: ['bed-systemd:crm-gone'] },
        },
      },
      'bed-openrc': {
        services: { 'crm-nope': { state: 'running' }, 'crm-main': { state: 'running', tier: 'main' } },
      },
    });
    // A masked unit converges now (unmask → start, issue 12): a missing unit is what blocks.
    const masked = 'service crm-gone not found on bed-systemd (systemd)';
    const plan = await runstate(['plan', '-i', INV, pb, '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(3);
    expect(plan.stderr).toMatch(`blocked: bed-systemd:crm-gone: ${masked}`);
    expect(plan.stderr).toMatch(/blocked: bed-openrc:crm-nope: service crm-nope not found on bed-openrc/);
    const planned = JSON.parse(plan.stdout) as Plan;
    expect(planned.blocked?.map((b) => `${b.host}:${b.service}`)).toEqual([
      'bed-openrc:crm-nope',
      'bed-systemd:crm-gone',
    ]);
    expect(planned.steps.find((s) => s.id === 'bed-sysv/start/crm-proxy')?.blockedBy).toBe(
      `requires bed-systemd:crm-gone, which cannot be started: ${masked}`,
    );

    const first = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(first.stdout).toMatch(/ok\s+start crm-db/);
    expect(first.stdout).toMatch(/ok\s+start crm-app/);
    expect(first.stdout).toMatch(/ok\s+start crm-main/);
    expect(first.stdout).toMatch(
      `skipped     start crm-proxy (because requires bed-systemd:crm-gone, which cannot be started: ${masked})`,
    );
    expect(first.stdout).toMatch(/blocked\s+bed-systemd:crm-gone: service crm-gone not found/);
    expect(first.stdout).toMatch(
      /Summary: 3 ok, 0 failed, 1 skipped, 0 unreachable; 2 blocked \(not planned\)/,
    );
    expect(await starts('bed-systemd')).toEqual(['crm-db']);
    expect(await starts('bed-sysv')).toEqual(['crm-app']);
    expect(await starts('bed-openrc')).toEqual(['crm-main']);

    // Second run: nothing new to do, the same things still blocked, nothing started twice.
    const second = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(second.code).toBe(3);
    expect(second.stdout).toMatch(/Summary: 0 ok, 0 failed, 1 skipped/);
    expect(await starts('bed-sysv')).toEqual(['crm-app']);

    // watch --heal: stop crm-app by hand; it is healed while the missing unit's heal is named as blocked.
    await onHost('bed-sysv', '/etc/init.d/crm-app stop');
    const health = join(freshStateHome(), 'health.json');
    const w = await runstate([
      ...['watch', '-i', INV, pb, '--every', '1s', '--heal', '--max-runs', '1'],
      ...['--healthcheck-file', health],
    ]);
    expect(w.code, w.stderr).toBe(0);
    const hc = readJson<Healthcheck>(health);
    expect(hc.healed).toEqual(['start bed-sysv:crm-app']);
    expect(hc.blocked).toEqual(
      expect.arrayContaining([
        `bed-systemd:crm-gone: ${masked}`,
        expect.stringMatching(/^bed-openrc:crm-nope: service crm-nope not found on bed-openrc/),
        `start bed-sysv:crm-proxy: requires bed-systemd:crm-gone, which cannot be started: ${masked}`,
      ]),
    );
    expect(hc.crashLooping).toEqual([]);
    expect(w.stderr).toMatch(`watch: not healing bed-systemd:crm-gone: ${masked}`);
  });

  it('a declared manager the host does not run is a plan problem, not an apply that dies with exit 127', async () => {
    resetBed('bed-sysv');
    const pb = playbookOf({
      'bed-sysv': {
        services: {
          'crm-db': { state: 'running', tier: 'database', manager: 'systemd' },
          'crm-main': { state: 'running', tier: 'main' },
        },
      },
    });
    const plan = await runstate(['plan', '-i', INV, pb]);
    expect(plan.code).toBe(3);
    expect(plan.stderr).toMatch('blocked: bed-sysv:crm-db: bed-sysv has no systemd (init: sysv)');
    expect(plan.stdout).not.toMatch(/systemctl/);
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toMatch(/not found|exited 127/);
    expect(r.stdout).toMatch(/ok\s+start crm-main/);
    expect(r.stdout).toMatch(/blocked\s+bed-sysv:crm-db: bed-sysv has no systemd \(init: sysv\)/);
    expect(await starts('bed-sysv')).toEqual(['crm-main']);
  });
});
