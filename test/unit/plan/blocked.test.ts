import { describe, expect, it } from 'vitest';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

describe('a host that could not be observed', () => {
  it('blocks the starts that require its services, transitively, and nothing else', () => {
    const r = plan(
      desired(
        dhost('db', [svc('pg', { tier: 'database' })]),
        dhost('app', [svc('crm', { requires: ['db:pg'] })]),
        dhost('proxy', [svc('web', { tier: 'network', requires: ['app:crm'] })]),
        dhost('other', [svc('cron', { tier: 'network' })]),
      ),
      observed(
        { status: 'unreachable', host: 'db', reason: 'connection refused' },
        ohost('app', [osvc('crm', 'inactive')]),
        ohost('proxy', [osvc('web', 'inactive')]),
        ohost('other', [osvc('cron', 'inactive')]),
      ),
    );
    const blocked = Object.fromEntries(r.plan.steps.map((s) => [s.id, s.blockedBy]));
    expect(blocked).toEqual({
      'app/start/crm': 'requires db:pg, whose host db is unreachable',
      'proxy/start/web': 'requires db:pg, whose host db is unreachable',
      'other/start/cron': undefined,
    });
  });
});
