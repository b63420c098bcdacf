import { describe, expect, it } from 'vitest';
import { lockScript, parseHolder, STALE_AFTER_MS, staleReason } from '../../../src/apply/lock.js';
import { markCommandSent } from '../../../src/apply/sent.js';
import type { Io } from '../../../src/cli/context.js';
import { reportError } from '../../../src/cli/main.js';
import { sanitizeHostText } from '../../../src/report/sanitize.js';

const OWNER = 'runstate root@ctl pid 4242 0badf00d';

describe('stale host locks', () => {
  const here = (alive: boolean, now = new Date('2026-01-01T12:00:00Z')) => ({
    hostname: 'ctl',
    now,
    alive: () => alive,
  });

  it('parses the holder the lock script prints', () => {
    expect(parseHolder(`${OWNER} 2026-01-01T11:00:00Z `)).toEqual({
      owner: OWNER,
      controller: 'ctl',
      pid: 4242,
      since: new Date('2026-01-01T11:00:00Z'),
    });
  });

  it('stale when its runstate on this controller is gone (SIGKILL), never judged by PID elsewhere', () => {
    const h = parseHolder(`${OWNER} 2026-01-01T11:00:00Z`);
    expect(staleReason(h, here(false))).toBe('its owner, runstate pid 4242 on this machine, is gone');
    expect(staleReason(h, here(true))).toBeUndefined();
    expect(staleReason(h, { ...here(false), hostname: 'other' })).toBeUndefined();
  });

  it('stale when older than any apply, whoever holds it', () => {
    const h = parseHolder(`runstate ci@elsewhere pid 1 ab 2026-01-01T11:00:00Z`);
    const later = new Date(new Date('2026-01-01T11:00:00Z').getTime() + STALE_AFTER_MS + 1000);
    expect(staleReason(h, { hostname: 'ctl', now: later, alive: () => true })).toMatch(/longer ago/);
  });

  it('--break-lock removes only the stale lock it was shown, then takes it', () => {
    const script = lockScript('me', 0, '/run/x.lock', OWNER);
    expect(script.split('\n')[0]).toBe(
      `if [ "$(head -n 1 /run/x.lock/owner 2>/dev/null)" = '${OWNER}' ]; then rm -rf /run/x.lock; fi`,
    );
    expect(lockScript('me', 0, '/run/x.lock')).not.toContain('rm -rf');
  });
});

describe('host output on the terminal', () => {
  it('drops ANSI sequences and shows other controls as escapes', () => {
    expect(sanitizeHostText('\u001b[2J\u001b]0;owned\u0007ok\r\n\u009b31m\u0000')).toBe(
      'ok\n\\u009b31m\\u0000',
    );
  });
});

describe('exit codes after an unexpected error', () => {
  const io = (): Io & { text: () => string } => {
    let t = '';
    return { out: () => {}, err: (s) => (t += s), isTTY: false, env: {}, text: () => t };
  };

  it('an unexpected exception after a command was sent exits 3, never 1', () => {
    const before = io();
    expect(reportError(new TypeError('boom before'), before)).toBe(1);
    markCommandSent();
    const after = io();
    expect(reportError(new TypeError('boom after'), after)).toBe(3);
    expect(after.text()).toContain('some changes may have been made');
  });
});
