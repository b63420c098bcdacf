import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { inventoryCommand } from '../../../src/cli/inventory-run.js';
import { cleanup, FIXTURES, tree } from '../load/helpers.js';

/**
 * `runstate inventory --list/--graph/--host` against Debian's ansible-inventory itself (installed
 * by scripts/setup.sh), byte for byte, on inventories of both formats. Run isolated the way
 * ../shared/ansible-inventories/build-expected.sh runs it: env -i, an empty ansible.cfg.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const CORPUS = resolve(REPO, '../shared/ansible-inventories');
const scratch = mkdtempSync(join(tmpdir(), 'runstate-ansible-'));
writeFileSync(join(scratch, 'ansible.cfg'), '');
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  return cleanup();
});

const ANSIBLE = ['/usr/bin/ansible-inventory', '/usr/local/bin/ansible-inventory'].find((p) => existsSync(p));

function ansibleInventory(args: string[]): string {
  if (!ANSIBLE)
    throw new Error('ansible-inventory is missing: run scripts/setup.sh (apt-get install ansible-core)');
  return execFileSync(ANSIBLE, args, {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: scratch,
      ANSIBLE_CONFIG: join(scratch, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: join(scratch, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      LANG: 'C.UTF-8',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
    encoding: 'utf8',
    timeout: 120_000,
  });
}

async function runstateInventory(args: {
  inventory: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
}) {
  let out = '';
  const io: Io = { out: (t) => (out += t), err: () => {}, isTTY: false, env: {} };
  await inventoryCommand(args, io);
  return out;
}

describe('runstate inventory against ansible-inventory (ansible-core)', async () => {
  const mixed = await tree({
    'inv/01-hosts':
      '[web]\nw1 ansible_user=deploy http_port=8080\nw[2:3] ansible_port=2222\n[web:vars]\nx="a b"\n',
    'inv/02-more.yml':
      'all:\n  children:\n    db:\n      hosts:\n        d1:\n          ansible_port: 2200\n      vars:\n        ansible_group_priority: 5\n',
    'inv/03-skipped.ini': '[skipped]\ns1\n',
    'inv/group_vars/web': 'ansible_port: 2201\n',
    'inv/group_vars/all/a.yml': 'ansible_user: ops\n',
    'inv/host_vars/w2.yml': 'ansible_host: 10.0.0.2\n',
  });
  // Python prints the float 1e3 as 1000.0 and JavaScript as 1000: the edge cases hold one, so
  // that inventory's JSON is compared as values, every other output byte for byte.
  const FLOATS = 'INI documented examples and edge cases';
  const cases: [string, string, string | undefined][] = [
    [FLOATS, join(FIXTURES, 'ini', 'edge-cases.ini'), 'typed'],
    ['a directory of INI and YAML files with group_vars/host_vars', join(mixed, 'inv'), 'w2'],
    ['the YAML example of this repository', join(REPO, 'inventory', 'crm.yml'), 'app1'],
    [
      'kolla-ansible multinode (175 groups)',
      join(CORPUS, 'kolla-ansible-multinode', 'multinode'),
      'control01',
    ],
    ['mitogen tests (a directory of 5 INI files)', join(CORPUS, 'mitogen-tests-hosts'), undefined],
  ];
  for (const [what, path, host] of cases) {
    it(`${what}: --list and --graph${host ? ' and --host' : ''} print the same bytes`, async () => {
      const same = (ours: string, theirs: string) =>
        what === FLOATS ? expect(JSON.parse(ours)).toEqual(JSON.parse(theirs)) : expect(ours).toBe(theirs);
      same(
        await runstateInventory({ inventory: [path], list: true }),
        ansibleInventory(['-i', path, '--list']),
      );
      expect(await runstateInventory({ inventory: [path], graph: true })).toBe(
        ansibleInventory(['-i', path, '--graph']),
      );
      if (host)
        same(
          await runstateInventory({ inventory: [path], host }),
          ansibleInventory(['-i', path, '--host', host]),
        );
    }, 180_000);
  }

  // The implicit localhost (ansible-core's InventoryData._create_implicit_localhost): not in
  // --list or --graph, but `--host localhost|127.0.0.1|::1` shows it, with all's variables and
  // its own host_vars/. Ansible also sets ansible_python_interpreter to its own Python
  // (sys.executable); runstate runs no Python and does not invent one, so that key is left out.
  const implicit = await tree({
    'inv/hosts': '[web]\nw1 ansible_host=10.0.0.1\n[all:vars]\nfoo=1\nansible_user=bob\n',
    'inv/group_vars/all.yml': 'gv: 2\n',
    'inv/host_vars/localhost.yml': 'hv: 3\n',
    'inv/host_vars/127.0.0.1.yml': 'ansible_connection: ssh\n',
  });
  const defined = await tree({
    'hosts.yml': 'all:\n  hosts:\n    localhost:\n      ansible_host: 10.9.9.9\n',
    loopback: '[lab]\n127.0.0.1 ansible_port=2200 foo=9\n',
  });
  const withoutPython = (json: string) => {
    const { ansible_python_interpreter: _, ...rest } = JSON.parse(json) as Record<string, unknown>;
    return rest;
  };
  it('the implicit localhost: absent from --list and --graph, shown by --host under each of its names', async () => {
    const inv = join(implicit, 'inv');
    expect(await runstateInventory({ inventory: [inv], list: true })).toBe(
      ansibleInventory(['-i', inv, '--list']),
    );
    expect(await runstateInventory({ inventory: [inv], graph: true })).toBe(
      ansibleInventory(['-i', inv, '--graph']),
    );
    for (const host of ['localhost', '127.0.0.1', '::1']) {
      const theirs = withoutPython(ansibleInventory(['-i', inv, '--host', host]));
      expect(JSON.parse(await runstateInventory({ inventory: [inv], host }))).toEqual(theirs);
    }
    expect(withoutPython(ansibleInventory(['-i', inv, '--host', 'localhost']))).toMatchObject({
      ansible_connection: 'local',
      hv: 3,
    });
  }, 180_000);
  it('a localhost the inventory defines wins over the implicit one; a defined 127.0.0.1 answers to localhost', async () => {
    const inv = join(defined, 'hosts.yml');
    expect(await runstateInventory({ inventory: [inv], list: true })).toBe(
      ansibleInventory(['-i', inv, '--list']),
    );
    expect(await runstateInventory({ inventory: [inv], host: 'localhost' })).toBe(
      ansibleInventory(['-i', inv, '--host', 'localhost']),
    );
    const loopback = join(defined, 'loopback');
    for (const host of ['localhost', '::1', '127.0.0.1']) {
      expect(await runstateInventory({ inventory: [loopback], host })).toBe(
        ansibleInventory(['-i', loopback, '--host', host]),
      );
    }
  }, 180_000);
});
