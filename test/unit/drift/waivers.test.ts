import { describe, expect, it } from 'vitest';
import {
  computeDrift,
  driftExitCode,
  renderDriftJson,
  renderDriftJunit,
  renderDriftMarkdown,
  renderDriftText,
} from '../../../src/drift/index.js';
import { applyWaivers, utcDay, waiverActive } from '../../../src/drift/waivers.js';
import { addDays, checkWaivers } from '../../../src/load/waivers.js';
import type { Inventory } from '../../../src/model/inventory.js';
import type { Waiver } from '../../../src/model/waiver.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';

const where = { file: 'drift-waivers.yml', line: 3, col: 5 };
const waiver = (w: Partial<Waiver>): Waiver => ({
  target: 'db1',
  service: 'postgresql',
  field: 'state',
  reason: 'migration',
  owner: 'dba',
  expires: '2027-01-15',
  where,
  ...w,
});
const groups: Record<string, string[]> = { database: ['db1'], all: ['db1', 'web1'] };
const hostsOf = (t: string) => new Set(groups[t] ?? [t]);

/** db1: postgresql stopped and disabled (two drifts), crm-app stopped; web1 in sync. */
function report() {
  return computeDrift(
    desired(
      dhost('db1', [svc('postgresql', { enabled: true }), svc('crm-app')]),
      dhost('web1', [svc('nginx')]),
    ),
    observed(
      ohost('db1', [osvc('postgresql', 'inactive', 'disabled'), osvc('crm-app', 'inactive', 'disabled')]),
      ohost('web1', [osvc('nginx', 'active', 'enabled')]),
    ),
  );
}

describe('waiver expiry (clock injected as a UTC day)', () => {
  it('holds before its expiry day and fails again on it', () => {
    expect(waiverActive({ expires: '2027-01-15' }, '2027-01-14')).toBe(true);
    expect(waiverActive({ expires: '2027-01-15' }, '2027-01-15')).toBe(false);
    expect(waiverActive({ expires: '2027-01-15' }, '2027-02-01')).toBe(false);
    expect(utcDay(new Date('2027-01-14T23:59:59Z'))).toBe('2027-01-14');
    expect(addDays('2026-12-02', 90)).toBe('2027-03-02');
  });
});

describe('applyWaivers', () => {
  it('marks only the named field; the host still drifts while anything unwaived does', () => {
    const r = applyWaivers(report(), [waiver({})], '2026-12-02', hostsOf);
    const db1 = r.hosts.db1;
    const item = db1?.items.find((i) => i.service === 'postgresql' && i.field === 'state');
    expect(item?.waived).toEqual({ until: '2027-01-15', reason: 'migration', owner: 'dba' });
    expect(db1?.items.find((i) => i.field === 'enabled')?.waived).toBeUndefined();
    expect(db1?.status).toBe('drift');
    expect(r.summary).toMatchObject({ drifts: 2, waived: 1 });
    expect(driftExitCode(r)).toBe(2);
  });

  it('all drift waived (a group target, a service without field): in sync, exit 0', () => {
    const ws = [
      waiver({ target: 'database', field: undefined }),
      waiver({ service: 'crm-app', field: undefined }),
    ];
    const r = applyWaivers(report(), ws, '2026-12-02', hostsOf);
    expect(r.hosts.db1?.status).toBe('in-sync');
    expect(r.summary).toMatchObject({ drifts: 0, waived: 3, inSync: 2 });
    expect(driftExitCode(r)).toBe(0);
  });

  it('on the expiry day the same drift fails again, marked with the expired waiver', () => {
    const ws = [waiver({ field: undefined }), waiver({ service: 'crm-app', field: undefined })];
    const r = applyWaivers(report(), ws, '2027-01-15', hostsOf);
    expect(driftExitCode(r)).toBe(2);
    expect(r.summary.drifts).toBe(3);
    expect(r.summary.waived).toBeUndefined();
    expect(r.hosts.db1?.items.find((i) => i.field === 'state')?.waiverExpired?.until).toBe('2027-01-15');
  });

  it('the longest-holding of several matching waivers wins', () => {
    const ws = [waiver({ expires: '2026-12-01' }), waiver({ expires: '2027-02-01', reason: 'later' })];
    const r = applyWaivers(report(), ws, '2026-12-02', hostsOf);
    const item = r.hosts.db1?.items.find((i) => i.service === 'postgresql' && i.field === 'state');
    expect(item?.waived?.reason).toBe('later');
  });

  it('shows in every format: text and markdown words, JSON fields, JUnit skipped', () => {
    const r = applyWaivers(report(), [waiver({})], '2026-12-02', hostsOf);
    const words = 'waived until 2027-01-15 (migration, dba)';
    expect(renderDriftText(r, { color: false })).toContain(
      `postgresql state     observed inactive, want running — ${words}`,
    );
    expect(renderDriftText(r, { color: false })).toMatch(
      /^Drift check: 2 drifts on 1 host, 1 host in sync \(4 items, 1 waived\)$/m,
    );
    expect(renderDriftMarkdown(r)).toContain(`waived — ${words}`);
    const json = JSON.parse(renderDriftJson(r));
    expect(json.summary.waived).toBe(1);
    expect(
      json.hosts.db1.items.find(
        (i: { field: string; service: string }) => i.field === 'state' && i.service === 'postgresql',
      ).waived.owner,
    ).toBe('dba');
    const junit = renderDriftJunit(r);
    expect(junit).toContain(`<skipped message="state: observed inactive, want running — ${words}"/>`);
    expect(junit).toMatch(/<testsuites name="runstate drift" tests="4" failures="2" errors="0" skipped="1">/);
  });
});

