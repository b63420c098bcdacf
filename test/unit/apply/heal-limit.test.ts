import { describe, expect, it } from 'vitest';
import { HealLimiter, healKey, healsThatRan } from '../../../src/apply/heal-limit.js';
import type { StepOutcome } from '../../../src/apply/types.js';
import { delayUntilNext, parseSchedule } from '../../../src/cli/schedule.js';
import type { Step } from '../../../src/model/plan.js';

describe('HealLimiter', () => {
  it('allows max heals per window, then refuses until old ones age out', () => {
    const l = new HealLimiter(2, 60_000);
    const take = (key: string, now: number): boolean => {
      if (!l.allows(key, now)) return false;
      l.record(key, now);
      return true;
    };
    expect(take('h1:crm-db', 0)).toBe(true);
    expect(take('h1:crm-db', 10_000)).toBe(true);
    expect(take('h1:crm-db', 20_000)).toBe(false);
    expect(take('h1:crm-app', 20_000)).toBe(true);
    expect(take('h1:crm-db', 60_001)).toBe(true);
    expect(l.count('h1:crm-db', 60_001)).toBe(2);
  });

  it('asking is free: only recorded heals count', () => {
    const l = new HealLimiter(1, 60_000);
    for (let t = 0; t < 5; t++) expect(l.allows('h1:crm-worker@1', t)).toBe(true);
    l.record('h1:crm-worker@1', 5);
    expect(l.allows('h1:crm-worker@1', 6)).toBe(false);
  });
});

describe('healsThatRan', () => {
  const step = (host: string, service?: string): Step => ({
    id: `${host}/start/${service ?? 'runlevel'}`,
    host,
    kind: service ? 'start' : 'set-runlevel',
    ...(service ? { service } : { target: '3' }),
    reason: 'r',
    commands: [['true']],
    after: [],
    wave: 1,
  });
  it('counts steps that sent a command (ok or failed), not skipped, unreachable or never started', () => {
    const outcomes: StepOutcome[] = [
      { kind: 'ok', step: step('h1', 'crm-db'), durationMs: 1 },
      { kind: 'failed', step: step('h1', 'crm-flaky'), durationMs: 1, message: 'died', stderrTail: '' },
      { kind: 'skipped', step: step('h1', 'crm-app'), because: 'x', cause: 'blocked' },
      { kind: 'unreachable', step: step('h2', 'crm-app'), reason: 'lock held' },
      { kind: 'not-started', step: step('h3', 'crm-app'), reason: 'interrupted' },
      { kind: 'ok', step: step('h4'), durationMs: 1 },
    ];
    expect(healsThatRan(outcomes)).toEqual(['h1:crm-db', 'h1:crm-flaky', 'h4 (runlevel)']);
    expect(healKey('bed-systemd', 'crm-worker@1')).toBe('bed-systemd:crm-worker@1');
  });
});

describe('parseSchedule', () => {
  it('reads durations', () => {
    expect(parseSchedule('90s')).toMatchObject({ kind: 'interval', ms: 90_000 });
    expect(parseSchedule('1h30m')).toMatchObject({ kind: 'interval', ms: 5_400_000 });
    expect(delayUntilNext(parseSchedule('5m'), new Date(0))).toBe(300_000);
  });

  it('reads cron expressions', () => {
    const s = parseSchedule('*/5 * * * *');
    expect(s.kind).toBe('cron');
    expect(delayUntilNext(s, new Date('2026-01-01T00:01:00Z'))).toBe(4 * 60_000);
  });

  it('explains what it cannot read', () => {
    expect(() => parseSchedule('every five minutes')).toThrow(/neither an interval nor a cron expression/);
  });
});
