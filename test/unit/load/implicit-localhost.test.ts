import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectHosts } from '../../../src/cli/limit.js';
import { loadAll, loadInventory } from '../../../src/load/index.js';
import { hostNamed } from '../../../src/model/inventory.js';
import { UserError } from '../../../src/model/source.js';
import { cleanup, messagesOf, tree } from './helpers.js';

afterAll(cleanup);

/**
 * Ansible's implicit localhost (ansible-core inventory/data.py `_create_implicit_localhost`,
 * inventory/manager.py `_enumerate_matches`): named exactly, it exists; `all`, globs and groups
 * never reach it. The variables against real ansible-inventory: test/unit/report/ansible-inventory.test.ts.
 */
const INVENTORY = '[web]\nw1 ansible_host=10.0.0.1\nw2 ansible_host=10.0.0.2\n[all:vars]\nansible_user=ops\n';
const service = (name: string) => `    services:\n      ${name}:\n        state: running\n`;

describe('the implicit localhost', async () => {
  const dir = await tree({
    hosts: INVENTORY,
    'host_vars/localhost.yml': 'runstate_init: sysv\n',
    'pb.yml': `version: 1\nhosts:\n  all:\n${service('cron')}  localhost:\n${service('ssh')}`,
    'two-names.yml': `version: 1\nhosts:\n  localhost:\n${service('ssh')}  127.0.0.1:\n${service('cron')}`,
    'web-only.yml': `version: 1\nhosts:\n  web:\n${service('cron')}`,
    'needs.yml': `version: 1\nhosts:\n  w1:\n    services:\n      app:\n        state: running\n        requires: [localhost:db]\n`,
    'defined.yml': 'all:\n  hosts:\n    localhost:\n      ansible_host: 10.9.9.9\n    w1: {}\n',
    'group.ini': '[localhost]\nw9\n',
    'loopback.ini': '[lab]\n127.0.0.1 ansible_port=2200\nw1\n',
    'via-loopback.yml': `version: 1\nhosts:\n  localhost:\n${service('ssh')}`,
  });
  const inv = join(dir, 'hosts');

  it('a playbook naming localhost gets a local host outside all; the all layer does not reach it', async () => {
    const { inventory, desired } = await loadAll([inv], [join(dir, 'pb.yml')]);
    expect(Object.keys(inventory.hosts).sort()).toEqual(['w1', 'w2']);
    expect(Object.keys(inventory.groups.all?.hosts ?? [])).toHaveLength(2);
    const local = hostNamed(inventory, 'localhost');
    expect(local).toMatchObject({ connection: 'local', groups: [], init: 'sysv', user: 'ops' });
    expect(Object.keys(desired.hosts).sort()).toEqual(['localhost', 'w1', 'w2']);
    expect(Object.keys(desired.hosts.localhost?.services ?? {})).toEqual(['ssh']);
    expect(Object.keys(desired.hosts.w1?.services ?? {})).toEqual(['cron']);
    // No --limit: every inventory host, and the implicit one the playbook named.
    expect([...selectHosts(inventory, undefined)].sort()).toEqual(['localhost', 'w1', 'w2']);
    // `all` and `*` are the inventory's hosts only, as in Ansible.
    expect([...selectHosts(inventory, 'all')].sort()).toEqual(['w1', 'w2']);
    expect([...selectHosts(inventory, '*')].sort()).toEqual(['w1', 'w2']);
    expect([...selectHosts(inventory, 'localhost')]).toEqual(['localhost']);
    expect([...selectHosts(inventory, 'web:localhost')].sort()).toEqual(['localhost', 'w1', 'w2']);
    expect([...selectHosts(inventory, 'all:!localhost')].sort()).toEqual(['w1', 'w2']);
  });

  it('made once, under the first name used: localhost and 127.0.0.1 are one host', async () => {
    const { inventory, desired } = await loadAll([inv], [join(dir, 'two-names.yml')]);
    expect(Object.keys(desired.hosts)).toEqual(['localhost']);
    expect(Object.keys(desired.hosts.localhost?.services ?? {}).sort()).toEqual(['cron', 'ssh']);
    expect([...selectHosts(inventory, '127.0.0.1')]).toEqual(['localhost']);
  });

  it('not made when nothing names it; --limit names it exactly, never by a glob', async () => {
    const { inventory } = await loadAll([inv], [join(dir, 'web-only.yml')]);
    expect([...selectHosts(inventory, undefined)].sort()).toEqual(['w1', 'w2']);
    expect(hostNamed(inventory, 'localhost')).toBeUndefined();
    const warned: string[] = [];
    expect(() => selectHosts(inventory, 'local*', (m) => warned.push(m))).toThrow(UserError);
    expect(warned).toEqual(['--limit: "local*" matches no host or group; ignoring it']);
    const fresh = await loadInventory([inv]);
    expect([...selectHosts(fresh, '::1')]).toEqual(['::1']);
    expect(hostNamed(fresh, '::1')).toMatchObject({ name: '::1', address: '::1', connection: 'local' });
  });

  it('a requires on it names it: "declares no service", not "no host"', async () => {
    const messages = await messagesOf(loadAll([inv], [join(dir, 'needs.yml')]), dir);
    expect(messages.join('\n')).toContain(
      'requires "localhost:db": host "localhost" declares no service "db"',
    );
  });

  it('a localhost the inventory defines wins: in all, over ssh', async () => {
    const inventory = await loadInventory([join(dir, 'defined.yml')]);
    expect(inventory.implicitLocalhost?.candidates.localhost).toBeUndefined();
    expect(inventory.hosts.localhost).toMatchObject({ connection: 'ssh', address: '10.9.9.9' });
    expect([...selectHosts(inventory, 'all')].sort()).toEqual(['localhost', 'w1']);
  });

  it('an inventory host 127.0.0.1 answers to localhost and ::1 too (Ansible keeps it as its localhost)', async () => {
    const loopback = join(dir, 'loopback.ini');
    const { inventory, desired } = await loadAll([loopback], [join(dir, 'via-loopback.yml')]);
    expect(Object.keys(desired.hosts)).toEqual(['127.0.0.1']);
    expect(hostNamed(inventory, '127.0.0.1')).toMatchObject({
      connection: 'ssh',
      port: 2200,
      groups: ['all', 'lab'],
    });
    expect([...selectHosts(inventory, 'localhost')]).toEqual(['127.0.0.1']);
    expect([...selectHosts(inventory, undefined)].sort()).toEqual(['127.0.0.1', 'w1']);
  });

  it('a group named localhost is a group, and no implicit host is made', async () => {
    const inventory = await loadInventory([join(dir, 'group.ini')]);
    expect([...selectHosts(inventory, 'localhost')]).toEqual(['w9']);
    expect(inventory.implicitLocalhost?.name).toBeUndefined();
  });
});
