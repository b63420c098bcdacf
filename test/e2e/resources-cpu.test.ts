import { afterAll, beforeAll, expect, it } from 'vitest';
import { BED_INVENTORY, describeBed, onHost, runstate, tempPlaybook } from './helpers/bed.js';

/*
 * A CPU limit breached by a real process on a bed host: a transient unit on bed-systemd running two
 * busy loops (up to two cores) against `cpu: 5%`, beside ssh (idle) against `cpu: 50%`. The machine
 * is shared, so the hog may get far less than two cores; 5% of one core is what it needs to breach.
 * Stopped in afterAll. A breach is drift (field `resource`), never a plan step.
 */
const HOG = 'runstate-cpuhog';

describeBed('CPU limits', () => {
  beforeAll(async () => {
    await onHost(
      'bed-systemd',
      `systemctl stop ${HOG} 2>/dev/null; systemd-run --quiet --unit=${HOG} sh -c 'while :; do :; done & while :; do :; done'`,
    );
  }, 120_000);

  afterAll(async () => {
    await onHost('bed-systemd', `systemctl stop ${HOG} 2>/dev/null; true`);
  }, 60_000);

  const playbook = () =>
    tempPlaybook(`version: 1
hosts:
  bed-systemd:
    services:
      ${HOG}: { state: running, limits: { cpu: 5% } }
      ssh: { state: running, limits: { cpu: 50%, memory: 1G } }
`);
  const drift = (pb: string, ...more: string[]) =>
    runstate(['drift', '-i', BED_INVENTORY, pb, '--limit', 'bed-systemd', ...more]);

  it('a busy service over its share is drift in every format; an idle one is in sync; nothing is planned', async () => {
    const pb = playbook();
    const json = await drift(pb, '--format', 'json');
    expect(json.code).toBe(2);
    type Item = { service?: string; field: string; resource?: string; inSync: boolean; observed: string };
    const items = (JSON.parse(json.stdout) as { hosts: Record<string, { items: Item[] }> }).hosts[
      'bed-systemd'
    ]?.items as Item[];
    const resources = items.filter((i) => i.field === 'resource');
    expect(resources.map((i) => [i.service, i.resource, i.inSync])).toEqual([
      [HOG, 'cpu', false],
      ['ssh', 'cpu', true],
      ['ssh', 'memory', true],
    ]);
    expect(resources[0]?.observed).toMatch(/^[\d.]+% of a core \(cgroup\)$/);
    expect(Number.parseFloat(resources[0]?.observed ?? '')).toBeGreaterThan(5);
    expect(items.filter((i) => !i.inSync).map((i) => `${i.service} ${i.field}`)).toEqual([`${HOG} resource`]);

    // A second look, in the other formats: the same breach.
    const text = await drift(pb);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(
      new RegExp(
        `${HOG} resource cpu\\s+observed [\\d.]+% of a core \\(cgroup\\), want at most 5% of a core`,
      ),
    );
    const md = await drift(pb, '--format', 'markdown');
    expect(md.stdout).toContain(`| ${HOG} | resource cpu | at most 5% of a core |`);
    const junit = await drift(pb, '--format', 'junit');
    expect(junit.stdout).toContain(`name="${HOG} resource cpu"`);
    expect(junit.stdout).toMatch(/failures="1"/);

    const plan = await runstate([
      'plan',
      '-i',
      BED_INVENTORY,
      pb,
      '--limit',
      'bed-systemd',
      '--format',
      'json',
    ]);
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { steps: unknown[] }).steps).toEqual([]);
  }, 300_000);

  it('facts --resources shows the rate beside the CPU time for a service with a cpu limit', async () => {
    const facts = await runstate([
      'facts',
      '-i',
      BED_INVENTORY,
      playbook(),
      '--limit',
      'bed-systemd',
      '--resources',
    ]);
    expect(facts.code).toBe(0);
    expect(facts.stdout).toMatch(
      new RegExp(`${HOG} memory [\\d.]+ \\w+, CPU [\\d.]+ s, [\\d.]+% of a core now \\(cgroup\\)`),
    );
  }, 300_000);
});
