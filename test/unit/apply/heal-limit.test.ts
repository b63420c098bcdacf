import { describe, expect, it } from 'vitest';
import { HealLimiter } from '../../../src/apply/heal-limit.js';
import { delayUntilNext, parseSchedule } from '../../../src/cli/schedule.js';

describe('HealLimiter', () => {
  it('allows max heals per window, then refuses until old ones age out', () => {
    const l = new HealLimiter(2, 60_000);
    expect(l.tryTake('crm-db@h1', 0)).toBe(true);
    expect(l.tryTake('crm-db@h1', 10_000)).toBe(true);
    expect(l.tryTake('crm-db@h1', 20_000)).toBe(false);
    expect(l.tryTake('crm-app@h1', 20_000)).toBe(true);
    expect(l.tryTake('crm-db@h1', 60_001)).toBe(true);
    expect(l.count('crm-db@h1', 60_001)).toBe(2);
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
