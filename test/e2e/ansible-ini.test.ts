import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ObservedSnapshot } from '../../src/model/observed.js';
import { BED_DIR, describeBed, onHost, playbookOf, resetBed, runstate } from './helpers/bed.js';

const PLAYBOOK = 'examples/bed/playbook.yml';
/** A name only the bastion (bed-systemd) resolves: a direct connection cannot reach it. */
const BEHIND = 'runstate-e2e-behind-bastion';
const KEY = join(BED_DIR, 'id_ed25519');

/**
 * The bed as an Ansible shop writes it: INI, [group:vars], a plain `port` variable of the user's
 * own, an unprivileged user with become, and a host that is reachable only through a bastion
 * given as ansible_ssh_common_args ProxyCommand.
 */
function iniInventory(dir: string, edits: { sysv?: string; extra?: string } = {}): string {
  const file = join(dir, 'hosts');
  const proxy = `-o ProxyCommand="ssh -W %h:%p -q -i ${KEY} -p 2221 root@127.0.0.1"`;
  writeFileSync(
    file,
    [
      '# An INI inventory, as ansible-inventory reads it',
      '[database]',
      'bed-systemd ansible_host=127.0.0.1 ansible_port=2221',
      '[app]',
      `bed-sysv ansible_host=127.0.0.1 ansible_port=2222 ${edits.sysv ?? ''}`,
      '[network]',
      'bed-openrc ansible_host=127.0.0.1 ansible_port=2223 ansible_user=deploy ansible_become=yes',
      '[main]',
      `bed-supervisord ansible_host=${BEHIND} ansible_port=2224 ansible_ssh_common_args='${proxy}'`,
      '[crm:children]',
      'database',
      'app',
      'network',
      'main',
      '[crm:vars]',
      'port=5432',
      '[all:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${KEY}`,
      `runstate_known_hosts=${join(dir, 'known_hosts')}`,
      'ansible_python_interpreter=/usr/bin/python3',
      edits.extra ?? '',
      '',
    ].join('\n'),
  );
  return file;
}

describeBed('an Ansible INI inventory on real hosts: become, become_user, a ProxyCommand bastion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runstate-e2e-ini-'));

  beforeAll(async () => {
    resetBed();
    // The target behind the bastion is known under the name it is dialled by.
    const known = readFileSync(join(BED_DIR, 'known_hosts'), 'utf8');
    const behind = known
      .split('\n')
      .filter((l) => l.startsWith('[127.0.0.1]:2224 '))
      .map((l) => l.replace('[127.0.0.1]:2224', `[${BEHIND}]:2224`));
    writeFileSync(join(dir, 'known_hosts'), `${known.trimEnd()}\n${behind.join('\n')}\n`);
    await onHost('bed-systemd', `grep -q ${BEHIND} /etc/hosts || echo '127.0.0.1 ${BEHIND}' >> /etc/hosts`);
  });

  afterAll(async () => {
    await onHost('bed-systemd', `sed -i '/ ${BEHIND}$/d' /etc/hosts`);
    resetBed();
  });

  it('observes all four hosts: deploy with become, and the host behind the bastion', async () => {
    const r = await runstate(['facts', '-i', iniInventory(dir), PLAYBOOK, '--format', 'json', '-v']);
    expect(r.code, r.stderr).toBe(0);
    const snap = JSON.parse(r.stdout) as ObservedSnapshot;
    for (const h of ['bed-systemd', 'bed-sysv', 'bed-openrc', 'bed-supervisord']) {
      expect(snap.hosts[h]?.status, h).toBe('ok');
    }
    expect(snap.hosts['bed-supervisord']).toMatchObject({
      services: { 'crm-main': { manager: 'supervisord' } },
    });
    // The user's own `port=5432` is not an SSH port, so every host was dialled on its ansible_port.
    expect(r.stderr).toMatch(/observed bed-systemd in \d+ ms, 1 SSH channel/);
  });

  it('without the bastion the host behind it cannot be reached: the ProxyCommand was what worked', async () => {
    const direct = join(mkdtempSync(join(tmpdir(), 'runstate-e2e-ini-')), 'hosts');
    writeFileSync(
      direct,
      readFileSync(iniInventory(dir), 'utf8').replace(/ ansible_ssh_common_args='.*'/, ''),
    );
    const r = await runstate(['facts', '-i', direct, '-l', 'main', '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`unreachable: bed-supervisord:`);
  });

  it('ansible_become_user runs the commands as that user (sudo -u): deploy may not take the root-owned lock', async () => {
    const inv = iniInventory(dir, { sysv: 'ansible_become=yes ansible_become_user=deploy' });
    const pb = playbookOf({ 'bed-sysv': { services: { 'crm-app': { state: 'running' } } } });
    const asDeploy = await runstate(['apply', '-i', inv, pb, '--yes']);
    expect(asDeploy.code).not.toBe(0);
    expect(`${asDeploy.stdout}${asDeploy.stderr}`).toMatch(/Permission denied/);
    expect(await onHost('bed-sysv', '/etc/init.d/crm-app status >/dev/null 2>&1; echo $?')).not.toBe('0\n');

    // The same inventory with become_user root (Ansible's default) converges, then has nothing to do.
    const asRoot = iniInventory(dir, { sysv: 'ansible_become=yes ansible_become_user=root' });
    const first = await runstate(['apply', '-i', asRoot, pb, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    expect(await onHost('bed-sysv', '/etc/init.d/crm-app status >/dev/null 2>&1; echo $?')).toBe('0\n');
    const second = await runstate(['plan', '-i', asRoot, pb, '--detailed-exitcode']);
    expect(second.code, second.stdout).toBe(0);
  });

  it('an unknown become user is a clear error on that host, never a silent root', async () => {
    const inv = iniInventory(dir, { sysv: 'ansible_become=yes ansible_become_user=runstate-no-such-user' });
    const r = await runstate(['facts', '-i', inv, '-l', 'bed-sysv']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown user|runstate-no-such-user/);
  });

  it('validate warns about ignored Ansible settings with file:line; a refused host stops only commands aimed at it', async () => {
    const inv = iniInventory(dir, { extra: '[containers]\nc1 ansible_connection=docker' });
    const v = await runstate(['validate', '-i', inv, PLAYBOOK]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toContain(
      `${inv}:21:1: warning: ansible_python_interpreter is an Ansible setting runstate does not implement; it is ignored`,
    );
    expect(v.stderr).toContain(
      'warning: ansible_connection of host "c1" is "docker", a connection plugin runstate does not have',
    );
    const f = await runstate(['facts', '-i', inv, '-l', 'c1']);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain(`${inv}:23:1: error: ansible_connection of host "c1" is "docker"`);
  });
});
