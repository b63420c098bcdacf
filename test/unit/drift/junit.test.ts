import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { computeDrift, renderDriftJunit } from '../../../src/drift/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import { sampleReport } from './sample-report.js';

interface Failure {
  '@_message': string;
  '@_type': string;
  '#text'?: string;
}
interface TestCase {
  '@_name': string;
  '@_classname': string;
  failure?: Failure;
  error?: Failure;
}
interface TestSuite {
  '@_name': string;
  '@_hostname': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  testcase?: TestCase[];
}
interface Doc {
  testsuites: {
    '@_name': string;
    '@_tests': string;
    '@_failures': string;
    '@_errors': string;
    testsuite?: TestSuite[];
  };
}

function parse(xml: string): Doc {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as Doc;
}

function suite(doc: Doc, name: string): TestSuite {
  const s = doc.testsuites.testsuite?.find((x) => x['@_name'] === name);
  if (!s) throw new Error(`no testsuite ${name}`);
  return s;
}

const counts = (s: { '@_tests': string; '@_failures': string; '@_errors': string }) => [
  Number(s['@_tests']),
  Number(s['@_failures']),
  Number(s['@_errors']),
];

describe('renderDriftJunit', () => {
  const xml = renderDriftJunit(sampleReport());
  const doc = parse(xml);

  it('writes one testsuite per host, in name order, with totals on <testsuites>', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(doc.testsuites.testsuite?.map((s) => [s['@_name'], s['@_hostname']])).toEqual([
      ['db1', 'db1'],
      ['h2', 'h2'],
      ['web1', 'web1'],
    ]);
    expect(counts(doc.testsuites)).toEqual([11, 4, 2]);
  });

  it('counts exactly what the JSON summary counts: items as tests, drifts as failures', () => {
    const r = sampleReport();
    expect(Number(doc.testsuites['@_tests'])).toBe(r.summary.items);
    expect(Number(doc.testsuites['@_failures'])).toBe(r.summary.drifts);
  });

  it('writes one testcase per declared item, a failure per drift', () => {
    const db1 = suite(doc, 'db1');
    expect(counts(db1)).toEqual([5, 4, 0]);
    expect(db1.testcase?.map((c) => [c['@_classname'], c['@_name'], c.failure?.['@_message']])).toEqual([
      ['db1.runlevel', 'runlevel', 'runlevel: observed graphical.target, want 3'],
      ['db1.runlevel', 'default-runlevel', undefined],
      ['db1.service', 'crm-app present', 'present: observed not in the snapshot, want present'],
      ['db1.service', 'postgresql state', 'state: observed inactive, want running'],
      ['db1.service', 'postgresql enabled', 'enabled: observed disabled, want enabled'],
    ]);
    expect(db1.testcase?.[3]?.failure).toEqual({
      '@_message': 'state: observed inactive, want running',
      '@_type': 'drift',
      '#text': 'state: observed inactive, want running',
    });
  });

  it('lists passing testcases of an in-sync host without failures', () => {
    const web1 = suite(doc, 'web1');
    expect(counts(web1)).toEqual([4, 0, 0]);
    expect(web1.testcase?.map((c) => [c['@_name'], c.failure, c.error])).toEqual([
      ['nginx state', undefined, undefined],
      ['nginx enabled', undefined, undefined],
      ['old-cron state', undefined, undefined],
      ['old-cron enabled', undefined, undefined],
    ]);
  });

  it('gives every declared item of an unchecked host an error', () => {
    const h2 = suite(doc, 'h2');
    expect(counts(h2)).toEqual([2, 0, 2]);
    expect(h2.testcase?.[0]?.error).toEqual({
      '@_message': 'not checked: connection refused',
      '@_type': 'unchecked',
    });
  });

  it('still shows an unchecked host with nothing declared as an error', () => {
    const r = computeDrift(desired(dhost('h1', [])), observed());
    const s = suite(parse(renderDriftJunit(r)), 'h1');
    expect(counts(s)).toEqual([1, 0, 1]);
    expect(s.testcase?.[0]?.['@_name']).toBe('reachable');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const reason = 'key <changed> & "refused"\u0007\nagain';
    const r = computeDrift(
      desired(dhost('h&1', [svc('a')]), dhost('h2', [svc('b')])),
      observed({ status: 'unreachable', host: 'h&1', reason }, ohost('h2', [osvc('b', 'inactive')])),
    );
    const out = renderDriftJunit(r);
    expect(out).toContain('name="h&amp;1"');
    expect(out).not.toContain('\u0007');
    const parsed = parse(out);
    expect(suite(parsed, 'h&1').testcase?.[0]?.error?.['@_message']).toBe(
      'not checked: key <changed> & "refused"\uFFFD again',
    );
    expect(counts(parsed.testsuites)).toEqual([2, 1, 1]);
  });

  it('writes the same bytes for the same report', () => {
    expect(renderDriftJunit(sampleReport())).toBe(xml);
  });
});
