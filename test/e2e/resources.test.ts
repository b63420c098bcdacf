import { afterAll, beforeAll, expect, it } from 'vitest';
import { BED_INVENTORY, describeBed, onHost, runstate, tempPlaybook } from './helpers/bed.js';

/*
 * Thresholds breached by real things on a bed host: a 4 MiB tmpfs this test mounts on bed-systemd
 * and fills to ~95 %, and a transient unit that holds ~40 MB in a shell variable against a 16M
 * limit. Both are undone in afterAll. Breaches are drift (field `resource`), never plan steps.
 */
const MOUNT = '/mnt/runstate-fill';
const HOG = 'runstate-hog';

describeBed('resource health', () => {
  beforeAll(async () => {
    await onHost(
      'bed-systemd',
      [
        `mkdir -p ${MOUNT}`,
        `mount -t tmpfs -o size=4m runstate-fill ${MOUNT}`,
        `dd if=/dev/zero of=${MOUNT}/blob bs=1k count=3900 2>/dev/null`,
        `systemd-run --quiet --unit=${HOG} sh -c 'x=$(head -c 40000000 /dev/zero | tr "\\000" a); sleep 3600'`,
        // Until the variable is filled (the shell's RSS passes 30 MB), the hog is not yet a hog.
        `for i in $(seq 1 60); do p=$(systemctl show -p MainPID --value ${HOG}); r=$(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null); [ "\${r:-0}" -gt 30000 ] && break; sleep 1; done`,
      ].join(' && '),
    );
  }, 120_000);

  afterAll(async () => {
    await onHost('bed-systemd', `systemctl stop ${HOG} 2>/dev/null; umount ${MOUNT}; rmdir ${MOUNT}; true`);
  }, 60_000);

  const playbook = () =>
    tempPlaybook(`version: 1
hosts:
  bed-systemd:
    resources:
      disk: { "${MOUNT}": 90%, "/": 99% }
      load: 1000
    services:
      ${HOG}: { state: running, limits: { memory: 16M } }
      ssh: { state: running, limits: { memory: 1G } }
`);

  it('reports a full disk and a service over its memory limit as drift in every format, and plans nothing', async () => {
    const pb = playbook();
    const json = await runstate([
      'drift',
      '-i',
      BED_INVENTORY,
      pb,
      '--limit',
      'bed-systemd',
      '--format',
      'json',
    ]);
    expect(json.code).toBe(2);
    type Item = { service?: string; field: string; resource?: string; inSync: boolean; observed: string };
    const items = (JSON.parse(json.stdout) as { hosts: Record<string, { items: Item[] }> }).hosts[
      'bed-systemd'
    ]?.items as Item[];
    const resources = items.filter((i) => i.field === 'resource');
    expect(resources.map((i) => [i.service ?? '(host)', i.resource, i.inSync])).toEqual([
      ['(host)', 'disk /', true],
      ['(host)', `disk ${MOUNT}`, false],
      ['(host)', 'load', true],
      [HOG, 'memory', false],
      ['ssh', 'memory', true],
    ]);
    expect(resources[1]?.observed).toMatch(/^9\d(\.\d)?% of 4\.0 MiB$/);
    expect(resources[3]?.observed).toMatch(/MiB \(cgroup\)$/);

    const text = await runstate(['drift', '-i', BED_INVENTORY, pb, '--limit', 'bed-systemd']);
    expect(text.stdout).toContain(`resource disk ${MOUNT}`);
    expect(text.stdout).toMatch(
      new RegExp(`${HOG} resource memory\\s+observed [\\d.]+ MiB \\(cgroup\\), want at most 16.0 MiB`),
    );
    const md = await runstate([
      'drift',
      '-i',
      BED_INVENTORY,
      pb,
      '--limit',
      'bed-systemd',
      '--format',
      'markdown',
    ]);
    expect(md.stdout).toContain(`| ${HOG} | resource memory | at most 16.0 MiB |`);
    const junit = await runstate([
      'drift',
      '-i',
      BED_INVENTORY,
      pb,
      '--limit',
      'bed-systemd',
      '--format',
      'junit',
    ]);
    expect(junit.stdout).toContain(`name="resource disk ${MOUNT}" classname="bed-systemd.resource"`);
    expect(junit.stdout).toMatch(/failures="2"/);

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

  it('facts --resources prints load, memory, disks and per-service use', async () => {
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
    expect(facts.stdout).toMatch(/load average [\d.]+ [\d.]+ [\d.]+/);
    expect(facts.stdout).toMatch(/memory used [\d.]+% of [\d.]+ GiB, swap/);
    expect(facts.stdout).toMatch(new RegExp(`disk ${MOUNT} used 9\\d`));
    expect(facts.stdout).toMatch(new RegExp(`${HOG} memory [\\d.]+ MiB, CPU [\\d.]+ s \\(cgroup\\)`));
  }, 300_000);
});
