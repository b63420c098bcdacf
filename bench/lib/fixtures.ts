/**
 * The files every tool of one benchmark size reads: one inventory (N aliases of the bench sshd,
 * in Ansible's YAML form, which runstate reads as is), runstate's playbook, and the same service
 * tasks as an Ansible playbook with an ansible.cfg per strategy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Loopback } from './loopback.js';
import { SERVICES } from './loopback.js';

export interface Fixtures {
  inventory: string;
  playbook: string;
  ansiblePlaybook: string;
  ansibleCfg: { plain: string; mitogen: string };
  /** Ansible's ControlPersist masters live here; the marker that finds them after a run. */
  controlDir: string;
}

const MITOGEN_STRATEGIES = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

export function hostName(i: number): string {
  return `bench-${String(i + 1).padStart(3, '0')}`;
}

export function writeFixtures(lb: Loopback, n: number, connectS: number): Fixtures {
  const dir = join(lb.dir, `n${n}`);
  const controlDir = join(lb.dir, 'cp');
  mkdirSync(dir, { recursive: true });
  mkdirSync(controlDir, { recursive: true });
  const hosts: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = hostName(i);
    // A ControlPath per alias: with Ansible's default (a hash of address, port and user) every
    // alias of the one sshd would share one master connection, which N real hosts never do.
    // Mitogen keys its connections by the ssh arguments, so this keeps its aliases apart too.
    hosts.push(
      `    ${name}:`,
      `      ansible_port: ${lb.ports[i % lb.ports.length]}`,
      `      ansible_ssh_common_args: "-o IdentitiesOnly=yes -o ControlPath=${controlDir}/${name}"`,
    );
  }
  const inventory = join(dir, 'inventory.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  vars:',
      '    ansible_host: 127.0.0.1',
      `    ansible_user: ${lb.user}`,
      `    ansible_ssh_private_key_file: ${lb.keyPath}`,
      `    runstate_known_hosts: ${lb.knownHostsPath}`,
      '    ansible_python_interpreter: /usr/bin/python3',
      '  hosts:',
      ...hosts,
      '',
    ].join('\n'),
  );
  const playbook = join(dir, 'playbook.yml');
  writeFileSync(
    playbook,
    [
      'version: 1',
      'hosts:',
      '  all:',
      '    services:',
      ...SERVICES.map((s) => `      ${s.name}: { state: running, enabled: true }`),
      '',
    ].join('\n'),
  );
  const ansiblePlaybook = join(dir, 'check.yml');
  writeFileSync(
    ansiblePlaybook,
    [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      ...SERVICES.flatMap((s) => [
        `    - name: ${s.name}`,
        `      ansible.builtin.sysvinit: { name: ${s.name}, state: started, enabled: true }`,
      ]),
      '',
    ].join('\n'),
  );
  const cfg = (strategy: string[]): string => {
    const path = join(dir, strategy.length > 0 ? 'ansible-mitogen.cfg' : 'ansible.cfg');
    writeFileSync(
      path,
      [
        '[defaults]',
        'gather_facts = False',
        'host_key_checking = True',
        'interpreter_python = /usr/bin/python3',
        'retry_files_enabled = False',
        'nocolor = True',
        // Every tool gets the same time to connect (bench --connect-timeout).
        `timeout = ${connectS}`,
        ...strategy,
        '[ssh_connection]',
        'pipelining = True',
        // Ansible's default ssh_args plus the bench's known_hosts (runstate reads runstate_known_hosts;
        // it refuses UserKnownHostsFile in the inventory's ssh args).
        `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lb.knownHostsPath}`,
        '',
      ].join('\n'),
    );
    return path;
  };
  return {
    inventory,
    playbook,
    ansiblePlaybook,
    ansibleCfg: {
      plain: cfg([]),
      mitogen: cfg([`strategy_plugins = ${MITOGEN_STRATEGIES}`, 'strategy = mitogen_linear']),
    },
    controlDir,
  };
}
