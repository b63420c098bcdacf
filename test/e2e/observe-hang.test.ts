import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ObservedSnapshot } from '../../src/model/observed.js';
import { BED_INVENTORY, describeBed, onHost, resetBed, runstate, tempPlaybook } from './helpers/bed.js';

/*
 * Issue 15: a host's SysV status calls run as ONE batch under ONE timeout; only when that bound
 * runs out does each service the batch did not report get its own call under its own timeout.
 * A script whose `status` hangs must cost only its own service: every other service of the host
 * (before and after it in the batch) is still observed, and nothing is left running on the host,
 * also when the hung script ignores TERM.
 */
const HUNG = 'rs-hungstatus'; // `status` never returns
const MARK = '/run/rs-hungstatus.calls'; // one line per status call, to see the re-run

const SCRIPT = [
  '#!/bin/sh',
  '### BEGIN INIT INFO',
  `# Provides:          ${HUNG}`,
  '# Default-Start:     2 3 4 5',
  '# Default-Stop:      0 1 6',
  '### END INIT INFO',
  'case "$1" in',
  // It also ignores TERM (as a daemon's status helper stuck in its own signal handling would):
  // each `timeout` makes a process group of its own, out of reach of the whole command's bound,
  // so only a bound that sends KILL ends it. Under a TERM bound this held the host's whole observe
  // until the client's own bound and left the sleep running (found in session 10).
  `  status) echo call >> ${MARK}; trap '' TERM; exec sleep 100001 ;;`,
  '  *) echo "usage: $0 status"; exit 2 ;;',
  'esac',
  '',
].join('\n');

describeBed('observe: a hung init script status costs only its own service', () => {
  beforeAll(async () => {
    resetBed('bed-sysv');
    await onHost(
      'bed-sysv',
      `cat > /etc/init.d/${HUNG} <<'EOF'\n${SCRIPT}EOF\nchmod 755 /etc/init.d/${HUNG}; rm -f ${MARK}`,
    );
    await onHost('bed-sysv', '/etc/init.d/crm-db start >/dev/null 2>&1');
  });
  afterAll(async () => {
    await onHost('bed-sysv', `pkill -f 'sleep 10000[1]' || true; rm -f /etc/init.d/${HUNG} ${MARK}`);
    resetBed('bed-sysv');
  });

  it('the services before and after the hung one are observed, it is unknown (timed out), twice over', async () => {
    // Sorted, the hung script sits between crm-* and the missing one: the batch reports the
    // crm-* services, stops in the hung one; that one and the one after get their own calls.
    const pb = tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  bed-sysv:',
        '    services:',
        '      crm-app: { state: stopped }',
        '      crm-db: { state: running }',
        `      ${HUNG}: { state: running }`,
        '      rs-zz-missing: { state: stopped }',
        '',
      ].join('\n'),
    );
    for (const round of [1, 2]) {
      const r = await runstate(['facts', '-i', BED_INVENTORY, pb, '--format', 'json', '--limit', 'bed-sysv']);
      expect(r.code, `round ${round}: ${r.stderr}`).toBe(0);
      const host = (JSON.parse(r.stdout) as ObservedSnapshot).hosts['bed-sysv'];
      expect(host).toMatchObject({
        status: 'ok',
        init: 'sysv',
        services: {
          'crm-db': { manager: 'sysv', active: 'active' },
          'crm-app': { manager: 'sysv', active: 'inactive' },
          [HUNG]: { manager: 'sysv', active: 'unknown', detail: expect.stringMatching(/status timed out/) },
          'rs-zz-missing': { active: 'not-found' },
        },
      });
    }
    // Each run asked it twice (in the batch, then on its own), and both were ended on the host.
    expect((await onHost('bed-sysv', `wc -l < ${MARK}`)).trim()).toBe('4');
    expect(await onHost('bed-sysv', `pgrep -f 'sleep 10000[1]' || echo none`)).toContain('none');
  });
});
