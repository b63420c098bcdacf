import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostileValue } from '../unit/security/hostile.property.js';
import { BED_INVENTORY, describeBed, onHost, resetBed, runstate, tempPlaybook } from './helpers/bed.js';

// Hostile values that pass validation (watched paths, health URL and command words) sent to a
// real host through observe, apply, verification and health gates: none may execute. Each value
// tries to create /tmp/rs-sentinel/pwned-N on the host; the test looks for any file there.
const SENTINEL_DIR = '/tmp/rs-sentinel';
const CASES = 60;

describeBed('hostile values on a real host', () => {
  beforeAll(async () => {
    resetBed('bed-systemd');
    await onHost('bed-systemd', `rm -rf ${SENTINEL_DIR} && mkdir -p ${SENTINEL_DIR}`);
  });
  afterAll(async () => {
    await onHost('bed-systemd', `rm -rf ${SENTINEL_DIR} /var/lib/runstate/restart/crm-db.sha256`);
    resetBed('bed-systemd');
  });

  it(`${CASES} hostile values through observe, apply and health gates: no sentinel file on the host`, async () => {
    const values = fc.sample(hostileValue(SENTINEL_DIR), { numRuns: CASES, seed: 9 });
    // Control characters and NUL are refused in paths; the rest go to the host as data.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: filtering control characters is the point
    const paths = values.filter((v) => !/[\u0000-\u001f\u007f]/.test(v)).map((v) => `/tmp/${v}`);
    const words = values.filter((v) => !v.includes('\u0000'));
    const url = `http://127.0.0.1:1/${encodeURIComponent(values.join(''))}`;
    const pb = tempPlaybook(
      JSON.stringify({
        version: 1,
        hosts: {
          'bed-systemd': {
            services: {
              'crm-db': {
                state: 'running',
                restart: { on_change: paths },
                health: { command: ['true', ...words], timeout: 2 },
              },
              'crm-app': { state: 'running', requires: ['crm-db'], health: { http: url, timeout: 2 } },
            },
          },
        },
      }),
    );
    const facts = await runstate(['facts', '-i', BED_INVENTORY, pb, '--limit', 'bed-systemd']);
    expect(facts.code).toBe(0);
    const apply = await runstate(['apply', '-i', BED_INVENTORY, pb, '--limit', 'bed-systemd', '--yes']);
    // crm-app's gate cannot pass (nothing listens on port 1): a failed step, not an execution.
    expect(apply.code).toBe(3);
    expect(apply.stdout).toMatch(/ok\s+start crm-db/);
    expect(apply.stdout).toMatch(/FAILED\s+start crm-app/);
    expect(paths.length + words.length).toBeGreaterThan(CASES);
    expect(await onHost('bed-systemd', `ls -A ${SENTINEL_DIR}`)).toBe('');
    expect(await onHost('bed-systemd', 'ls /tmp | grep -c pwned || true')).toBe('0\n');
  });
});
