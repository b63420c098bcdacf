import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, expect, it } from 'vitest';
import type { ObservedSnapshot } from '../../src/model/observed.js';
import { BED_DIR, BED_HOSTS, BED_INVENTORY, describeBed, onHost, resetBed, runstate } from './helpers/bed.js';

const PLAYBOOK = 'examples/bed/playbook.yml';

describeBed('runstate facts on real hosts', () => {
  beforeAll(() => resetBed());

  it("finds each host's init system and the state of every declared service", async () => {
    const r = await runstate(['facts', '-i', BED_INVENTORY, PLAYBOOK, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout) as ObservedSnapshot;
    const schema = JSON.parse(readFileSync('schemas/observed.schema.json', 'utf8'));
    expect(new Ajv2020({ strict: false }).validate(schema, snap)).toBe(true);
    const hosts = snap.hosts;
    expect(hosts['bed-systemd']).toMatchObject({
      status: 'ok',
      init: 'systemd',
      services: { 'crm-db': { manager: 'systemd', active: 'inactive', enabled: 'disabled' } },
    });
    expect(hosts['bed-sysv']).toMatchObject({
      status: 'ok',
      init: 'sysv',
      runlevel: { current: '2' },
      services: { 'crm-app': { manager: 'sysv', active: 'inactive', enabled: 'disabled' } },
    });
    expect(hosts['bed-openrc']).toMatchObject({
      status: 'ok',
      init: 'openrc',
      runlevel: { current: 'default' },
      services: { 'crm-proxy': { manager: 'openrc', active: 'inactive', enabled: 'disabled' } },
    });
    expect(hosts['bed-supervisord']).toMatchObject({
      status: 'ok',
      managers: expect.arrayContaining(['supervisord']),
      services: { 'crm-main': { manager: 'supervisord', active: 'inactive' } },
    });
  });

  it('sees what changed on the host, including odd units, in the text form', async () => {
    await onHost('bed-systemd', 'systemctl start crm-db');
    const pb = join(mkdtempSync(join(tmpdir(), 'rs-facts-')), 'odd.yml');
    writeFileSync(
      pb,
      [
        'version: 1',
        'hosts:',
        '  bed-systemd:',
        '    services:',
        '      crm-db: { state: running }',
        '      crm-masked: { state: stopped }',
        "      'crm-worker@1': { state: stopped }",
        '      no-such-unit: { state: stopped }',
        '',
      ].join('\n'),
    );
    const r = await runstate(['facts', '-i', BED_INVENTORY, pb, '--limit', 'bed-systemd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/crm-db\s+active\s+disabled\s+systemd/);
    expect(r.stdout).toMatch(/crm-masked\s+inactive\s+masked\s+systemd/);
    expect(r.stdout).toMatch(/crm-worker@1\s+inactive\s+\S+\s+systemd/);
    expect(r.stdout).toMatch(/no-such-unit\s+not-found\s+not-found\s+systemd/);
    await onHost('bed-systemd', 'systemctl stop crm-db');
  });

  it('observes each host in exactly one SSH channel (one round trip)', async () => {
    const r = await runstate(['facts', '-i', BED_INVENTORY, PLAYBOOK, '-v']);
    expect(r.code).toBe(0);
    for (const h of BED_HOSTS)
      expect(r.stderr).toMatch(new RegExp(`observed ${h.name} in \\d+ ms, 1 SSH channel\\(s\\)`));
  });

  it('reports a stopped sshd, a wrong host key and a wrong user, one line each, and still the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-facts-bad-'));
    // bed-openrc: a port where nothing listens (as if its sshd were down).
    // bed-sysv: a known_hosts whose key for its port is another host's key.
    // bed-supervisord: a user that does not exist there.
    const known = readFileSync(join(BED_DIR, 'known_hosts'), 'utf8').split('\n');
    const keyOf = (port: number) =>
      known
        .find((l) => l.startsWith(`[127.0.0.1]:${port} ssh-ed25519`))
        ?.split(' ')
        .slice(1)
        .join(' ');
    const badKnown = known
      .filter((l) => !l.startsWith('[127.0.0.1]:2222 '))
      .concat(`[127.0.0.1]:2222 ${keyOf(2221)}`);
    writeFileSync(join(dir, 'known_hosts'), `${badKnown.join('\n')}\n`);
    copyFileSync(join(BED_DIR, 'id_ed25519'), join(dir, 'id_ed25519'));
    const inv = readFileSync(BED_INVENTORY, 'utf8')
      .replaceAll(BED_DIR, dir)
      .replace('ansible_port: 2223', 'ansible_port: 2299')
      .replace(/(bed-supervisord:\n\s+ansible_host: 127.0.0.1)/, '$1\n          ansible_user: nobody-here');
    writeFileSync(join(dir, 'inventory.yml'), inv);
    const r = await runstate(['facts', '-i', join(dir, 'inventory.yml'), PLAYBOOK, '--connect-timeout', '5']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/bed-systemd\s+init systemd/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('unreachable: '));
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes('bed-openrc'))).toMatch(/refused/i);
    expect(lines.find((l) => l.includes('bed-sysv'))).toMatch(/SHA256:.*SHA256:/);
    expect(lines.find((l) => l.includes('bed-supervisord'))).toMatch(/authentication as nobody-here/);
  });
});
