import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  auditOf,
  BED_DIR,
  BED_INVENTORY,
  describeBed,
  freshStateHome,
  onHost,
  resetBed,
  runstate,
  spawnRunstate,
  tempPlaybook,
  waitFor,
} from './helpers/bed.js';
import { freePort } from './helpers/sshd.js';

/*
 * Faults of a host's own sshd and init scripts (issue 9). The bed's sshds are never touched: each
 * test starts a SECOND sshd inside bed-sysv (the containers share this machine's network, so it
 * listens on a free loopback port) and reaches bed-sysv through it under another inventory name.
 * Killing or stalling that second sshd is a real sshd dying or hanging; the bed stays as it was.
 */
const PIDFILE = '/run/rs-fault-sshd.pid';
const SLOW = 'rs-slowstart'; // start writes a marker, then takes 8 s before the daemon runs
const HANG = 'rs-hang'; // start never returns

/** A SysV init script: LSB status codes from a pid file, like the bed's own services. */
function initScript(name: string, start: string): string {
  return [
    '#!/bin/sh',
    `PIDFILE=/run/${name}.pid`,
    'case "$1" in',
    `  start) ${start}`,
    '    start-stop-daemon --start --quiet --oknodo --background --make-pidfile --pidfile "$PIDFILE" --exec /bin/sleep -- 100000 ;;',
    '  stop) [ -f "$PIDFILE" ] && start-stop-daemon --stop --quiet --pidfile "$PIDFILE" --remove-pidfile --retry TERM/2/KILL/1; rm -f "$PIDFILE" ;;',
    '  status) [ -f "$PIDFILE" ] || exit 3; start-stop-daemon --status --pidfile "$PIDFILE" ;;',
    '  *) echo "usage: $0 start|stop|status"; exit 2 ;;',
    'esac',
    '',
  ].join('\n');
}

const install = (name: string, start: string) =>
  `cat > /etc/init.d/${name} <<'EOF'\n${initScript(name, start)}EOF\nchmod 755 /etc/init.d/${name}`;

/** Starts the second sshd in bed-sysv on `port` (extra `-o` options, e.g. a ForceCommand). */
function startSecondSshd(port: number, ...options: string[]): Promise<string> {
  const extra = options.map((o) => `-o '${o}'`).join(' ');
  return onHost('bed-sysv', `/usr/sbin/sshd -p ${port} -o PidFile=${PIDFILE} ${extra}`);
}

/** Kills the second sshd and every session it serves (the per-connection sshd processes). */
const killSecondSshd = () =>
  onHost(
    'bed-sysv',
    `[ -f ${PIDFILE} ] || exit 0; L=$(cat ${PIDFILE}); C=$(pgrep -P "$L" -x sshd || true); ` +
      `G=$(for c in $C; do pgrep -P "$c" -x sshd || true; done); kill -9 $L $C $G 2>/dev/null; rm -f ${PIDFILE}; true`,
  );

/** An inventory with bed-systemd as it is and bed-sysv reached as `name` through `port`. */
function inventoryThrough(name: string, port: number): string {
  const dir = freshStateHome();
  const bedKnown = readFileSync(join(BED_DIR, 'known_hosts'), 'utf8');
  const sysvKey = bedKnown
    .split('\n')
    .find((l) => l.startsWith('[127.0.0.1]:2222 '))
    ?.split(' ')
    .slice(1)
    .join(' ');
  if (!sysvKey) throw new Error('bed known_hosts has no [127.0.0.1]:2222 line');
  const known = join(dir, 'known_hosts');
  writeFileSync(known, `${bedKnown.trimEnd()}\n[127.0.0.1]:${port} ${sysvKey}\n`);
  const file = join(dir, 'inventory.yml');
  writeFileSync(
    file,
    [
      'all:',
      '  vars:',
      '    ansible_user: root',
      `    ansible_ssh_private_key_file: ${JSON.stringify(join(BED_DIR, 'id_ed25519'))}`,
      `    runstate_known_hosts: ${JSON.stringify(known)}`,
      '  hosts:',
      '    bed-systemd: { ansible_host: 127.0.0.1, ansible_port: 2221 }',
      `    ${name}: { ansible_host: 127.0.0.1, ansible_port: ${port}, runstate_init: sysv }`,
      '',
    ].join('\n'),
  );
  return file;
}

