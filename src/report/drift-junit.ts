import { XMLBuilder } from 'fast-xml-parser';
import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import { itemLabel, itemNotes, sortedHosts } from './drift-summary.js';

interface TestCase {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string; '@_type': 'drift'; '#text': string };
  error?: { '@_message': string; '@_type': 'unchecked' };
  skipped?: { '@_message': string };
}

interface TestSuite {
  '@_name': string;
  '@_hostname': string;
  '@_tests': number;
  '@_failures': number;
  '@_errors': number;
  '@_skipped': number;
  testcase: TestCase[];
}

/** The testcase that stands for a host with nothing declared that could not be checked. */
const REACHABLE = 'reachable';

/**
 * JUnit XML for CI: one testsuite per host, one testcase per declared item (a service's state or
 * enabled, the host's runlevel…), a <failure> per drift — the same counts as the text and JSON
 * reports; every item of an unchecked host is an <error>.
 * Classnames are "<host>.service" / "<host>.runlevel", which CI tools show as package host.
 */
export function renderDriftJunit(r: DriftReport): string {
  const suites = sortedHosts(r).map(([name, h]) => testSuite(name, h));
  const sum = (key: '@_tests' | '@_failures' | '@_errors' | '@_skipped') =>
    suites.reduce((n, s) => n + s[key], 0);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'runstate drift',
      '@_tests': sum('@_tests'),
      '@_failures': sum('@_failures'),
      '@_errors': sum('@_errors'),
      '@_skipped': sum('@_skipped'),
      testsuite: suites,
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
  });
  return `${builder.build(doc).trimEnd()}\n`;
}

function testSuite(host: string, h: HostDrift): TestSuite {
  const cases = h.items.map((i) => testCase(host, i, h));
  if (h.status === 'unchecked' && cases.length === 0) {
    cases.push({ '@_name': REACHABLE, '@_classname': text(host), error: unchecked(h.reason) });
  }
  return {
    '@_name': text(host),
    '@_hostname': text(host),
    '@_tests': cases.length,
    '@_failures': cases.filter((c) => c.failure).length,
    '@_errors': cases.filter((c) => c.error).length,
    '@_skipped': cases.filter((c) => c.skipped).length,
    testcase: cases,
  };
}

/** One testcase per declared item ("postgresql state"), so failures count exactly the drifts. */
function testCase(host: string, item: DriftItem, h: HostDrift): TestCase {
  const tc: TestCase = {
    '@_name': text(itemLabel(item)),
    '@_classname': text(`${host}.${item.service !== undefined ? 'service' : item.kind}`),
  };
  if (h.status === 'unchecked') return { ...tc, error: unchecked(h.reason) };
  if (item.inSync) return tc;
  const what = item.resource !== undefined ? `${item.field} ${item.resource}` : item.field;
  const notes = itemNotes(item)
    .map((n) => ` — ${n}`)
    .join('');
  const line = `${what}: observed ${item.observed}, want ${item.desired}${notes}`;
  // A waived drift is neither passed nor failed: CI shows it as skipped, with the waiver.
  if (item.waived) return { ...tc, skipped: { '@_message': text(line) } };
  return { ...tc, failure: { '@_message': text(line), '@_type': 'drift', '#text': text(line, true) } };
}

function unchecked(reason: string): NonNullable<TestCase['error']> {
  return { '@_message': text(`not checked: ${reason}`), '@_type': 'unchecked' };
}

/**
 * XML 1.0 cannot carry most control characters even escaped (a host's error text may hold them);
 * attribute values are one line, as parsers would fold their newlines anyway.
 */
function text(value: string, multiline = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML forbids
  const safe = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
  return multiline ? safe : safe.replace(/[\t\r\n]+/g, ' ');
}
