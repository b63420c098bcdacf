import { describe, expect, it } from 'vitest';
import { computeDrift, driftExitCode } from '../../../src/drift/index.js';
import type { ReachableHost } from '../../../src/model/index.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';
import { sampleReport } from './sample-report.js';

describe('driftExitCode', () => {
  const seen = (h: ReachableHost) => observed(h);
  const want = desired(dhost('h1', [svc('a')]));

  it('is 0 when every host is in sync (or there are none)', () => {
    expect(driftExitCode(computeDrift(want, seen(ohost('h1', [osvc('a', 'active')]))))).toBe(0);
    expect(driftExitCode(computeDrift(desired(), observed()))).toBe(0);
  });

  it('is 2 when something drifted', () => {
    expect(driftExitCode(computeDrift(want, seen(ohost('h1', [osvc('a', 'inactive')]))))).toBe(2);
  });

  it('is 3 when a host was not checked, even with drift elsewhere', () => {
    expect(driftExitCode(computeDrift(want, observed()))).toBe(3);
    expect(driftExitCode(sampleReport())).toBe(3);
  });
});
