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
    expect(inv.groups.all?.children).toEqual(['db', 'ungrouped', 'web']);
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

  it("runstate's spelling wins on the same level; a higher level wins otherwise", async () => {
    const { inv } = await inventoryOf(`all:
  vars:
    port: 2200
    ansible_port: 22
    user: rs
    ansible_user: ans
  hosts:
    h1:
    h2:
      ansible_port: 2222
      ansible_host: 10.0.0.2
      address: h2.internal
`);
    expect(inv.hosts.h1).toMatchObject({ port: 2200, user: 'rs' });
    expect(inv.hosts.h2).toMatchObject({ port: 2222, user: 'rs', address: 'h2.internal' });
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

  it('expands ~ and resolves relative key paths against the inventory file', async () => {
    const { dir, inv } = await inventoryOf(`all:
  hosts:
    a:
      identity: ~/.ssh/id_a
      known_hosts: keys/known
    b:
      ansible_ssh_private_key_file: /etc/keys/b
      become: yes
`);
    expect(inv.hosts.a?.identity).toBe(join(homedir(), '.ssh/id_a'));
    expect(inv.hosts.a?.knownHosts).toBe(resolve(dir, 'keys/known'));
    expect(inv.hosts.b).toMatchObject({ identity: '/etc/keys/b', become: true });
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
        hint: 'list hosts under a group, e.g. "all:" → "hosts:" → "web1:" (with "ansible_host: 10.0.0.5" under it)',
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
        'no inventory files (*.yml, *.yaml) in this directory',
        'add one or name the inventory file itself',
      ],
    ]);
  });

  it('malformed YAML', async () => {
    expect(await errorsOf('all:\n  hosts: [a, b\n')).toEqual([
      'inv.yml:3:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; check the indentation of this line',
    ]);
  });

  it('an INI inventory is named as such', async () => {
    expect(await errorsOf('# hosts\n[web]\nweb1 ansible_host=10.0.0.1\n')).toEqual([
      'inv.yml:2:1: error: this looks like an INI inventory; runstate reads YAML inventories; convert it with: ansible-inventory -i DIR/inv.yml --list --yaml > inv.yml.yml'.replace(
        'DIR/',
        '',
      ),
    ]);
  });

  it('duplicate keys', async () => {
    expect(await errorsOf('all:\n  hosts:\n    a:\n    a:\n')).toEqual([
      'inv.yml:4:5: error: duplicate key "a"; first defined at inv.yml:3:5; keep one of them',
    ]);
  });

  it('wrong types, typos of structural keys, templates and name clashes: all at once', async () => {
    expect(
      await errorsOf(`all:
  chidren:
    x:
  hosts:
    h1:
      ansible_port: "22"
      port: 70000
      become: "yes"
      connection: docker
      user: [root]
    h2: just-a-string
  children:
    web:
      hosts: [web1, web2]
      varz:
        a: 1
    h1:
      hosts:
        h3:
          ansible_host: "{{ inventory_hostname }}.lan"
`),
    ).toEqual([
      'inv.yml:2:3: error: unknown key "chidren" in group "all"; did you mean "children"?',
      'inv.yml:5:5: error: "h1" is both a host and a group; the group is defined at inv.yml:17:5; hosts and groups share one namespace, rename one',
      'inv.yml:6:21: error: "ansible_port" must be an integer from 1 to 65535 (got a string); write the number without quotes',
      'inv.yml:7:13: error: "port" must be an integer from 1 to 65535 (got 70000)',
      'inv.yml:8:15: error: "become" must be true or false (got a string); write true or false, without quotes',
      'inv.yml:9:19: error: "connection" must be ssh or local (got a string)',
      'inv.yml:10:13: error: "user" must be a string (got a list)',
      'inv.yml:11:9: error: "h2" must be a mapping (got a string)',
      'inv.yml:14:14: error: "hosts" must be a mapping (got a list); write it as a mapping ("key: value" lines), not a list',
      'inv.yml:15:7: error: unknown key "varz" in group "web"; did you mean "vars"?',
      'inv.yml:20:25: error: "ansible_host" is a Jinja template, which runstate does not evaluate; write the value itself',
    ]);
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
      'group_vars/web.yml': 'ansible_port: big\n',
      'group_vars/other.yml': 'ignored: true\n',
    });
    expect(await messagesOf(loadInventory([join(dir, 'inv.yml')]), dir)).toEqual([
      'group_vars/web.yml:1:15: error: "ansible_port" must be an integer from 1 to 65535 (got a string)',
    ]);
  });
});
