import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/plan/index.js';
import { desired, dhost, observed, ohost, osvc, plan, svc } from './helpers.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const watched = svc('crm-app', { restart: { onChange: ['/etc/crm/app.conf'] } });
const seen = (
  watch: { current: string; recorded: string | null },
  active: 'active' | 'inactive' = 'active',
) => ({
  ...osvc('crm-app', active),
  watch,
});

describe('restart.on_change', () => {
  it('restarts a running service whose watched files changed since its last start', () => {
    const changes = diffHost(dhost('h1', [watched]), ohost('h1', [seen({ current: A, recorded: B })]));
    expect(changes.map((c) => `${c.kind}: ${c.reason}`)).toEqual([
      'restart: watched files changed since its last (re)start',
    ]);
  });

  it('does nothing when the files are as recorded (idempotent)', () => {
    expect(diffHost(dhost('h1', [watched]), ohost('h1', [seen({ current: A, recorded: A })]))).toEqual([]);
  });

  it('restarts once when nothing was recorded yet', () => {
    const changes = diffHost(dhost('h1', [watched]), ohost('h1', [seen({ current: A, recorded: null })]));
    expect(changes.map((c) => c.kind)).toEqual(['restart']);
  });

  it('a start (not a restart) of a stopped service also records the checksum', () => {
    const r = plan(
      desired(dhost('h1', [watched])),
      observed(ohost('h1', [seen({ current: A, recorded: B }, 'inactive')])),
    );
    expect(r.plan.steps.map((s) => s.kind)).toEqual(['start']);
    const commands = r.plan.steps[0]?.commands ?? [];
    expect(commands.at(-1)?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(commands.at(-1)?.slice(-2)).toEqual(['crm-app', '/etc/crm/app.conf']);
    expect(r.plan.hosts.h1?.watches).toEqual({ 'crm-app': ['/etc/crm/app.conf'] });
  });
});
