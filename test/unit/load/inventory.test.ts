import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/load/index.js';
import { cleanup, FIXTURES, messagesOf, problemsOf, tree } from './helpers.js';

afterAll(cleanup);

async function inventoryOf(text: string) {
  const dir = await tree({ 'inv.yml': text });
  return { dir, inv: await loadInventory([join(dir, 'inv.yml')]) };
}

async function errorsOf(text: string): Promise<string[]> {
  const dir = await tree({ 'inv.yml': text });
  return messagesOf(loadInventory([join(dir, 'inv.yml')]), dir);
}

describe('inventory: Ansible YAML structure', () => {
  it('reads all/hosts/children/vars, top-level groups and ungrouped hosts', async () => {
    const { inv } = await inventoryOf(`all:
  hosts:
    lone:
  children:
    web:
      hosts:
        web1:
db:
  hosts:
    db1:
`);
    expect(Object.keys(inv.hosts)).toEqual(['db1', 'lone', 'web1']);
    expect(inv.hosts.lone?.groups).toEqual(['all', 'ungrouped']);
    expect(inv.hosts.db1?.groups).toEqual(['all', 'db']);
    // Ansible's order: ungrouped first, then groups as the file names them.
    expect(inv.groups.all?.children).toEqual(['ungrouped', 'web', 'db']);
    expect(inv.groups.all?.hosts).toEqual(['db1', 'lone', 'web1']);
    expect(inv.hosts.web1).toMatchObject({ address: 'web1', become: false, connection: 'ssh' });
  });

  it('expands host ranges and a :port suffix', async () => {
    const { inv } = await inventoryOf(`web:
  hosts:
    www[01:03].example.com:
    db-[a:b]:2222:
`);
    expect(Object.keys(inv.hosts)).toEqual([
      'db-a',
      'db-b',
      'www01.example.com',
      'www02.example.com',
      'www03.example.com',
    ]);
    expect(inv.hosts['db-a']?.port).toBe(2222);
  });

  it('lists nested groups transitively', async () => {
    const { inv } = await inventoryOf(`all:
  children:
    prod:
      children:
        web:
          hosts:
            web1:
`);
    expect(inv.groups.prod?.hosts).toEqual(['web1']);
    expect(inv.hosts.web1?.groups).toEqual(['all', 'prod', 'web']);
  });
});

describe('inventory: variable precedence', () => {
  const nested = (alphaPriority = '') => `all:
  vars:
    x: all
    y: all
    ansible_user: from-all
  children:
    parent:
      vars:
        x: parent
        y: parent
      children:
        child:
          vars:
            x: child
          hosts:
            h1:
              z: host
    alpha:
      vars:
        y: alpha
        ansible_user: from-alpha${alphaPriority}
      hosts:
        h1:
`;

  it('all < parent < child < host, same depth merged by name', async () => {
    const { inv } = await inventoryOf(nested());
    const h = inv.hosts.h1;
    expect(h?.vars).toMatchObject({ x: 'child', y: 'parent', z: 'host' });
    expect(h?.user).toBe('from-alpha');
  });

  it('ansible_group_priority reorders groups of the same depth', async () => {
    const { inv } = await inventoryOf(nested('\n        ansible_group_priority: 10'));
    expect(inv.hosts.h1?.vars).toMatchObject({ x: 'child', y: 'alpha' });
  });

  it('only ansible_* variables count; the legacy spelling wins when both are set, as in ansible-core', async () => {
    const { inv } = await inventoryOf(`all:
  vars:
    port: 5432
    ansible_port: 22
    user: rs
    ansible_user: ans
    address: db.internal
  hosts:
    h1:
    h2:
      ansible_port: 2222
      ansible_ssh_port: 2022
      ansible_host: 10.0.0.2
      ansible_ssh_user: legacy
`);
    expect(inv.hosts.h1).toMatchObject({ address: 'h1', port: 22, user: 'ans' });
    expect(inv.hosts.h1?.vars).toMatchObject({ port: 5432, user: 'rs', address: 'db.internal' });
    expect(inv.hosts.h2).toMatchObject({ port: 2022, user: 'legacy', address: '10.0.0.2' });
  });

  it('a host in several groups and files gets every group and merged host vars', async () => {
    const dir = join(FIXTURES, 'inventory-dir');
    const inv = await loadInventory([dir]);
    expect(inv.files.map((f) => f.slice(dir.length + 1))).toEqual([
      '10-base.yml',
      '20-more.yml',
      'group_vars/web.yml',
      'host_vars/web1/main.yml',
    ]);
    expect(Object.keys(inv.hosts)).toEqual(['db1', 'web1', 'web2']);
    // group_vars/web.yml beats all's inline vars; host_vars/ beats the group's port.
    expect(inv.hosts.web1).toMatchObject({ address: '10.0.1.1', user: 'webops', port: 2201 });
    expect(inv.hosts.web1?.vars.note).toBe('second');
    expect(inv.hosts.web2).toMatchObject({ user: 'webops', port: 2200 });
    expect(inv.hosts.db1).toMatchObject({ user: 'ops', connection: 'local' });
    expect(inv.hosts.web1?.source).toEqual({ file: join(dir, '10-base.yml'), line: 7, col: 9 });
  });

  it('expands ~; a relative key path starts from the current directory (as in Ansible), runstate_known_hosts from the file', async () => {
    const { dir, inv } = await inventoryOf(`all:
  hosts:
    a:
      ansible_ssh_private_key_file: ~/.ssh/id_a
      runstate_known_hosts: keys/known
      known_hosts: not-ours
    b:
      ansible_private_key_file: keys/b
      ansible_become: yes
`);
    expect(inv.hosts.a?.identity).toBe(join(homedir(), '.ssh/id_a'));
    expect(inv.hosts.a?.knownHosts).toBe(resolve(dir, 'keys/known'));
    expect(inv.hosts.b).toMatchObject({ identity: resolve('keys/b'), become: true });
  });
});

