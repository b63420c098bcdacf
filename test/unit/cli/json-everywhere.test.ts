import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

await Promise.all([import('../../../src/cli/plan.js'), import('../../../src/cli/validate.js')]);

describe('validate --format json (the shape of terraform validate -json)', () => {
  it('valid input: no diagnostics, exit 0', async () => {
    const r = await run('validate', '-i', 'inventory/crm.yml', 'playbooks/site.yml', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      format_version: '1.0',
      valid: true,
      error_count: 0,
      warning_count: 0,
      diagnostics: [],
    });
  });

  it('errors and warnings with file, line, column, message and hint; exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-vj-'));
    writeFileSync(
      join(dir, 'hosts'),
      '[web]\nweb1 ansible_host=10.0.0.1 ansible_python_interpreter=/usr/bin/python3\n',
    );
    writeFileSync(
      join(dir, 'site.yml'),
      'version: 1\nhosts:\n  web1:\n    services:\n      nginx: { state: sideways }\n',
    );
    const r = await run('validate', '-i', join(dir, 'hosts'), join(dir, 'site.yml'), '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.valid).toBe(false);
    expect(doc.error_count).toBeGreaterThan(0);
    const e = doc.diagnostics.find((d: { severity: string }) => d.severity === 'error');
    expect(e).toMatchObject({
      file: join(dir, 'site.yml'),
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(e.message).toMatch(/state/);
  });

  it('offers no SSH flags (it touches no host)', async () => {
    const r = await run('validate', '--help');
    expect(r.out).not.toMatch(/--host-key-checking|--connect-timeout|--forks/);
  });
});

describe('plan --format json carries version, time, warnings and change fields', () => {
  it('says which runstate made it, when, and each step in fields', async () => {
    const r = await run(
      'plan',
      '-i',
      'inventory/crm.yml',
      'playbooks/site.yml',
      '--observed',
      'examples/observed/crm.json',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.made).toEqual({ by: 'runstate', version: expect.any(String), at: expect.any(String) });
    expect(Number.isNaN(Date.parse(plan.made.at))).toBe(false);
    const start = plan.steps.find((s: { kind: string }) => s.kind === 'start');
    expect(start.change).toMatchObject({ field: 'state', after: 'running' });
    expect(start.reason).toBe(`observed ${start.change.before}, want running`);
  });
});

describe('apply --format json: the outcome of every step on stdout, the report on stderr', () => {
  it('a dry run from a snapshot accounts for every planned step', async () => {
    await import('../../../src/cli/apply.js');
    const args = [
      '-i',
      'inventory/crm.yml',
      'playbooks/site.yml',
      '--observed',
      'examples/observed/crm.json',
    ];
    const plan = JSON.parse((await run('plan', ...args, '--format', 'json')).out);
    const r = await run('apply', ...args, '--dry-run', '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ version: 1, dryRun: true, exitCode: 0 });
    expect(doc.steps.map((s: { id: string }) => s.id)).toEqual(plan.steps.map((s: { id: string }) => s.id));
    expect(doc.steps.every((s: { outcome: string }) => s.outcome === 'would-run')).toBe(true);
    expect(doc.summary.wouldRun).toBe(plan.steps.length);
    expect(r.err).toMatch(/Plan: \d+ changes/);
  });
});
