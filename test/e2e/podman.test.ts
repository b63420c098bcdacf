import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runstate, tempPlaybook } from './helpers/bed.js';
import { importBusyboxImage, makeContainer, sshdInventory } from './helpers/containers.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

/*
 * manager: podman through the docker driver's code, against Debian's podman (rootful) on the machine
 * itself. Podman has no daemon: this test points its CLI at a store of its own (CONTAINERS_CONF and
 * CONTAINERS_STORAGE_CONF, also set for the sessions of a loopback sshd this test starts), so the
 * machine's own containers are never touched. The image is made offline from busybox-static.
 * On this kind of machine podman's default ulimits (nofile/nproc 1048576) exceed the hard limits and
 * runc refuses ("error setting rlimit type 7"), so the test's containers.conf sets 1024.
 */
const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => existsSync(p));
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const MISSING = !PODMAN
  ? 'no podman (apt-get install -y podman; scripts/setup.sh does it unless RUNSTATE_NO_DOCKER is set)'
  : !BUSYBOX
    ? 'no busybox for the offline test image (apt-get install -y busybox-static)'
    : undefined;
if (MISSING) console.warn(`SKIPPED e2e suite "podman": ${MISSING}`);

const dir = mkdtempSync(join(tmpdir(), 'runstate-podman-'));
const env = {
  CONTAINERS_CONF: join(dir, 'containers.conf'),
  CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
};
let sshd: TestSshd | undefined;
let inventory = '';
const CONTAINERS = ['web', 'worker', 'api', 'idle', 'late'];

function podman(...args: string[]): string {
  return execFileSync(PODMAN as string, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  }).trim();
}

function stateOf(name: string): string {
  return podman('inspect', '--format', '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}', name);
}

/** Podman 5.1 added `podman update --restart`; older ones cannot change a restart policy. */
function canUpdateRestart(): boolean {
  const [major = 0, minor = 0] = podman('version', '--format', '{{.Client.Version}}').split('.').map(Number);
  return major > 5 || (major === 5 && minor >= 1);
}

describe.skipIf(MISSING !== undefined)('containers as services (manager: podman, real podman)', () => {
  beforeAll(async () => {
    writeFileSync(
      env.CONTAINERS_CONF,
      [
        '[containers]',
        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        '',
      ].join('\n'),
    );
    writeFileSync(
      env.CONTAINERS_STORAGE_CONF,
      `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'run')}"\n`,
    );
    importBusyboxImage(PODMAN as string, BUSYBOX as string, dir, ['sh', 'sleep', 'test', 'touch'], env);
    const make = (name: string, restart: string, up: boolean) => makeContainer(podman, name, restart, up);
    make('web', 'no', true); // running: in sync
    make('worker', 'no', false); // created, never started; its gate fails until /ready exists
    make('api', 'no', false); // requires worker
    make('idle', 'unless-stopped', true); // running, wanted stopped
    make('late', 'no', false); // the enable case
    sshd = await startSshd([
      `SetEnv CONTAINERS_CONF=${env.CONTAINERS_CONF} CONTAINERS_STORAGE_CONF=${env.CONTAINERS_STORAGE_CONF}`,
    ]);
    inventory = sshdInventory(dir, 'pod', sshd);
  }, 300_000);

  afterAll(async () => {
    try {
      podman('rm', '-f', '-t', '0', ...CONTAINERS);
      podman('system', 'reset', '-f');
    } catch {
      // nothing was made, or podman is gone; the directory goes below anyway
    }
    await sshd?.stop();
    // podman's conmon can still be writing into its run dir just after `system reset` returns
    // (a clean-clone CI run once got ENOTEMPTY here): let rmSync retry as Node offers it.
    // and its overlay driver can leave the store's own mount behind (EBUSY in a CI run): unmount
    // what is still mounted under this test's directory, deepest first, and nothing else.
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }, 120_000);

  const playbook = () =>
    tempPlaybook(`version: 1
hosts:
  pod:
    services:
      web: { state: running, manager: podman, tier: app }
      worker:
        state: running
        manager: podman
        tier: database
        health: { command: [podman, exec, worker, test, -f, /ready], timeout: 3 }
      api: { state: running, manager: podman, requires: [worker] }
      idle: { state: stopped, manager: podman }
      ghost: { state: running, manager: podman }
`);

  it('converges what exists, blocks the missing one, skips behind a failing gate; then heals and stays put', async () => {
    const pb = playbook();
    const first = await runstate(['apply', '-i', inventory, pb, '--yes']);
    expect(first.stdout + first.stderr).toMatch(/not found on pod \(podman\)/);
    expect(first.code).toBe(3);
    expect(stateOf('web')).toBe('running no');
    expect(stateOf('idle')).toMatch(/^(exited|stopped) unless-stopped$/);
    expect(stateOf('worker')).toBe('running no');
    expect(stateOf('api')).toBe('created no'); // api waits on worker's gate

    const drift = await runstate(['drift', '-i', inventory, pb, '--format', 'json']);
    expect(drift.code).toBe(2);
    const items = (
      JSON.parse(drift.stdout) as {
        hosts: { pod: { items: { service: string; field: string; inSync: boolean; manager?: string }[] } };
      }
    ).hosts.pod.items;
    expect(
      items
        .filter((i) => !i.inSync)
        .map((i) => `${i.service} ${i.field}`)
        .sort(),
    ).toEqual(['api state', 'ghost present', 'worker health']);
    expect(items.find((i) => i.service === 'web')?.manager).toBe('podman');

    podman('exec', 'worker', 'touch', '/ready');
    const second = await runstate(['apply', '-i', inventory, pb, '--yes']);
    expect(second.code).toBe(3); // ghost is still missing
    expect(stateOf('api')).toBe('running no');

    const plan = await runstate(['plan', '-i', inventory, pb, '--format', 'json']);
    const parsed = JSON.parse(plan.stdout) as { steps: unknown[]; blocked?: unknown };
    expect(parsed.steps).toEqual([]);
    expect(JSON.stringify(parsed.blocked)).toMatch(/ghost/);
  }, 600_000);

  it('enabled: true is `podman update --restart`; a podman without it fails the step in its own words', async () => {
    const pb = tempPlaybook(`version: 1
hosts:
  pod:
    services:
      late: { state: running, enabled: true, manager: podman }
`);
    const run = await runstate(['apply', '-i', inventory, pb, '--yes']);
    expect(run.stdout + run.stderr).toMatch(/podman update --restart unless-stopped late/);
    if (canUpdateRestart()) {
      expect(run.code).toBe(0);
      expect(stateOf('late')).toBe('running unless-stopped');
    } else {
      // Debian 12's podman 4.3: the enable fails, the start (independent of it) still runs.
      expect(run.code).toBe(3);
      expect(run.stdout + run.stderr).toMatch(/unknown flag: --restart/);
      expect(stateOf('late')).toBe('running no');
    }
  }, 300_000);

  it('facts shows containers only where a playbook names podman, with their restart policy', async () => {
    const facts = await runstate(['facts', '-i', inventory, playbook()]);
    expect(facts.stdout).toMatch(/web\s+active\s+disabled\s+podman \(running, restart policy no\)/);
    expect(facts.stdout).toMatch(/ghost\s+not-found/);
  }, 300_000);
});

/** Lazily unmounts every mount point under `root` (from /proc/self/mounts), deepest first. */
function unmountUnder(root: string): void {
  const points = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((point) => point === root || point.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) spawnSync('umount', ['-l', point], { stdio: 'ignore' });
}