describe('inventory: errors', () => {
  it('an inventory without hosts says so and how to fix it', async () => {
    const dir = await tree({ 'inv.yml': 'all:\n  vars:\n    x: 1\n' });
    const problems = await problemsOf(loadInventory([join(dir, 'inv.yml')]));
    expect(problems).toEqual([
      {
        where: { file: join(dir, 'inv.yml'), line: 0, col: 0 },
        message: 'the inventory has no hosts',
        hint: 'list hosts under a group: in INI "[web]" then "web1 ansible_host=10.0.0.5"; in YAML "all:" → "hosts:" → "web1:"',
      },
    ]);
  });

  it('a missing file or empty directory', async () => {
    const dir = await tree({ 'empty/.keep': '' });
    const problems = await problemsOf(loadInventory([join(dir, 'nope.yml'), join(dir, 'empty')]));
    expect(problems.map((p) => [p.where?.line, p.message, p.hint])).toEqual([
      [0, 'no such file', 'check the inventory path (relative paths start from the current directory)'],
      [
        0,
        'no inventory files in this directory',
        'Ansible skips hidden files, group_vars/, host_vars/ and *.ini, *.cfg, *.txt, *.md…; name the file itself with -i',
      ],
    ]);
  });

  it('malformed YAML', async () => {
    expect(await errorsOf('all:\n  hosts: [a, b\n')).toEqual([
      'inv.yml:3:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; check the indentation of this line',
    ]);
  });

  it('an INI file named .yml is read as INI, as Ansible falls back to its ini plugin', async () => {
    const { inv } = await inventoryOf('# hosts\n[web]\nweb1 ansible_host=10.0.0.1\n');
    expect(inv.hosts.web1).toMatchObject({ address: '10.0.0.1', groups: ['all', 'web'] });
  });

  it('a .yml file that is neither says what YAML found wrong', async () => {
    expect(await errorsOf('all:\n  hosts: [a, b\n')).toHaveLength(1);
  });

  it('duplicate keys', async () => {
    expect(await errorsOf('all:\n  hosts:\n    a:\n    a:\n')).toEqual([
      'inv.yml:4:5: error: duplicate key "a"; first defined at inv.yml:3:5; keep one of them',
    ]);
  });

  it('typos of structural keys and name clashes: all at once', async () => {
    expect(
      await errorsOf(`all:
  chidren:
    x:
  hosts:
    h1:
      port: 70000
    h2: just-a-string
  children:
    web:
      hosts: [web1, web2]
      varz:
        a: 1
    h1:
      hosts:
        h3:
`),
    ).toEqual([
      'inv.yml:2:3: error: unknown key "chidren" in group "all"; did you mean "children"?',
      'inv.yml:5:5: error: "h1" is both a host and a group; the group is defined at inv.yml:13:5; hosts and groups share one namespace, rename one',
      'inv.yml:7:9: error: "h2" must be a mapping (got a string)',
      'inv.yml:10:14: error: "hosts" must be a mapping (got a list); write it as a mapping ("key: value" lines), not a list',
      'inv.yml:11:7: error: unknown key "varz" in group "web"; did you mean "vars"?',
    ]);
  });

  it('runstate_init names an init the drivers know, or it is an error at its position', async () => {
    const { inv: bad } = await inventoryOf('all:\n  hosts:\n    h1:\n      runstate_init: runit\n');
    expect((bad.hosts.h1?.refused ?? []).map((p) => `${p.where?.line}: ${p.message}; ${p.hint}`)).toEqual([
      '4: runstate_init of host "h1" is "runit", not an init system runstate knows; use one of systemd, openrc, upstart, sysv',
    ]);
    const dir = await tree({
      'inv.yml':
        'all:\n  vars:\n    runstate_init: sysv\n  hosts:\n    h1:\n    h2:\n      runstate_init: openrc\n',
    });
    const inv = await loadInventory([join(dir, 'inv.yml')]);
    expect([inv.hosts.h1?.init, inv.hosts.h2?.init]).toEqual(['sysv', 'openrc']);
  });

  it('bad connection values are refusals of that host, named with file:line', async () => {
    const { inv } = await inventoryOf(`all:
  hosts:
    h1:
      ansible_port: big
      ansible_become: maybe
      ansible_connection: docker
    h2:
      ansible_host: "{{ inventory_hostname }}.lan"
      ansible_user: "{{ lookup('env', 'USER') }}"
    h3:
      ansible_port: "2222"
      ansible_become: "no"
`);
    const refusals = (h: string) =>
      (inv.hosts[h]?.refused ?? []).map((p) => `${p.where?.line}: ${p.message}`);
    expect(refusals('h1')).toEqual([
      '5: ansible_become of host "h1" is "maybe", not true or false',
      '4: ansible_port of host "h1" is "big", not a port number (1-65535)',
      '6: ansible_connection of host "h1" is "docker", a connection plugin runstate does not have',
    ]);
    expect(inv.hosts.h2?.address).toBe('h2.lan');
    expect(refusals('h2')).toEqual([
      `9: ansible_user of host "h2": {{ lookup('env', 'USER') }} is more Jinja than runstate evaluates (only {{ var }} and {{ var | default('x') }})`,
    ]);
    expect(inv.hosts.h3).toMatchObject({ port: 2222, become: false });
    expect(inv.hosts.h3?.refused).toBeUndefined();
  });

  it('an unknown group-level key without a close match', async () => {
    expect(await errorsOf('all:\n  hosts:\n    a:\n  ansible_user: x\n')).toEqual([
      'inv.yml:4:3: error: unknown key "ansible_user" in group "all"; a group has only "hosts", "children" and "vars"; put variables under "vars"',
    ]);
  });

  it('a group that contains itself', async () => {
    expect(
      await errorsOf(`a:
  children:
    b:
      children:
        a:
          hosts:
            h1:
`),
    ).toEqual([
      'inv.yml:1:1: error: group cycle: a → b → a; a group cannot be a child of itself or of its own descendants',
    ]);
  });

  it('bad host ranges', async () => {
    expect(await errorsOf('all:\n  hosts:\n    web[3:1]:\n    db[01:100]:\n')).toEqual([
      'inv.yml:3:5: error: host range [3:1] goes backwards; ranges look like web[01:20] or db-[a:f]; see Ansible "Adding ranges of hosts"',
      'inv.yml:4:5: error: host range [01:100] must give start and end the same width; ranges look like web[01:20] or db-[a:f]; see Ansible "Adding ranges of hosts"',
    ]);
  });

  it('a host named like a built-in group', async () => {
    expect(await errorsOf('web:\n  hosts:\n    all:\n    w1:\n')).toEqual([
      'inv.yml:3:5: error: "all" is both a host and a group; "all" is a group Ansible always has; rename the host',
    ]);
  });

  it('vars files are checked too', async () => {
    const dir = await tree({
      'inv.yml': 'web:\n  hosts:\n    w1:\n',
      'group_vars/web.yml': '- a list\n',
      'group_vars/other.yml': 'ignored: [\n',
    });
    expect(await messagesOf(loadInventory([join(dir, 'inv.yml')]), dir)).toEqual([
      'group_vars/web.yml: error: a vars file must hold a mapping of variable names to values; write "name: value" lines',
    ]);
  });
});
