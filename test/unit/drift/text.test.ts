import { describe, expect, it } from 'vitest';
import { computeDrift, renderDriftText } from '../../../src/drift/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import { sampleReport } from './sample-report.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\u001b\[/;

describe('renderDriftText', () => {
  it('prints a headline, then each host: drifted items under it, other hosts on one line', () => {
    expect(renderDriftText(sampleReport(), { color: false })).toBe(
      [
        'Drift check: 4 drifts on 1 host, 1 host unchecked, 1 host in sync (11 items)',
        '',
        'db1    drift (4 of 5 items)',
        '  runlevel             observed graphical.target, want 3',
        '  crm-app present      observed not in the snapshot, want present',
        '  postgresql state     observed inactive, want running',
        '  postgresql enabled   observed disabled, want enabled',
        'h2     unchecked: connection refused (2 items not checked)',
        'web1   in sync (4 items)',
        '',
      ].join('\n'),
    );
  });

  it('says so when everything is in sync, in singular for one', () => {
    const r = computeDrift(desired(dhost('h1', [svc('a')])), observed(ohost('h1', [osvc('a', 'active')])));
    expect(renderDriftText(r, { color: false })).toBe(
      'Drift check: the host is in sync (1 item)\n\nh1   in sync (1 item)\n',
    );
    expect(renderDriftText(computeDrift(desired(), observed()), { color: false })).toBe(
      'Drift check: no hosts to check\n',
    );
  });

  it('colours only when asked, with the same words', () => {
    const plain = renderDriftText(sampleReport(), { color: false });
    const coloured = renderDriftText(sampleReport(), { color: true });
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });
});