describe('checkWaivers (what validate refuses)', () => {
  const inventory = {
    files: [],
    hosts: { db1: { name: 'db1' }, web1: { name: 'web1' } },
    groups: { database: { name: 'database', hosts: ['db1'] } },
  } as unknown as Inventory;
  const want = desired(dhost('db1', [svc('postgresql', { enabled: true })]), dhost('web1', [svc('nginx')]));
  const check = (w: Partial<Waiver>, max = 90) =>
    checkWaivers([waiver(w)], want, inventory, '2026-12-02', max);

  it('accepts a waiver of a declared field within the limit', () => {
    expect(check({})).toEqual({ problems: [], warnings: [] });
    expect(check({ target: 'database', field: 'enabled' }).problems).toEqual([]);
  });

  it('refuses what names nothing declared, with file:line and a hint', () => {
    expect(check({ target: 'db2' }).problems[0]).toMatchObject({
      where,
      message: 'waiver names "db2", which is no host or group of the inventory',
      hint: 'did you mean "db1"?',
    });
    expect(check({ service: 'nginx' }).problems[0]?.message).toBe(
      'waiver names service "nginx" of "db1", which no playbook declares there',
    );
    expect(check({ field: 'health' }).problems[0]?.message).toMatch(
      /field "health" of db1:postgresql, which the playbooks do not declare/,
    );
    expect(check({ service: undefined, field: 'runlevel' }).problems[0]?.message).toMatch(
      /no playbook declares one there/,
    );
  });

  it('refuses a date too far ahead (configurable) or not a date; warns about an expired one', () => {
    expect(check({ expires: '2027-03-03' }).problems[0]?.message).toBe(
      'waiver expires 2027-03-03, more than 90 days ahead (latest allowed: 2027-03-02)',
    );
    expect(check({ expires: '2027-03-02' }).problems).toEqual([]);
    expect(check({ expires: '2027-03-03' }, 120).problems).toEqual([]);
    expect(check({ expires: '2027-02-30' }).problems[0]?.message).toMatch(/no calendar date/);
    const expired = check({ expires: '2026-12-02' });
    expect(expired.problems).toEqual([]);
    expect(expired.warnings[0]?.message).toBe(
      'waiver of db1:postgresql state expired on 2026-12-02: that drift fails the run again',
    );
  });
});
