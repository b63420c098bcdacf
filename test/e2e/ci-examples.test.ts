import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BED_INVENTORY, describeBed, onHost, resetBed } from './helpers/bed.js';

const SCRIPT = 'examples/ci/runstate-ci.sh';

/** Runs the CI examples' script exactly as the workflows do, against the real bed. */
function ciScript(mode: string, reports: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'bash',
      [SCRIPT, mode],
      {
        env: {
          ...process.env,
          RUNSTATE: `${process.execPath} bin/runstate.js`,
          INVENTORY: BED_INVENTORY,
          PLAYBOOKS: 'examples/bed/playbook.yml',
          REPORT_DIR: reports,
          XDG_STATE_HOME: reports,
          GITHUB_STEP_SUMMARY: join(reports, 'summary.md'),
        },
        timeout: 240_000,
      },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('the GitHub and GitLab examples call the tested script for each job', () => {
  const gh = parse(readFileSync('examples/ci/github/runstate.yml', 'utf8')) as {
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  const ghRuns = Object.values(gh.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
  const gl = parse(readFileSync('examples/ci/gitlab/.gitlab-ci.yml', 'utf8')) as Record<
    string,
    { script?: string[] }
  >;
  const glRuns = Object.values(gl).flatMap((j) => j.script ?? []);
  for (const mode of ['pull-request', 'apply', 'drift']) {
    expect(ghRuns).toContain(`${SCRIPT} ${mode}`);
    expect(glRuns).toContain(`${SCRIPT} ${mode}`);
  }
});

describeBed('CI examples against real hosts', () => {
  let reports: string;
  beforeAll(() => {
    resetBed();
    reports = mkdtempSync(join(tmpdir(), 'rs-ci-'));
  });

  it('pull request: validate + a markdown plan and a saved plan, changes are not a failure', async () => {
    const r = await ciScript('pull-request', reports);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const md = readFileSync(join(reports, 'plan.md'), 'utf8');
    expect(md).toContain('crm-db');
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toBe(md);
    expect(JSON.parse(readFileSync(join(reports, 'plan.json'), 'utf8')).version).toBe(1);
  });

  it('apply never plans afresh: without the reviewed plan.json it refuses', async () => {
    const r = await ciScript('apply', mkdtempSync(join(tmpdir(), 'rs-ci-empty-')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no reviewed plan at .*plan\.json/);
  });

  it('apply on main runs the reviewed plan.json and converges; the nightly drift job then reports all in sync as JUnit', async () => {
    const applied = await ciScript('apply', reports);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/ok\s+start crm-db/);
    const drift = await ciScript('drift', reports);
    expect(drift.code).toBe(0);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(reports, 'drift.xml'), 'utf8'),
    );
    const suites = [xml.testsuites.testsuite].flat();
    expect(suites).toHaveLength(4);
    expect(suites.every((s: Record<string, string>) => s['@_failures'] === '0')).toBe(true);
  });

  it('the nightly drift job fails (exit 2) with a JUnit failure when a service drifted', async () => {
    await onHost('bed-systemd', 'systemctl stop crm-db');
    const drift = await ciScript('drift', reports);
    expect(drift.code).toBe(2);
    const text = readFileSync(join(reports, 'drift.xml'), 'utf8');
    expect(text).toContain('<failure');
    expect(text).toContain('crm-db');
  });
});
