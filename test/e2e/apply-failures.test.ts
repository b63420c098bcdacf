import { expect, it } from 'vitest';
import {
  allEvents,
  auditOf,
  BED_INVENTORY,
  crmPort,
  describeBed,
  events,
  freshStateHome,
  inventoryWith,
  onHost,
  playbookOf,
  resetBed,
  runstate,
  spawnRunstate,
  waitFor,
} from './helpers/bed.js';

const INV = BED_INVENTORY;

const lockOwner = (host: Parameters<typeof onHost>[0]) =>
  onHost(host, 'test -e /run/runstate.lock && cat /run/runstate.lock/owner || true');

describeBed('runstate apply when things go wrong on real hosts', () => {
  it('a service that fails to start skips its dependents on another host; an independent one still starts', async () => {
    resetBed('bed-sysv', 'bed-openrc', 'bed-supervisord');
    const pb = playbookOf({
      'bed-sysv': { services: { 'crm-broken': { state: 'running' } } },
      'bed-openrc': { services: { 'crm-proxy': { state: 'running', requires: ['bed-sysv:crm-broken'] } } },
      'bed-supervisord': { services: { 'crm-main': { state: 'running' } } },
    });
    const state = freshStateHome();
    const r = await runstate(['apply', '-i', INV, pb, '--yes'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAILED\s+start crm-broken: `\/etc\/init\.d\/crm-broken start` exited 1/);
    expect(r.stdout).toMatch(/\| crm-broken: configuration invalid/); // the command's stderr tail
    expect(r.stdout).toMatch(
      /skipped\s+start crm-proxy \(because bed-sysv\/start\/crm-broken did not succeed\)/,
    );
    expect(r.stdout).toMatch(/ok\s+start crm-main/);
    expect(r.stdout).toMatch(/Summary: 1 ok, 1 failed, 1 skipped, 0 unreachable/);
    expect(await events('bed-openrc')).toEqual([]);
    expect((await events('bed-supervisord')).map((e) => `${e.service} ${e.what}`)).toEqual([
      'crm-main start',
    ]);
    const res = await fetch(`http://127.0.0.1:${crmPort('bed-supervisord', 'crm-main')}/health`);
    expect(await res.text()).toMatch(/^ok/);
    const audit = auditOf(r.stderr).entries;
    expect(audit.find((e) => e.argv.join(' ') === '/etc/init.d/crm-broken start')?.exit).toBe(1);
    expect(audit.some((e) => e.host === 'bed-openrc')).toBe(false);
  });

  it('a service that dies right after start is a failed step (systemd and SysV)', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-flaky': { state: 'running' } } },
      'bed-sysv': { services: { 'crm-flaky': { state: 'running' } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code).toBe(3);
    const failed = r.stdout.split('\n').filter((l) => /FAILED\s+start crm-flaky/.test(l));
    expect(failed).toHaveLength(2);
    for (const line of failed) expect(line).toMatch(/died right after start/);
    expect(r.stdout).toMatch(/Summary: 0 ok, 2 failed/);
  });

  it('a health gate that never passes blocks its dependents', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running', health: { tcp: 1, timeout: 3 } } } },
      'bed-sysv': { services: { 'crm-app': { state: 'running', requires: ['bed-systemd:crm-db'] } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/waiting for health gate tcp 127\.0\.0\.1:1 \(up to 3s\)/);
    expect(r.stdout).toMatch(/FAILED\s+start crm-db: health gate did not pass within 3s/);
    expect(r.stdout).toMatch(
      /skipped\s+start crm-app \(because bed-systemd\/start\/crm-db did not succeed\)/,
    );
    expect(await events('bed-sysv')).toEqual([]);
  });

  it('a passing tcp health gate lets the dependents start', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const port = crmPort('bed-systemd', 'crm-db');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running', health: { tcp: port, timeout: 10 } } } },
      'bed-sysv': { services: { 'crm-app': { state: 'running', requires: ['bed-systemd:crm-db'] } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stderr).toContain(`waiting for health gate tcp 127.0.0.1:${port}`);
    const starts = (await allEvents('bed-systemd', 'bed-sysv')).filter((e) => e.what === 'start');
    expect(starts.map((e) => e.service)).toEqual(['crm-db', 'crm-app']);
  });

  it('a passing http health gate lets the dependents start', async () => {
    resetBed('bed-sysv', 'bed-openrc');
    const url = `http://127.0.0.1:${crmPort('bed-sysv', 'crm-app')}/health`;
    const pb = playbookOf({
      'bed-sysv': { services: { 'crm-app': { state: 'running', health: { http: url, timeout: 5 } } } },
      'bed-openrc': { services: { 'crm-proxy': { state: 'running', requires: ['bed-sysv:crm-app'] } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(r.stdout).not.toMatch(/health gate did not pass/);
    expect(r.code, r.stdout).toBe(0);
    const starts = (await allEvents('bed-sysv', 'bed-openrc')).filter((e) => e.what === 'start');
    expect(starts.map((e) => e.service)).toEqual(['crm-app', 'crm-proxy']);
  });

  it('two applies on one host at once are serialised by the host lock', async () => {
    resetBed('bed-sysv');
    const a = playbookOf({
      'bed-sysv': { services: { 'crm-db': { state: 'running' }, 'crm-app': { state: 'running' } } },
    });
    const b = playbookOf({
      'bed-sysv': { services: { 'crm-proxy': { state: 'running' }, 'crm-main': { state: 'running' } } },
    });
    const [ra, rb] = await Promise.all([
      runstate(['apply', '-i', INV, a, '--yes'], { env: { XDG_STATE_HOME: freshStateHome() } }),
      runstate(['apply', '-i', INV, b, '--yes'], { env: { XDG_STATE_HOME: freshStateHome() } }),
    ]);
    expect(ra.code, ra.stdout + ra.stderr).toBe(0);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    const runs = [auditOf(ra.stderr).entries, auditOf(rb.stderr).entries];
    for (const run of runs) expect(run).toHaveLength(2);
    // One run's commands all ended before the other's first began.
    const span = (run: (typeof runs)[number]) => ({
      from: Math.min(...run.map((e) => Date.parse(e.started))),
      to: Math.max(...run.map((e) => Date.parse(e.ended))),
    });
    const [first, second] = runs.map(span).sort((x, y) => x.from - y.from);
    expect(first?.to).toBeLessThanOrEqual(second?.from ?? 0);
    // The services' own logs agree: one pair started, then the other.
    const started = (await events('bed-sysv')).filter((e) => e.what === 'start').map((e) => e.service);
    expect(started).toHaveLength(4);
    const pairs = [started.slice(0, 2).sort(), started.slice(2).sort()].map((p) => p.join(' '));
    expect(pairs.sort()).toEqual(['crm-app crm-db', 'crm-main crm-proxy']);
    expect(await lockOwner('bed-sysv')).toBe('');
  });

  it('--lock-timeout 0 fails the locked host (naming the holder) and leaves its lock alone', async () => {
    resetBed('bed-sysv', 'bed-systemd');
    await onHost('bed-sysv', 'mkdir /run/runstate.lock && echo someone-else > /run/runstate.lock/owner');
    try {
      const pb = playbookOf({
        'bed-sysv': { services: { 'crm-app': { state: 'running' } } },
        'bed-systemd': { services: { 'crm-db': { state: 'running' } } },
      });
      const r = await runstate(['apply', '-i', INV, pb, '--yes', '--lock-timeout', '0']);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/start crm-app: another apply holds the lock on bed-sysv \(someone-else/);
      expect(r.stdout).toMatch(/ok\s+start crm-db/);
      expect(await events('bed-sysv')).toEqual([]);
      expect((await lockOwner('bed-sysv')).trim()).toBe('someone-else');
      expect(await lockOwner('bed-systemd')).toBe('');
    } finally {
      await onHost('bed-sysv', 'rm -rf /run/runstate.lock');
    }
  });

  it('SIGTERM: running steps finish, no new step starts, exit 3, locks released', async () => {
    resetBed();
    const run = spawnRunstate(['apply', '-i', INV, 'examples/bed/playbook.yml', '--yes']);
    await waitFor('the start of crm-db', () => run.output().stderr.includes('bed-systemd: start crm-db …'));
    run.child.kill('SIGTERM');
    const r = await run.result;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/interrupted: no new steps will start/);
    expect(r.stdout).toMatch(/ok\s+start crm-db/);
    // Enables go in wave 1 beside the database start; crm-app's start (wave 2) must not begin.
    expect(r.stdout).toMatch(/not started\s+start crm-app: interrupted before it began/);
    expect(r.stdout).toMatch(/not started \(interrupted\)/);
    expect((await allEvents('bed-sysv', 'bed-openrc', 'bed-supervisord')).length).toBe(0);
    for (const h of ['bed-systemd', 'bed-sysv', 'bed-openrc', 'bed-supervisord'] as const)
      expect(await lockOwner(h)).toBe('');
  });

  it('an unreachable host fails its own steps and skips what depends on them, nothing else', async () => {
    resetBed('bed-systemd', 'bed-openrc', 'bed-supervisord');
    const inv = inventoryWith((t) => t.replace('ansible_port: 2222', 'ansible_port: 2299'));
    const r = await runstate([
      'apply',
      '-i',
      inv,
      'examples/bed/playbook.yml',
      '--yes',
      '--connect-timeout',
      '5',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unreachable: bed-sysv: .*refused/);
    expect(r.stdout).toMatch(/ok\s+start crm-db/);
    // crm-proxy requires crm-app on the unreachable host, crm-main requires crm-proxy: neither may start.
    expect(await events('bed-openrc')).toEqual([]);
    expect(await events('bed-supervisord')).toEqual([]);
    expect(r.stdout).toMatch(/skipped\s+start crm-proxy/);
    expect(r.stdout).toMatch(/skipped\s+start crm-main/);
  });
});
