import { describe, expect, it } from 'vitest';
import { commonFrom } from '../../../src/cli/main.js';
import { OBSERVE_TIMEOUT_MS, observeBoundMs } from '../../../src/observe/bound.js';
import { run } from '../cli/run-cli.js';

/** Issue 15: the bound on one host's observe script follows the user's timeout flags. */
describe('the observe bound', () => {
  const cfg = { warnings: [] };
  const common = (flags: Record<string, unknown>) =>
    commonFrom({ inventory: ['/x'], ...flags }, {}, undefined, cfg);

  it('is 60 s by default, --observe-timeout when given, and never longer than a shorter --command-timeout', () => {
    expect(OBSERVE_TIMEOUT_MS).toBe(60_000);
    expect(observeBoundMs()).toBe(60_000);
    expect(observeBoundMs(undefined, 300)).toBe(60_000);
    expect(observeBoundMs(undefined, 5)).toBe(5_000);
    expect(observeBoundMs(120, 5)).toBe(120_000);
    expect(observeBoundMs(7)).toBe(7_000);
  });

  it('reaches the CLI options of every observing command', () => {
    expect(common({}).observeTimeout).toBe(60);
    expect(common({ observeTimeout: 5 }).observeTimeout).toBe(5);
    // apply and watch --heal: their --command-timeout (default 300) bounds observing too when shorter.
    expect(common({ commandTimeout: 300 }).observeTimeout).toBe(60);
    expect(common({ commandTimeout: 5 }).observeTimeout).toBe(5);
    expect(common({ commandTimeout: 5, observeTimeout: 90 }).observeTimeout).toBe(90);
  });

  it('--help of plan and apply names the flag and how it relates to --command-timeout', async () => {
    for (const cmd of ['plan', 'apply']) {
      const r = await run(cmd, '--help');
      expect(r.out).toMatch(/--observe-timeout <duration>/);
      expect(r.out.replace(/\s+/g, ' ')).toMatch(/default: 60, or --command-timeout where that is shorter/);
    }
  });

  it('a bad value is a usage error naming the flag', async () => {
    const r = await run('plan', '-i', '/x', 'p.yml', '--observe-timeout', 'soon');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--observe-timeout "soon" is not a duration/);
  });
});
