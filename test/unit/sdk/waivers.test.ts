import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drift, driftExitCode, loadFleet, ProblemsError } from '../../../src/sdk/index.js';
import { observed, ohost, osvc } from '../plan/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runstate-sdk-waivers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'inv.yml'),
  'all:\n  hosts:\n    h1: { ansible_host: 127.0.0.1 }\n    h2: { ansible_host: 127.0.0.2 }\n',
);
writeFileSync(
  join(dir, 'pb.yml'),
  'version: 1\nhosts:\n  all:\n    services:\n      web: { state: running }\n      db: { state: running }\n',
);
const waiversFile = (expires: string) =>
  `version: 1\nwaivers:\n  - { host: h1, service: web, field: state, reason: migration, owner: ops, expires: ${expires} }\n`;
writeFileSync(join(dir, 'drift-waivers.yml'), waiversFile('2027-01-15'));
writeFileSync(join(dir, 'other.yml'), waiversFile('2026-12-10'));

// h1's web is stopped (waived until 2027-01-15); everything else runs.
const seen = observed(
  ohost('h1', [osvc('web', 'inactive'), osvc('db', 'active')]),
  ohost('h2', [osvc('web', 'active'), osvc('db', 'active')]),
);
const now = new Date('2026-12-02T12:00:00Z');

describe("the SDK's drift marks waivers as the CLI does", () => {
  it('reads drift-waivers.yml beside the playbooks: the waived item does not fail the run', async () => {
    const fleet = await loadFleet({ inventory: 'inv.yml', playbooks: 'pb.yml', cwd: dir, now });
    expect(fleet.waivers.map((w) => `${w.target}:${w.service} until ${w.expires}`)).toEqual([
      'h1:web until 2027-01-15',
    ]);
    const report = await drift({ fleet, observed: seen, at: now.toISOString() }, { probeGates: false, now });
    const web = report.hosts.h1?.items.find((i) => i.service === 'web' && i.field === 'state');
    expect(web?.waived).toEqual({ until: '2027-01-15', reason: 'migration', owner: 'ops' });
    expect(report.hosts.h1?.items.filter((i) => !i.inSync && !i.waived)).toEqual([]);
    expect(report.hosts.h1?.status).toBe('in-sync');
    expect(driftExitCode(report)).toBe(0);
  });

  it('from the expiry day on it drifts again; waivers: false reads none', async () => {
    const later = new Date('2027-01-15T00:00:00Z');
    const fleet = await loadFleet({
      inventory: 'inv.yml',
      playbooks: 'pb.yml',
      cwd: dir,
      now,
      waivers: 'other.yml',
    });
    const expired = await drift({ fleet, observed: seen, at: '' }, { probeGates: false, now: later });
    const web = expired.hosts.h1?.items.find((i) => i.service === 'web' && i.field === 'state');
    expect(web?.waiverExpired?.until).toBe('2026-12-10');
    expect(driftExitCode(expired)).toBe(2);

    const none = await loadFleet({ inventory: 'inv.yml', playbooks: 'pb.yml', cwd: dir, waivers: false });
    expect(none.waivers).toEqual([]);
    const report = await drift({ fleet: none, observed: seen, at: '' }, { probeGates: false, now });
    expect(driftExitCode(report)).toBe(2);
  });

  it('an expired waiver is a warning at load; a bad one refuses the load, with file and line', async () => {
    const fleet = await loadFleet({
      inventory: 'inv.yml',
      playbooks: 'pb.yml',
      cwd: dir,
      waivers: 'other.yml',
      now: new Date('2026-12-20T00:00:00Z'),
    });
    expect(fleet.warnings.join('\n')).toMatch(/other\.yml:3.*expired/);
    writeFileSync(join(dir, 'bad.yml'), waiversFile('2026-12-10').replace('service: web', 'service: nosuch'));
    const bad = loadFleet({ inventory: 'inv.yml', playbooks: 'pb.yml', cwd: dir, waivers: 'bad.yml', now });
    await expect(bad).rejects.toThrow(ProblemsError);
    const problems = await bad.catch((e: ProblemsError) => e.problems);
    expect(JSON.stringify(problems)).toMatch(/bad\.yml.*nosuch|nosuch.*bad\.yml/);
  });
});
