import { computeDrift } from '../../../src/drift/index.js';
import type { DriftReport } from '../../../src/model/drift.js';
import { desired, dhost, observed, ohost, osvc, svc } from '../plan/helpers.js';

/** One host of each status: db1 drifted (runlevel, a missing service, state, enabled), h2 unchecked, web1 in sync. */
export function sampleReport(): DriftReport {
  return computeDrift(
    desired(
      dhost('db1', [svc('postgresql', { enabled: true }), svc('crm-app')], { kind: 'level', level: 3 }),
      dhost('h2', [svc('nginx', { enabled: true })]),
      dhost('web1', [svc('nginx', { enabled: true }), svc('old-cron', { state: 'stopped', enabled: false })]),
    ),
    observed(
      ohost('db1', [osvc('postgresql', 'inactive', 'disabled')], {
        runlevel: { current: 'graphical.target', default: 'multi-user.target' },
      }),
      { status: 'unreachable', host: 'h2', reason: 'connection refused' },
      ohost('web1', [osvc('nginx', 'active', 'enabled'), osvc('old-cron', 'inactive', 'masked')]),
    ),
  );
}
