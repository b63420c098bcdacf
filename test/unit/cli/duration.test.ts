import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/cli/duration.js';
import { main } from '../../../src/cli/main.js';

describe('parseDuration (every duration flag)', () => {
  it('reads plain seconds and units', () => {
    expect(parseDuration('30', '--x')).toBe(30);
    expect(parseDuration('30s', '--x')).toBe(30);
    expect(parseDuration('5m', '--x')).toBe(300);
    expect(parseDuration('1h30m', '--x')).toBe(5400);
    expect(parseDuration('1d', '--x')).toBe(86_400);
    expect(parseDuration('0', '--settle', 0)).toBe(0);
  });
  it('a bad value is a user error naming the flag', () => {
    expect(() => parseDuration('5 minutes', '--lock-timeout')).toThrow(
      /--lock-timeout "5 minutes" is not a duration/,
    );
    expect(() => parseDuration('-3', '--x')).toThrow(/not a duration/);
    expect(() => parseDuration('1.5s', '--x')).toThrow(/not a duration/);
    expect(() => parseDuration('0s', '--connect-timeout')).toThrow(
      /--connect-timeout "0s" is shorter than 1 second/,
    );
  });
  it('the CLI exits 1 naming the flag', async () => {
    for (const [flag, cmd] of [
      ['--connect-timeout', 'plan'],
      ['--command-timeout', 'apply'],
      ['--lock-timeout', 'apply'],
      ['--settle', 'apply'],
    ] as const) {
      let err = '';
      const io = { out: () => {}, err: (t: string) => (err += t), isTTY: false, env: {} };
      const code = await main(
        ['node', 'runstate', cmd, '-i', 'inventory/crm.yml', flag, 'soon', 'x.yml'],
        io,
      );
      expect(code).toBe(1);
      expect(err).toContain(`${flag} "soon" is not a duration`);
    }
  });
});
