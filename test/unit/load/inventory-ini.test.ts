import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/load/index.js';
import { cleanup, FIXTURES, messagesOf, tree } from './helpers.js';
import { jsonInventoryList } from './list-helper.js';

afterAll(cleanup);

const INI = join(FIXTURES, 'ini');

describe('INI inventory, as ansible-core reads it', () => {
  it('reads the documented examples and edge cases exactly as ansible-inventory --list does', async () => {
    const inv = await loadInventory([join(INI, 'edge-cases.ini')]);
    const expected = JSON.parse(readFileSync(join(INI, 'expected', 'edge-cases.json'), 'utf8'));
    expect(jsonInventoryList(inv)).toEqual(expected);
  });

  it('host:port, [v6]:port and a later ansible_port; ranges with a step; aliases', async () => {
    const inv = await loadInventory([join(INI, 'edge-cases.ini')]);
    expect(inv.hosts['badwolf.example.com']).toMatchObject({ port: 5309, groups: ['all', 'ungrouped'] });
    expect(inv.hosts.jumper).toMatchObject({ address: '192.0.2.50', port: 5555 });
    expect(inv.hosts['fe80::1']?.port).toBeUndefined();
    expect(inv.hosts['fe80::2']?.port).toBe(2222);
    expect(inv.hosts['10.0.0.1']?.port).toBe(2023);
    expect(inv.groups.webservers?.ownHosts).toEqual([
      'foo.example.com',
      'bar.example.com',
      'www01.example.com',
      'www03.example.com',
    ]);
    expect(inv.hosts.host2?.groups).toEqual(['all', 'atlanta', 'raleigh', 'southeast', 'usa']);
  });

  it('a :children section may name a group declared further down; hosts before any section are ungrouped', async () => {
    const dir = await tree({ hosts: 'lone\n[prod:children]\nweb\n[web]\nw1\n[web:vars]\nx=1\n' });
    const inv = await loadInventory([join(dir, 'hosts')]);
    expect(inv.groups.prod?.children).toEqual(['web']);
    expect(inv.hosts.w1?.groups).toEqual(['all', 'prod', 'web']);
    expect(inv.hosts.lone?.groups).toEqual(['all', 'ungrouped']);
    expect(inv.hosts.w1?.vars).toEqual({ x: 1 });
  });

  it('a directory mixes INI and YAML files, extension-less ones included, and skips *.ini like Ansible', async () => {
    const dir = await tree({
      'inv/01-hosts': '[web]\nw1 ansible_user=deploy\n',
      'inv/02-more.yml': 'db:\n  hosts:\n    d1:\n      ansible_port: 2200\n',
      'inv/03-skipped.ini': '[skipped]\ns1\n',
      'inv/04-also.hosts': '[web]\nw2\n',
      'inv/README.md': '# not an inventory\n',
      'inv/group_vars/web': 'ansible_port: 2201\n',
      'inv/group_vars/all/a.yml': 'ansible_user: ops\n',
      'inv/host_vars/w2.yml': 'ansible_host: 10.0.0.2\n',
    });
    const inv = await loadInventory([join(dir, 'inv')]);
    expect(Object.keys(inv.hosts)).toEqual(['d1', 'w1', 'w2']);
    // Inventory-file host vars beat group_vars/ files; group_vars/web beats group_vars/all.
    expect(inv.hosts.w1).toMatchObject({ user: 'deploy', port: 2201 });
    expect(inv.hosts.w2).toMatchObject({ user: 'ops', port: 2201, address: '10.0.0.2' });
    expect(inv.hosts.d1).toMatchObject({ user: 'ops', port: 2200 });
  });

  it('every error names file:line and says how to fix it', async () => {
    const dir = await tree({
      hosts: [
        '[web]',
        'w1 ansible_user',
        'w2:',
        'w3 x="unclosed',
        '[web:variables]',
        '[bad section]',
        '[web:vars]',
        'no equals sign',
        '[p:children]',
        'nosuch',
        '[ghost:vars]',
        'a=1',
        '[r]',
        'web[3:1]',
        '',
      ].join('\n'),
    });
    expect(await messagesOf(loadInventory([join(dir, 'hosts')]), dir)).toEqual([
      'hosts:2:1: error: expected key=value after host "w1", got "ansible_user"; host variables are written key=value; quote values that contain spaces',
      'hosts:3:1: error: host "w2:" ends in ":"; a colon after a host name gives its port, e.g. web1:2222',
      'hosts:4:1: error: cannot split the host line: No closing quotation; close every quote',
      'hosts:5:1: error: section [web:variables] has an unknown type "variables"; a section is [group], [group:vars] or [group:children]',
      'hosts:6:1: error: invalid section [bad section]; a section header has no spaces and one optional ":vars" or ":children", e.g. [web:vars]',
      'hosts:8:1: error: expected key=value in [web:vars], got "no equals sign"; write one variable per line, e.g. ansible_user=deploy',
      'hosts:10:1: error: section [p:children] names a group that is not defined: "nosuch"; declare it with a [nosuch] section (it may be empty)',
      'hosts:11:1: error: section [ghost:vars] is for a group that is not defined: "ghost"; declare the group with a [ghost] or [ghost:children] section',
      'hosts:14:1: error: host range [3:1] goes backwards; ranges look like web[01:20] or db-[a:f]; see Ansible "Adding ranges of hosts"',
    ]);
  });
});
