import { afterAll, expect, it } from 'vitest';
import {
  allEvents,
  auditOf,
  BED_HOSTS,
  BED_INVENTORY,
  type BedHostName,
  crmPort,
  describeBed,
  events,
  factsJson,
  freshStateHome,
  onHost,
  playbookOf,
  resetBed,
  restoreRunlevels,
  runstate,
  waitFor,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
const CRM = 'examples/bed/playbook.yml';
const ALL = BED_HOSTS.map((h) => h.name);
/** Where examples/bed/playbook.yml puts each CRM service, in the order it must start. */
const STACK: [BedHostName, string][] = [
  ['bed-systemd', 'crm-db'],
  ['bed-sysv', 'crm-app'],
  ['bed-openrc', 'crm-proxy'],
  ['bed-supervisord', 'crm-main'],
];

interface Facts {
  hosts: Record<string, { services: Record<string, { active: string; enabled: string }> }>;
}

async function health(host: BedHostName, service: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${crmPort(host, service)}/health`);
  return (await res.text()).trim();
}

describeBed('runstate apply on real hosts', () => {
  afterAll(() => restoreRunlevels());

  it('CRM stack: starts in dependency order across the four init systems, then has nothing to do, then stops in reverse', async () => {
    resetBed();
    const up = await runstate(['apply', '-i', INV, CRM, '--yes']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Summary: 7 ok, 0 failed, 0 skipped, 0 unreachable/);

    // The order the services really started in, from their own logs (one clock for all hosts).
    const starts = (await allEvents(...ALL)).filter((e) => e.what === 'start');
    expect(starts.map((e) => `${e.host}:${e.service}`)).toEqual(STACK.map(([h, s]) => `${h}:${s}`));
    for (const [host, service] of STACK) expect(await health(host, service)).toBe('ok');
    const facts = (await factsJson(CRM)) as Facts;
    for (const [host, service] of STACK) expect(facts.hosts[host]?.services[service]?.active).toBe('active');
    for (const [host, service] of STACK.slice(0, 3))
      expect(facts.hosts[host]?.services[service]?.enabled).toBe('enabled');

    // Idempotence on every init system: the same playbook again changes nothing, touches nothing.
    const again = await runstate(['apply', '-i', INV, CRM, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(again.stdout).toContain('0 changes');
    expect((await allEvents(...ALL)).filter((e) => e.what === 'start')).toHaveLength(4);

    const stop = playbookOf(
      Object.fromEntries(
        STACK.map(([host, service], i) => {
          const prev = STACK[i - 1];
          const requires = prev ? [`${prev[0]}:${prev[1]}`] : [];
          return [host, { services: { [service]: { state: 'stopped' as const, requires } } }];
        }),
      ),
    );
    const down = await runstate(['apply', '-i', INV, stop, '--yes']);
    expect(down.code, down.stderr).toBe(0);
    const stops = (await allEvents(...ALL)).filter((e) => e.what === 'stop');
    expect(stops.map((e) => `${e.host}:${e.service}`)).toEqual(
      [...STACK].reverse().map(([h, s]) => `${h}:${s}`),
    );
    const lastStart = starts.at(-1)?.ns ?? 0n;
    expect(stops.every((e) => e.ns > lastStart)).toBe(true);

    const stoppedAgain = await runstate(['apply', '-i', INV, stop, '--yes']);
    expect(stoppedAgain.code, stoppedAgain.stderr).toBe(0);
    expect(stoppedAgain.stdout).toContain('0 changes');
  });

  it('--dry-run lists the exact commands in order and changes nothing', async () => {
    resetBed();
    const before = await factsJson(CRM);
    const r = await runstate(['apply', '-i', INV, CRM, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    // Wave 1 holds every enable (they wait for nothing) and the database start, listed by host;
    // then the tiers: app, network, main.
    const expected = [
      'bed-openrc: rc-update add crm-proxy default',
      'bed-systemd: systemctl enable -- crm-db.service',
      'bed-systemd: systemctl start -- crm-db.service',
      'bed-sysv: update-rc.d crm-app defaults',
      'bed-sysv: update-rc.d crm-app enable',
      'bed-sysv: /etc/init.d/crm-app start',
      'bed-openrc: rc-service crm-proxy start',
      'bed-supervisord: supervisorctl start crm-main',
    ];
    const at = expected.map((line) => r.stdout.indexOf(line));
    expect(
      at.every((i) => i >= 0),
      r.stdout,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toMatch(/Dry run: 7 step\(s\) would run; nothing was changed/);
    expect(r.stderr).not.toMatch(/audit log:/);
    expect(await factsJson(CRM)).toEqual(before);
    expect(await allEvents(...ALL)).toEqual([]);
  });

  it('without a terminal and without --yes it refuses (exit 1) and changes nothing', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running', enabled: true } } },
      'bed-sysv': { services: { 'crm-app': { state: 'running' } } },
    });
    const before = await factsJson(pb);
    const r = await runstate(['apply', '-i', INV, pb]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no terminal.*--yes/);
    expect(r.stdout).toMatch(/Plan: 3 changes/);
    expect(await factsJson(pb)).toEqual(before);
    expect(await allEvents('bed-systemd', 'bed-sysv')).toEqual([]);
  });

  it('refuses a saved plan when a host changed since (exit 1, names host and change, touches nothing)', async () => {
    resetBed();
    const dir = freshStateHome();
    const plan = `${dir}/plan.json`;
    const p = await runstate(['plan', '-i', INV, CRM, '--out', plan]);
    expect(p.code, p.stderr).toBe(0);
    await onHost('bed-sysv', '/etc/init.d/crm-app start');
    const eventsBefore = await allEvents(...ALL);
    const factsBefore = await factsJson(CRM);

    const r = await runstate(['apply', '-i', INV, '--plan', plan, '--yes'], { env: { XDG_STATE_HOME: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is stale/);
    expect(r.stderr).toContain('changed on bed-sysv: crm-app active: inactive → active');
    expect(r.stderr).not.toMatch(/changed on bed-(systemd|openrc|supervisord)/);
    expect(r.stderr).toMatch(/nothing was changed on any host/);
    expect(await allEvents(...ALL)).toEqual(eventsBefore);
    expect(await factsJson(CRM)).toEqual(factsBefore);
    for (const h of ALL) expect(await onHost(h, 'test -e /run/runstate.lock && echo held || true')).toBe('');
  });

  it('applies a saved plan exactly when nothing changed in between', async () => {
    resetBed('bed-systemd', 'bed-openrc');
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running' } } },
      'bed-openrc': { services: { 'crm-proxy': { state: 'running', requires: ['bed-systemd:crm-db'] } } },
    });
    const plan = `${freshStateHome()}/plan.json`;
    const p = await runstate(['plan', '-i', INV, pb, '--out', plan]);
    expect(p.code, p.stderr).toBe(0);
    const r = await runstate(['apply', '-i', INV, '--plan', plan, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Summary: 2 ok, 0 failed/);
    const starts = (await allEvents('bed-systemd', 'bed-openrc')).filter((e) => e.what === 'start');
    expect(starts.map((e) => e.service)).toEqual(['crm-db', 'crm-proxy']);
    const after = await runstate(['plan', '-i', INV, pb, '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
  });

  it('writes one audit line per executed command: host, user, argv, times, exit code', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    const state = freshStateHome();
    const pb = playbookOf({
      'bed-systemd': { services: { 'crm-db': { state: 'running', enabled: true } } },
      'bed-sysv': { services: { 'crm-app': { state: 'running' } } },
    });
    const r = await runstate(['apply', '-i', INV, pb, '--yes'], { env: { XDG_STATE_HOME: state } });
    expect(r.code, r.stderr).toBe(0);
    const { path, entries } = auditOf(r.stderr);
    expect(path).toBe(`${state}/runstate/audit.jsonl`);
    expect(entries.map((e) => `${e.host} ${e.argv.join(' ')}`).sort()).toEqual([
      'bed-systemd systemctl enable -- crm-db.service',
      'bed-systemd systemctl start -- crm-db.service',
      'bed-sysv /etc/init.d/crm-app start',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ user: 'root', exit: 0, timedOut: false });
      expect(Date.parse(e.started)).toBeLessThanOrEqual(Date.parse(e.ended));
      expect(e.step).toContain(e.host);
    }
    expect(new Set(entries.map((e) => e.run)).size).toBe(1);
    // A run that changes nothing executes nothing, so it adds no line.
    const again = await runstate(['apply', '-i', INV, pb, '--yes'], { env: { XDG_STATE_HOME: state } });
    expect(again.code).toBe(0);
    expect(auditOf(r.stderr).entries).toHaveLength(3);
  });

  it('switches the SysV runlevel and the systemd target (current and boot default)', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    try {
      const sysv = playbookOf({ 'bed-sysv': { runlevel: 3 } });
      const r = await runstate(['apply', '-i', INV, sysv, '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/set-runlevel\s+3/);
      await waitFor('runlevel 3 on bed-sysv', async () =>
        /\b3$/.test((await onHost('bed-sysv', 'runlevel')).trim()),
      );
      const sysvAgain = await runstate(['apply', '-i', INV, sysv, '--yes']);
      expect(sysvAgain.stdout).toContain('0 changes');

      const systemd = playbookOf({ 'bed-systemd': { runlevel: 'multi-user.target' } });
      const s = await runstate(['apply', '-i', INV, systemd, '--yes']);
      expect(s.code, s.stderr).toBe(0);
      expect((await onHost('bed-systemd', 'systemctl get-default')).trim()).toBe('multi-user.target');
      expect(
        (await onHost('bed-systemd', 'systemctl is-active multi-user.target graphical.target || true'))
          .trim()
          .split('\n'),
      ).toEqual(['active', 'inactive']);
      const systemdAgain = await runstate(['apply', '-i', INV, systemd, '--yes']);
      expect(systemdAgain.code).toBe(0);
      expect(systemdAgain.stdout).toContain('0 changes');
      expect(await events('bed-systemd')).toEqual([]);
    } finally {
      await restoreRunlevels();
    }
  });
});
