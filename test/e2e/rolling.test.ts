import { expect, it } from 'vitest';
import {
  BED_HOSTS,
  BED_INVENTORY,
  type BedEvent,
  type BedHostName,
  crmPort,
  describeBed,
  events,
  resetBed,
  runstate,
  tempPlaybook,
} from './helpers/bed.js';

const INV = BED_INVENTORY;
const HOSTS = BED_HOSTS.map((h) => h.name);

/**
 * crm-app on all four bed hosts (four init systems), rolled as one group (`all`), each host with
 * its own TCP gate; `gateOf` may point one host's gate at a port where nothing listens.
 */
function rollingPlaybook(
  maxDown: number | string,
  gateOf: (h: BedHostName) => number = (h) => crmPort(h, 'crm-app'),
) {
  const doc = {
    version: 1,
    hosts: {
      all: { services: { 'crm-app': { state: 'running', rolling: { max_down: maxDown, pause: '1s' } } } },
      ...Object.fromEntries(
        HOSTS.map((h) => [
          h,
          { services: { 'crm-app': { state: 'running', health: { tcp: gateOf(h), timeout: 5 } } } },
        ]),
      ),
    },
  };
  return tempPlaybook(`${JSON.stringify(doc, null, 2)}\n`);
}

/** The services' own start records (each appends `<epoch-ns> crm-app start` itself), after `since`. */
async function startsSince(since: Map<BedHostName, number>): Promise<Map<BedHostName, bigint[]>> {
  const out = new Map<BedHostName, bigint[]>();
  for (const h of HOSTS) {
    const all: BedEvent[] = await events(h);
    const later = all.slice(since.get(h) ?? 0).filter((e) => e.service === 'crm-app' && e.what === 'start');
    out.set(
      h,
      later.map((e) => e.ns),
    );
  }
  return out;
}

async function eventCounts(): Promise<Map<BedHostName, number>> {
  return new Map(await Promise.all(HOSTS.map(async (h) => [h, (await events(h)).length] as const)));
}

// biome-ignore lint/complexity/useMathMinMax: bigints (epoch ns), which Math.max cannot take
const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
// biome-ignore lint/complexity/useMathMinMax: bigints (epoch ns), which Math.min cannot take
const min = (xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));

describeBed('rolling restarts across the bed', () => {
  it('restarts all:crm-app two hosts at a time: the services own start times show the batches', async () => {
    resetBed(...HOSTS);
    const pb = rollingPlaybook('50%');
    const up = await runstate(['apply', '-i', INV, pb, '--yes']);
    expect(up.code, up.stderr).toBe(0);
    // apply of a rolling service goes in batches too
    expect(up.stdout).toContain('all:crm-app  batch 1 of 2: bed-openrc, bed-supervisord — then 1s pause');

    const dry = await runstate(['restart', 'all:crm-app', '-i', INV, pb, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('all:crm-app  batch 1 of 2: bed-openrc, bed-supervisord — then 1s pause');
    expect(dry.stdout).toContain('all:crm-app  batch 2 of 2: bed-systemd, bed-sysv');

    const before = await eventCounts();
    const roll = await runstate(['restart', 'all:crm-app', '-i', INV, pb, '--yes']);
    expect(roll.code, roll.stdout + roll.stderr).toBe(0);
    const starts = await startsSince(before);
    for (const h of HOSTS) expect(starts.get(h), h).toHaveLength(1);
    const first = ['bed-openrc', 'bed-supervisord'].flatMap((h) => starts.get(h as BedHostName) ?? []);
    const second = ['bed-systemd', 'bed-sysv'].flatMap((h) => starts.get(h as BedHostName) ?? []);
    expect(min(second) > max(first)).toBe(true);

    // Second run of the same roll: the same batches again, still converged afterwards.
    const again = await runstate(['restart', 'all:crm-app', '-i', INV, pb, '--yes']);
    expect(again.code).toBe(0);
    expect((await runstate(['plan', '-i', INV, pb, '--detailed-exitcode'])).code).toBe(0);
  });

  it('stops the roll at a failing gate and leaves the later hosts untouched', async () => {
    resetBed(...HOSTS);
    const good = rollingPlaybook(1);
    expect((await runstate(['apply', '-i', INV, good, '--yes'])).code).toBe(0);
    // bed-openrc comes first in the roll; its gate points where nothing listens.
    const bad = rollingPlaybook(1, (h) => (h === 'bed-openrc' ? 18999 : crmPort(h, 'crm-app')));
    const before = await eventCounts();
    const roll = await runstate(['restart', 'all:crm-app', '-i', INV, bad, '--yes']);
    expect(roll.code).toBe(3);
    expect(roll.stdout).toMatch(/FAILED\s+restart crm-app: health gate did not pass within 5s/);
    expect(roll.stderr).toContain(
      'the roll stopped: 3 host(s) not restarted (bed-supervisord, bed-systemd, bed-sysv)',
    );
    const starts = await startsSince(before);
    expect(starts.get('bed-openrc')).toHaveLength(1);
    for (const h of ['bed-supervisord', 'bed-systemd', 'bed-sysv'] as const)
      expect(starts.get(h), h).toEqual([]);

    // --max-failures 1 tolerates that host and rolls on.
    const tolerant = await runstate([
      'restart',
      'all:crm-app',
      '-i',
      INV,
      bad,
      '--yes',
      '--max-failures',
      '1',
    ]);
    expect(tolerant.code).toBe(3);
    const later = await startsSince(before);
    for (const h of ['bed-supervisord', 'bed-systemd', 'bed-sysv'] as const)
      expect(later.get(h), h).toHaveLength(1);
    resetBed(...HOSTS);
  });

  it('refuses a bad rolling: at file:line and touches nothing', async () => {
    const pb = tempPlaybook(
      'version: 1\nhosts:\n  all:\n    services:\n      crm-app:\n        state: running\n        rolling: { max_down: "150%" }\n',
    );
    const r = await runstate(['validate', '-i', INV, pb]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/playbook\.yml:7:\d+.*max_down is a whole number of hosts/);
  });
});