describeBed('faults of a host sshd and init scripts', () => {
  beforeAll(async () => {
    await onHost(
      'bed-sysv',
      [install(SLOW, `touch /run/${SLOW}.begun; sleep 8`), install(HANG, 'sleep 100000')].join('\n'),
    );
  });
  afterAll(async () => {
    await killSecondSshd();
    await onHost(
      'bed-sysv',
      `for s in ${SLOW} ${HANG}; do /etc/init.d/$s stop >/dev/null 2>&1; rm -f /etc/init.d/$s /run/$s.pid /run/$s.begun; done; ` +
        `pkill -f 'sleep 10000[0]' || true; rm -rf /run/runstate.lock`,
    );
    resetBed('bed-systemd', 'bed-sysv');
  });

  it('an sshd that stalls after authentication: that host is unreachable once the observe bound (--observe-timeout) passes, the rest go on, exit 3', async () => {
    const port = await freePort();
    await startSecondSshd(port, 'ForceCommand=/bin/sleep 100000');
    try {
      const inv = inventoryThrough('stalled', port);
      const pb = tempPlaybook(
        'version: 1\nhosts:\n  bed-systemd:\n    services:\n      crm-db: { state: running }\n' +
          `  stalled:\n    services:\n      ${SLOW}: { state: running }\n`,
      );
      // The bound follows the flag (default 60 s, see test/unit/observe/bound.test.ts).
      const r = await runstate(['facts', '-i', inv, pb, '--connect-timeout', '5', '--observe-timeout', '5']);
      expect(r.code).toBe(3);
      const line = /stalled[^\n]*/.exec(`${r.stdout}\n${r.stderr}`)?.[0] ?? '';
      expect(line).toMatch(/unreachable: observing took over 5 s/);
      expect(r.stdout).toMatch(/bed-systemd/);
      expect(r.stdout).toMatch(/crm-db/);
    } finally {
      await killSecondSshd();
    }
  });

  it('sshd killed mid-apply: that host fails its running step and skips its dependent, the other host completes, the audit log is complete, a re-run converges', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const port = await freePort();
    await startSecondSshd(port);
    const inv = inventoryThrough('fault-sysv', port);
    const pb = tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  bed-systemd:',
        '    services:',
        '      crm-db: { state: running }',
        '      crm-app: { state: running }',
        '  fault-sysv:',
        '    services:',
        `      ${SLOW}: { state: running }`,
        `      crm-main: { state: running, requires: ["fault-sysv:${SLOW}"] }`,
        '',
      ].join('\n'),
    );
    const run = spawnRunstate(['apply', '-i', inv, pb, '--yes']);
    await waitFor(
      `the start of ${SLOW}`,
      async () => (await onHost('bed-sysv', `[ -e /run/${SLOW}.begun ] && echo yes || true`)).includes('yes'),
      120_000,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nrunstate so far:\n${run.output().stdout}\n${run.output().stderr}`);
    });
    await killSecondSshd();
    const r = await run.result;
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`FAILED\\s+start ${SLOW}: .* the connection to the host was lost`));
    expect(r.stdout).toMatch(/skipped\s+start crm-main/);
    expect(r.stdout).toMatch(/ok\s+start crm-db/);
    expect(r.stdout).toMatch(/ok\s+start crm-app/);
    // The audit log has the end of every command it started, the lost one included.
    const { entries } = auditOf(r.stderr);
    const lost = entries.find((e) => e.step === `fault-sysv/start/${SLOW}`);
    expect(lost).toBeDefined();
    expect(lost?.exit).toBeNull();
    expect(entries.filter((e) => e.host === 'bed-systemd' && e.exit === 0).length).toBeGreaterThanOrEqual(2);
    expect(entries.some((e) => e.step.endsWith('/crm-main'))).toBe(false);

    // sshd comes back; the lock the lost connection could not release is stale and is broken.
    // The lost session's script goes on without its connection: end it (its own command line must
    // not name it, or pkill ends itself), then put the service back.
    await onHost('bed-sysv', `pkill -f '/etc/init.d/rs-slowstar[t]' || true`);
    await onHost('bed-sysv', `/etc/init.d/${SLOW} stop >/dev/null 2>&1; rm -f /run/${SLOW}.begun; true`);
    await startSecondSshd(port);
    const again = await runstate(['apply', '-i', inv, pb, '--yes', '--break-lock']);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`ok\\s+start ${SLOW}`));
    expect(again.stdout).toMatch(/ok\s+start crm-main/);
    const third = await runstate(['apply', '-i', inv, pb, '--yes']);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('0 changes');
    await killSecondSshd();
  });

  it('an init script that hangs: its step fails on the command timeout, its dependent is skipped, an independent service still starts', async () => {
    resetBed('bed-sysv');
    await onHost('bed-sysv', 'rm -rf /run/runstate.lock'); // in case the test before failed mid-way
    const pb = tempPlaybook(
      [
        'version: 1',
        'hosts:',
        '  bed-sysv:',
        '    services:',
        `      ${HANG}: { state: running }`,
        `      crm-main: { state: running, requires: ["bed-sysv:${HANG}"] }`,
        '      crm-db: { state: running }',
        '',
      ].join('\n'),
    );
    const r = await runstate(['apply', '-i', BED_INVENTORY, pb, '--yes', '--command-timeout', '5']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`FAILED\\s+start ${HANG}[^\\n]*(timed out|timeout)`, 'i'));
    expect(r.stdout).toMatch(/skipped\s+start crm-main/);
    expect(r.stdout).toMatch(/ok\s+start crm-db/);
    // The hung script was killed on the host (timeout -s KILL), not left running.
    expect(await onHost('bed-sysv', `pgrep -f '/etc/init.d/rs-han[g]' || echo none`)).toContain('none');
  });
});
