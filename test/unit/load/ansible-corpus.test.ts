import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventory } from '../../../src/load/inventory.js';
import { inventoryList } from '../../../src/report/inventory.js';

/**
 * The 20 real inventories of ../shared/ansible-inventories (other projects' own files, read where
 * they are, never copied) against what ansible-core 2.14.18's `ansible-inventory --list` said
 * about each (expected/NAME.json) and the connection values it uses (expected/NAME.effective.tsv).
 * Every host resolves exactly as Ansible resolves it, or is refused for one of the named reasons.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const CORPUS = resolve(REPO, '../shared/ansible-inventories');

/** The documented reasons runstate refuses a host (docs/ansible.md "What runstate refuses"). */
const REASONS: [string, RegExp][] = [
  [
    'connection plugin',
    /^ansible_connection of host "[^"]+" is "[^"]+", a connection plugin runstate does not have$/,
  ],
  ['Jinja beyond {{ var }}', /^ansible_\w+ of host "[^"]+": .* is more Jinja than runstate evaluates/],
  [
    'Jinja naming a variable the inventory does not define (a play or extra var)',
    /^ansible_\w+ of host "[^"]+": \{\{.*\}\} refers to \w+, which is not defined for this host$/,
  ],
  [
    'password variable',
    /^ansible_\w+ is set for host "[^"]+": runstate does not use passwords \(the value is not shown\)$/,
  ],
  [
    'ssh option',
    /^ansible_ssh_\w+_args of host "[^"]+" sets the ssh option \w+, which runstate does not apply$/,
  ],
];

interface Entry {
  name: string;
  entry: string;
}

function entries(): Entry[] {
  return readFileSync(join(CORPUS, 'inventories.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name = '', , entry = ''] = l.split('\t');
      return { name, entry };
    });
}

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function expectedIdentity(key: string): string | undefined {
  if (key === '') return undefined;
  return key.startsWith('~/') ? join(homedir(), key.slice(2)) : resolve(key);
}

describe('the real Ansible inventories in ../shared/ansible-inventories', () => {
  it('are there (CI lays shared/ beside the clone)', () => {
    expect(existsSync(join(CORPUS, 'inventories.tsv')), `${CORPUS} is missing`).toBe(true);
  });
  if (!existsSync(join(CORPUS, 'inventories.tsv'))) return;

  const tally = { listSame: 0, allHostsSame: 0, hostsSame: 0, hostsRefused: 0 };
  for (const { name, entry } of entries()) {
    it(`${name}: same groups, hosts and variables as ansible-inventory --list; same connection values`, async () => {
      const read = await readInventory([join(CORPUS, entry)]);
      expect(read.problems).toEqual([]);
      const inv = read.inventory;
      if (!inv) throw new Error('no inventory');
      const expected = JSON.parse(readFileSync(join(CORPUS, 'expected', `${name}.json`), 'utf8'));
      expect(roundTrip(inventoryList(inv))).toEqual(expected);
      tally.listSame++;

      let refused = 0;
      const rows = readFileSync(join(CORPUS, 'expected', `${name}.effective.tsv`), 'utf8').split('\n');
      for (const row of rows.filter(Boolean)) {
        const [host = '', address, port = '', user = '', key = '', become = '', connection = ''] =
          row.split('\t');
        const got = inv.hosts[host];
        expect(got, host).toBeDefined();
        if (!got) continue;
        if (got.refused) {
          refused++;
          for (const p of got.refused) {
            const reason = REASONS.find(([, re]) => re.test(p.message));
            expect(reason, `${host}: ${p.message}`).toBeDefined();
          }
          continue;
        }
        expect(
          {
            address: got.address,
            port: got.port,
            user: got.user,
            identity: got.identity,
            become: got.become,
            connection: got.connection,
          },
          host,
        ).toEqual({
          address,
          port: port === '' ? undefined : Number(port),
          user: user === '' ? undefined : user,
          identity: expectedIdentity(key),
          become: ['true', 'yes', 'on', '1'].includes(become.toLowerCase()),
          connection: connection === 'local' ? 'local' : 'ssh',
        });
      }
      tally.hostsRefused += refused;
      tally.hostsSame += rows.filter(Boolean).length - refused;
      if (refused === 0) tally.allHostsSame++;
    });
  }

  it('adds up: 20 of 20 --list identical, 17 of 20 with every host resolved identically', () => {
    // The other 3 refuse some hosts for a named reason: mitogen-tests-hosts (docker/mitogen
    // connections, lookup() Jinja, passwords, LocalCommand), k3s-ansible-tests-ha (docker),
    // sonic-mgmt-veos-vtb (multi_passwd_ssh, passwords).
    expect(tally).toEqual({ listSame: 20, allHostsSame: 17, hostsSame: 346, hostsRefused: 115 });
  });
});
