import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, expect, it } from 'vitest';
import type { DriftReport } from '../../src/model/drift.js';
import {
  BED_INVENTORY,
  describeBed,
  freshStateHome,
  inventoryWith,
  onHost,
  playbookOf,
  resetBed,
  restoreRunlevels,
  runstate,
  waitFor,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
const validate = new Ajv2020({ strict: false }).compile(
  JSON.parse(readFileSync('schemas/drift.schema.json', 'utf8')),
);

/** The CRM stack of examples/bed/playbook.yml, plus the SysV host's runlevel, so a runlevel can drift too. */
const crmWithRunlevel = () =>
  playbookOf({
    'bed-systemd': { services: { 'crm-db': { state: 'running', enabled: true, tier: 'database' } } },
    'bed-sysv': {
      runlevel: 2,
      services: {
        'crm-app': { state: 'running', enabled: true, tier: 'app', requires: ['bed-systemd:crm-db'] },
      },
    },
    'bed-openrc': {
      services: {
        'crm-proxy': { state: 'running', enabled: true, tier: 'network', requires: ['bed-sysv:crm-app'] },
      },
    },
    'bed-supervisord': {
      services: { 'crm-main': { state: 'running', tier: 'main', requires: ['bed-openrc:crm-proxy'] } },
    },
  });

/** "host service field observed→desired" for every item out of sync. */
function drifts(r: DriftReport): string[] {
  return Object.entries(r.hosts)
    .flatMap(([host, h]) =>
      h.items
        .filter((i) => !i.inSync)
        .map((i) => `${host} ${i.service ?? '-'} ${i.field} ${i.observed}→${i.desired}`),
    )
    .sort();
}

/** The text report's lines under each host's own line (whitespace runs folded), by host. */
function groupByHost(text: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n').slice(2).filter(Boolean)) {
    const folded = line.trim().replace(/\s+/g, ' ');
    if (line.startsWith(' ')) current.push(folded);
    else {
      current = [folded];
      groups.set(folded.split(' ')[0] ?? '', current);
    }
  }
  return groups;
}

interface JUnitCase {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string; '#text': string };
  error?: { '@_message': string };
}
interface JUnitSuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  testcase: JUnitCase[];
}

function parseJUnit(xml: string): JUnitSuite[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  const doc = parser.parse(xml) as { testsuites: { testsuite: JUnitSuite[] } };
  return doc.testsuites.testsuite;
}

