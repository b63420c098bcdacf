import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runstate, tempPlaybook } from './helpers/bed.js';
import { importBusyboxImage, makeContainer, sshdInventory } from './helpers/containers.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

/*
 * The docker driver against a real engine: Debian's docker.io, started by this test on the machine
 * itself (own data root, exec root and socket; no bridge, no iptables), reached over a loopback
 * sshd this test starts, whose sessions get DOCKER_HOST for that socket. The image is made offline
 * from busybox-static (`docker import`), so no registry is needed. Stopped by PID in afterAll.
 */
const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const MISSING = !DOCKERD
  ? 'no dockerd (apt-get install -y docker.io; scripts/setup.sh does it unless RUNSTATE_NO_DOCKER is set)'
  : !BUSYBOX
    ? 'no busybox for the offline test image (apt-get install -y busybox-static)'
    : undefined;
if (MISSING) console.warn(`SKIPPED e2e suite "containers": ${MISSING}`);

const dir = mkdtempSync(join(tmpdir(), 'runstate-docker-'));
const sock = join(dir, 'docker.sock');
let engine: ChildProcess | undefined;
let sshd: TestSshd | undefined;
let inventory = '';

function docker(...args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: `unix://${sock}` },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  }).trim();
}

function stateOf(name: string): string {
  return docker('inspect', '--format', '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}', name);
}

async function engineUp(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      docker('version', '--format', '{{.Server.Version}}');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error('dockerd did not answer on its socket');
}

describe.skipIf(MISSING !== undefined)('containers as services (docker driver, real engine)', () => {
  beforeAll(async () => {
    engine = spawn(
      DOCKERD as string,
      [
        '--data-root',
        join(dir, 'root'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        join(dir, 'docker.pid'),
        '-H',
        `unix://${sock}`,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdio: 'ignore' },
    );
    await engineUp();
    importBusyboxImage('docker', BUSYBOX as string, dir, ['sh', 'sleep', 'test', 'touch', 'false'], {
      DOCKER_HOST: `unix://${sock}`,
    });
    const run = (name: string, restart: string, up: boolean) => makeContainer(docker, name, restart, up);
    run('web', 'no', true); // running, restart policy no: enabled: true drifts
    run('worker', 'no', false); // created, never started; its gate fails until /ready exists
    run('api', 'no', false); // requires worker
    run('idle', 'unless-stopped', true); // running, wanted stopped and disabled
    sshd = await startSshd([`SetEnv DOCKER_HOST=unix://${sock}`]);
    inventory = sshdInventory(dir, 'dock', sshd);
  }, 180_000);

  afterAll(async () => {
    try {
      if (engine?.exitCode === null) docker('rm', '-f', 'web', 'worker', 'api', 'idle');
    } catch {
      // the engine may already be gone; its data root goes below anyway
    }
    await sshd?.stop();
    if (engine && engine.exitCode === null) {
      const exited = new Promise((r) => engine?.once('exit', r));
      engine.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const playbook = () =>
    tempPlaybook(`version: 1
hosts:
  dock:
    services:
      web: { state: running, enabled: true, manager: docker, tier: app }
      worker:
        state: running
        manager: docker
        tier: database
        health: { command: [docker, exec, worker, test, -f, /ready], timeout: 3 }
      api: { state: running, manager: docker, requires: [worker] }
      idle: { state: stopped, enabled: false, manager: docker }
      ghost: { state: running, manager: docker }
`);

  it('converges what exists, blocks the missing one, skips behind a failing gate; then heals and stays put', async () => {
    const pb = playbook();
    const first = await runstate(['apply', '-i', inventory, pb, '--yes']);
    expect(first.stdout + first.stderr).toMatch(/ghost/);
    expect(first.stdout + first.stderr).toMatch(/not found on dock \(docker\)/);
    expect(first.code).toBe(3);
    expect(stateOf('web')).toBe('running unless-stopped');
    expect(stateOf('idle')).toBe('exited no');
    expect(stateOf('worker')).toBe('running no');
    // api waits on worker's gate, which fails until /ready exists
    expect(stateOf('api')).toBe('created no');

    const drift = await runstate(['drift', '-i', inventory, pb, '--format', 'json']);
    expect(drift.code).toBe(2);
    const items = (
      JSON.parse(drift.stdout) as {
        hosts: { dock: { items: { service: string; field: string; inSync: boolean }[] } };
      }
    ).hosts.dock.items;
    expect(
      items
        .filter((i) => !i.inSync)
        .map((i) => `${i.service} ${i.field}`)
        .sort(),
    ).toEqual(['api state', 'ghost present', 'worker health']);

    docker('exec', 'worker', 'touch', '/ready');
    const second = await runstate(['apply', '-i', inventory, pb, '--yes']);
    expect(second.code).toBe(3); // ghost is still missing
    expect(stateOf('api')).toBe('running no');

    // A third look: nothing left to do but the container that does not exist.
    const plan = await runstate(['plan', '-i', inventory, pb, '--format', 'json']);
    const parsed = JSON.parse(plan.stdout) as { steps: unknown[]; blocked?: unknown };
    expect(parsed.steps).toEqual([]);
    expect(JSON.stringify(parsed.blocked)).toMatch(/ghost/);
  }, 600_000);

  it('facts shows containers only where a playbook names docker, with their restart policy', async () => {
    const pb = playbook();
    const facts = await runstate(['facts', '-i', inventory, pb]);
    expect(facts.stdout).toMatch(
      /web\s+active\s+enabled\s+docker \(running, restart policy unless-stopped\)/,
    );
    expect(facts.stdout).toMatch(/ghost\s+not-found/);
  }, 300_000);
});
