import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

// main() imports each command's module when the command runs; load them with the test file (as a
// static import did) so the first test of each command does not pay for transforming them.
await Promise.all([
  import('../../../src/cli/apply.js'),
  import('../../../src/cli/drift.js'),
  import('../../../src/cli/facts.js'),
  import('../../../src/cli/plan.js'),
  import('../../../src/cli/validate.js'),
  import('../../../src/cli/watch.js'),
]);

// The CLI in-process against the committed example and its snapshot: no host is contacted
// (every command here is offline: validate, plan/apply/drift from --observed).

const INV = ['-i', 'inventory/crm.yml'];
const SNAP = ['--observed', 'examples/observed/crm.json'];

describe('runstate validate', () => {
  it('says ok with the counts', async () => {
    expect(await run('validate', ...INV, 'playbooks/site.yml')).toEqual({
      code: 0,
      out: 'ok: 13 services on 5 hosts\n',
      err: '',
    });
  });

  it('takes directories: the committed examples validate as a whole', async () => {
    expect((await run('validate', '-i', 'inventory/', 'playbooks/')).out).toBe(
      'ok: 13 services on 5 hosts\n',
    );
  });

  it('reports every problem compiler-style and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-cli-'));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'version: 1\nhosts:\n  databse:\n    services:\n      "pg;sql": { state: running }\n');
    const r = await run('validate', ...INV, bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3:3: error: unknown host or group "databse"; did you mean "database"?`);
    expect(r.err).toContain(`${bad}:5:7: error: service "pg;sql" — names may contain only [A-Za-z0-9@._+-]`);
    expect(r.err).toContain('nothing was changed on any host');
  });

  it('counts in words: "1 service on 1 host"', async () => {
    const pb = join(mkdtempSync(join(tmpdir(), 'rs-cli-')), 'one.yml');
    writeFileSync(pb, 'version: 1\nhosts:\n  crm1:\n    services:\n      crm-db: { state: running }\n');
    expect((await run('validate', ...INV, pb)).out).toBe('ok: 1 service on 1 host\n');
  });

  it('without -i and with no RUNSTATE_INVENTORY, says so instead of guessing ./inventory', async () => {
    const r = await run('validate', 'playbooks/site.yml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no inventory given/);
    expect(r.err).toMatch(/pass -i FILE_OR_DIR .*RUNSTATE_INVENTORY/);
  });

  it('a usage error exits 1', async () => {
    expect((await run('validate')).code).toBe(1);
    expect((await run('frobnicate')).code).toBe(1);
  });
});

describe('runstate plan (offline, from a snapshot)', () => {
  it('prints numbered waves with reasons', async () => {
    const r = await run('plan', ...INV, 'playbooks/site.yml', ...SNAP);
    expect(r.code).toBe(0);
    // Enables and disables go first (wave 1); the database start waits only for its host's runlevel.
    expect(r.out.split('\n')[0]).toBe('Plan: 10 changes on 5 hosts (6 waves)');
    expect(r.out).toMatch(
      /Wave 2\n\s+db1\s+enable\s+postgresql.*\n\s+db1\s+start\s+postgresql\s+\(observed inactive, want running\)/,
    );
  });

  it('--limit applies to the snapshot as well', async () => {
    const r = await run('plan', ...INV, 'playbooks/site.yml', ...SNAP, '--limit', 'db1');
    expect(r.out.split('\n')[0]).toBe('Plan: 3 changes on 1 host (2 waves)');
    expect(r.err).toBe('');
  });

  it('--detailed-exitcode: 2 when there are changes', async () => {
    expect((await run('plan', ...INV, 'playbooks/site.yml', ...SNAP, '--detailed-exitcode')).code).toBe(2);
  });

  it('--format json validates against the plan schema, and --out saves the same bytes', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rs-cli-')), 'plan.json');
    const r = await run('plan', ...INV, 'playbooks/site.yml', ...SNAP, '--format', 'json', '--out', out);
    expect(readFileSync(out, 'utf8')).toBe(r.out);
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(JSON.parse(readFileSync('schemas/observed.schema.json', 'utf8')), 'observed.schema.json');
    expect(
      ajv.validate(JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8')), JSON.parse(r.out)),
    ).toBe(true);
    const again = await run('plan', ...INV, 'playbooks/site.yml', ...SNAP, '--format', 'json');
    // Equal but for its serial and when it was made (plan.made is outside the digest).
    const timeless = (text: string) => ({ ...JSON.parse(text), serial: undefined, made: undefined });
    expect(timeless(again.out)).toEqual(timeless(r.out));
  });

  it('--explain says where each value came from', async () => {
    const r = await run('plan', ...INV, 'playbooks/site.yml', '--explain', 'crm1', 'telnet');
    expect(r.out).toContain('state: stopped — group:main, playbooks/site.yml:42:9');
  });

  it('a snapshot that is not one is refused with the schema path', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'rs-cli-')), 'snap.json');
    writeFileSync(bad, '{"version": 2, "hosts": {}}');
    const r = await run('plan', ...INV, 'playbooks/site.yml', '--observed', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not an observed-state snapshot');
  });
});

describe('runstate apply --dry-run (offline)', () => {
  it('lists the exact commands in wave order and changes nothing', async () => {
    const r = await run('apply', ...INV, 'playbooks/site.yml', ...SNAP, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  db1: systemctl start -- postgresql.service');
    expect(r.out).toContain('  proxy1: rc-service haproxy start');
    expect(r.out.indexOf('postgresql.service')).toBeLessThan(r.out.indexOf('rc-service haproxy start'));
    expect(r.out).toContain('Dry run: 10 step(s) would run; nothing was changed.');
  });

  it("Ansible's short flags: -C is --dry-run, -l is --limit, -f is --forks", async () => {
    const long = await run(
      'apply',
      ...INV,
      'playbooks/site.yml',
      ...SNAP,
      '--dry-run',
      '--limit',
      'db1',
      '--forks',
      '2',
    );
    const short = await run('apply', ...INV, 'playbooks/site.yml', ...SNAP, '-C', '-l', 'db1', '-f', '2');
    expect(short).toEqual(long);
    expect(short.code).toBe(0);
    expect(short.out).toContain('Dry run: ');
    expect(short.out).not.toContain('proxy1:');
    const check = await run('apply', ...INV, 'playbooks/site.yml', ...SNAP, '--check');
    expect(check.out).toBe((await run('apply', ...INV, 'playbooks/site.yml', ...SNAP, '--dry-run')).out);
    expect((await run('apply', ...INV, 'playbooks/site.yml', ...SNAP, '-f', '0')).code).toBe(1);
  });

  it('refuses --observed without --dry-run, and playbooks together with --plan', async () => {
    expect((await run('apply', ...INV, 'playbooks/site.yml', ...SNAP)).code).toBe(1);
    expect((await run('apply', ...INV, 'playbooks/site.yml', '--plan', 'x.json')).code).toBe(1);
    const limited = await run('apply', ...INV, '--plan', 'x.json', '--limit', 'db1');
    expect(limited.code).toBe(1);
    expect(limited.err).toContain('--limit does not apply to a saved plan');
  });
});

describe('runstate drift (offline)', () => {
  it('exits 2 on drift and renders junit', async () => {
    const r = await run('drift', ...INV, 'playbooks/site.yml', ...SNAP, '--format', 'junit');
    expect(r.code).toBe(2);
    expect(r.out).toContain('<testsuite');
    expect(r.out).toContain('<failure');
  });
});