describeBed('runstate drift on real hosts', () => {
  afterAll(() => restoreRunlevels());

  it('is in sync after apply, then reports hand-made drift in every format (exit 2)', async () => {
    resetBed();
    const pb = crmWithRunlevel();
    try {
      const applied = await runstate(['apply', '-i', INV, pb, '--yes']);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const clean = await runstate(['drift', '-i', INV, pb]);
      expect(clean.code, clean.stdout).toBe(0);
      expect(clean.stdout).toMatch(/all 4 hosts are in sync/);

      // Drift by hand: a stopped service, two disabled ones (SysV, OpenRC), another runlevel.
      await onHost('bed-systemd', 'systemctl stop crm-db');
      await onHost('bed-sysv', 'update-rc.d crm-app disable 2>/dev/null; telinit 3');
      await onHost('bed-openrc', 'rc-update del crm-proxy default >/dev/null');
      await waitFor('runlevel 3 on bed-sysv', async () =>
        /\b3$/.test((await onHost('bed-sysv', 'runlevel')).trim()),
      );
      const expected = [
        'bed-openrc crm-proxy enabled disabled→enabled',
        'bed-systemd crm-db state inactive→running',
        'bed-sysv - runlevel 3→2',
        'bed-sysv crm-app enabled disabled→enabled',
      ];

      const json = await runstate(['drift', '-i', INV, pb, '--format', 'json']);
      expect(json.code).toBe(2);
      const report = JSON.parse(json.stdout) as DriftReport;
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(drifts(report)).toEqual(expected);
      expect(report.summary).toMatchObject({ hosts: 4, inSync: 1, drifted: 3, unchecked: 0, drifts: 4 });

      // Text: grouped by host, each drifted item under its host.
      const text = await runstate(['drift', '-i', INV, pb]);
      expect(text.code).toBe(2);
      const groups = groupByHost(text.stdout);
      expect(groups.get('bed-systemd')).toEqual([
        'bed-systemd drift (1 of 2 items)',
        'crm-db state observed inactive, want running',
      ]);
      expect(groups.get('bed-sysv')).toEqual([
        'bed-sysv drift (2 of 4 items)',
        'runlevel observed 3, want 2',
        'crm-app enabled observed disabled, want enabled',
      ]);
      expect(groups.get('bed-openrc')).toEqual([
        'bed-openrc drift (1 of 2 items)',
        'crm-proxy enabled observed disabled, want enabled',
      ]);
      expect(groups.get('bed-supervisord')).toEqual(['bed-supervisord in sync (1 item)']);

      // JUnit, written with --out: one testsuite per host, a failure per drifted item.
      const out = join(freshStateHome(), 'drift.xml');
      const junit = await runstate(['drift', '-i', INV, pb, '--format', 'junit', '--out', out]);
      expect(junit.code).toBe(2);
      expect(junit.stdout).toMatch(/^Drift check: 4 drifts/); // a text summary still on stdout
      const suites = parseJUnit(readFileSync(out, 'utf8'));
      expect(suites.map((s) => [s['@_name'], s['@_failures'], s['@_errors']])).toEqual([
        ['bed-openrc', '1', '0'],
        ['bed-supervisord', '0', '0'],
        ['bed-systemd', '1', '0'],
        ['bed-sysv', '2', '0'],
      ]);
      const sysv = suites.find((s) => s['@_name'] === 'bed-sysv');
      expect(sysv?.testcase.map((c) => [c['@_name'], c.failure?.['@_message']])).toEqual([
        ['runlevel', 'runlevel: observed 3, want 2'],
        ['crm-app state', undefined],
        ['crm-app enabled', 'enabled: observed disabled, want enabled'],
      ]);
      // The same counts as the JSON summary: a testcase per declared item, a failure per drift.
      const total = (k: '@_tests' | '@_failures') => suites.reduce((n, x) => n + Number(x[k]), 0);
      expect([total('@_tests'), total('@_failures')]).toEqual([report.summary.items, report.summary.drifts]);
      const main = suites.find((s) => s['@_name'] === 'bed-supervisord')?.testcase[0];
      expect(main).toMatchObject({ '@_name': 'crm-main state', '@_classname': 'bed-supervisord.service' });
      expect(main?.failure).toBeUndefined();

      const md = await runstate(['drift', '-i', INV, pb, '--format', 'markdown']);
      expect(md.code).toBe(2);
      expect(md.stdout).toContain('| host | status | drifted items |');
      expect(md.stdout).toContain('| bed-sysv | **drift** | 2 of 4 items |');
      expect(md.stdout).toContain('| bed-supervisord | in sync | 0 of 1 item |');
      expect(md.stdout.match(/<details>/g)).toHaveLength(4);
      expect(md.stdout).toContain('<summary>bed-sysv: drift (2 of 4 items)</summary>');
      expect(md.stdout).toContain('| (host) | runlevel | 2 | 3 | **drift** |');
      expect(md.stdout).toContain('| crm-db | state | running | inactive | **drift** |');

      // Converging again brings every host back in sync.
      const healed = await runstate(['apply', '-i', INV, pb, '--yes']);
      expect(healed.code, healed.stdout + healed.stderr).toBe(0);
      expect(healed.stdout).toMatch(/Plan: 4 changes/);
      const after = await runstate(['drift', '-i', INV, pb, '--format', 'json']);
      expect(after.code).toBe(0);
      expect(drifts(JSON.parse(after.stdout) as DriftReport)).toEqual([]);
    } finally {
      await restoreRunlevels();
    }
  });

  it('an unreachable host: exit 3, and the report is still written', async () => {
    const inv = inventoryWith((t) => t.replace('ansible_port: 2223', 'ansible_port: 2299'));
    const dir = freshStateHome();
    const json = await runstate([
      ...['drift', '-i', inv, 'examples/bed/playbook.yml', '--format', 'json'],
      ...['--out', join(dir, 'drift.json'), '--connect-timeout', '5'],
    ]);
    expect(json.code).toBe(3);
    expect(json.stderr).toContain(`drift report written to ${join(dir, 'drift.json')}`);
    const report = JSON.parse(readFileSync(join(dir, 'drift.json'), 'utf8')) as DriftReport;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.hosts['bed-openrc']).toMatchObject({
      status: 'unchecked',
      reason: expect.stringMatching(/refused/),
    });
    for (const h of ['bed-systemd', 'bed-sysv', 'bed-supervisord'])
      expect(report.hosts[h]?.status).not.toBe('unchecked');
    expect(report.summary.unchecked).toBe(1);

    const junit = await runstate([
      ...['drift', '-i', inv, 'examples/bed/playbook.yml', '--format', 'junit'],
      ...['--out', join(dir, 'drift.xml'), '--connect-timeout', '5'],
    ]);
    expect(junit.code).toBe(3);
    const openrc = parseJUnit(readFileSync(join(dir, 'drift.xml'), 'utf8')).find(
      (s) => s['@_name'] === 'bed-openrc',
    );
    expect(openrc?.['@_errors']).toBe(String(report.hosts['bed-openrc']?.items.length));
    expect(openrc?.testcase[0]?.error?.['@_message']).toMatch(/^not checked: .*refused/);
  });
});
