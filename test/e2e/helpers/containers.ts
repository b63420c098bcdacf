import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestSshd } from './sshd.js';

/*
 * What the docker and podman e2e tests share: an image made offline (no registry here) from
 * busybox-static, containers whose main process is a loop, and an inventory of one host reached
 * through the test's own loopback sshd. The engine's own set-up (a dockerd of the test's, podman's
 * own store) stays in each test.
 */

/** The image every test container runs. */
export const TEST_IMAGE = 'runstate-test:1';

/** A main process that ends at once on SIGTERM, so `docker|podman stop` does not wait 10 s. */
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

/** Imports TEST_IMAGE into the engine of `cli` (docker or podman): busybox and the named applets. */
export function importBusyboxImage(
  cli: string,
  busybox: string,
  dir: string,
  tools: readonly string[],
  env: Record<string, string>,
): void {
  const img = join(dir, 'img');
  mkdirSync(join(img, 'bin'), { recursive: true });
  copyFileSync(busybox, join(img, 'bin', 'busybox'));
  for (const tool of tools) symlinkSync('busybox', join(img, 'bin', tool));
  execFileSync('sh', ['-c', `tar -C "$1" -c . | "$2" import - ${TEST_IMAGE}`, 'sh', img, cli], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
}

/** Creates a looping container of TEST_IMAGE through `engine` (the test's CLI wrapper); `up` also starts it. */
export function makeContainer(
  engine: (...args: string[]) => string,
  name: string,
  restart: string,
  up: boolean,
): void {
  engine(
    up ? 'run' : 'create',
    ...(up ? ['-d'] : []),
    '--network',
    'none',
    '--name',
    name,
    '--restart',
    restart,
    TEST_IMAGE,
    ...LOOP,
  );
}

/** Writes known_hosts and an inventory of one host `name` at the test's sshd; returns the inventory's path. */
export function sshdInventory(dir: string, name: string, sshd: TestSshd): string {
  const known = join(dir, 'known_hosts');
  writeFileSync(known, `${sshd.knownHostsLine}\n`);
  const inventory = join(dir, 'inventory.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  hosts:',
      `    ${name}:`,
      '      ansible_host: 127.0.0.1',
      `      ansible_port: ${sshd.port}`,
      '      ansible_user: root',
      `      ansible_ssh_private_key_file: ${JSON.stringify(sshd.userKey.path)}`,
      `      runstate_known_hosts: ${JSON.stringify(known)}`,
      '',
    ].join('\n'),
  );
  return inventory;
}
