import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  allEvents,
  BED_DIR,
  BED_INVENTORY,
  describeBed,
  events,
  freshStateHome,
  inventoryWith,
  onHost,
  resetBed,
  runstate,
  spawnRunstate,
  tempPlaybook,
  waitFor,
} from './helpers/bed.js';
import { freePort } from './helpers/sshd.js';

// Faults on real hosts (issue 9). Nothing here stops a bed host or its sshd: the "TCP that never
// speaks SSH" is a server of this test's own, the rest are addresses and keys that cannot work.
const PB = 'examples/bed/playbook.yml';
const ALL = ['bed-systemd', 'bed-sysv', 'bed-openrc', 'bed-supervisord'] as const;
const lockOwner = (h: (typeof ALL)[number]) => onHost(h, 'cat /run/runstate.lock/owner 2>/dev/null || true');

describeBed('faults', () => {
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silentPort = await freePort();
    silent = createServer((socket) => sockets.add(socket)); // accepts, never says a word
    await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    silent.close();
    for (const h of ALL) await onHost(h, 'rm -rf /run/runstate.lock');
    resetBed();
  });

  it('unreachable hosts of every kind: each its own reason within the connect timeout, the rest go on, exit 3', async () => {
    // A known_hosts entry for bed-sysv's address holding another key (the bed's user key).
    const knownHosts = join(freshStateHome(), 'known_hosts');
    const extra = [
      '        bad-refused: { ansible_host: 127.0.0.1, ansible_port: 1 }',
      `        bad-silent: { ansible_host: 127.0.0.1, ansible_port: ${silentPort} }`,
      '        bad-dns: { ansible_host: no-such-host.invalid, ansible_port: 22 }',
      '        bad-auth: { ansible_host: 127.0.0.1, ansible_port: 2221, ansible_user: no-such-user }',
      `        bad-hostkey: { ansible_host: 127.0.0.1, ansible_port: 2222, runstate_known_hosts: ${JSON.stringify(knownHosts)} }`,
    ];
    writeFileSync(
      knownHosts,
      `[127.0.0.1]:2222 ${readFileSync(join(BED_DIR, 'id_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    );
    const inv = inventoryWith((t) => t.replace(/(\n {4}database:\n {6}hosts:\n)/, `$1${extra.join('\n')}\n`));
    const pb = tempPlaybook(
      `version: 1\nhosts:\n  database:\n    services:\n      crm-db: { state: running }\n`,
    );
    const r = await runstate(['facts', '-i', inv, pb, '--connect-timeout', '5']);
    expect(r.code).toBe(3);
    const reason = (h: string) => new RegExp(`${h}[^\\n]*`).exec(r.stdout + r.stderr)?.[0] ?? '';
    expect(reason('bad-refused')).toMatch(/refused/);
    expect(reason('bad-silent')).toMatch(/timed out|timeout|did not answer|banner/i);
    expect(reason('bad-dns')).toMatch(/resolve|DNS|ENOTFOUND|EAI_AGAIN|not found/i);
    expect(reason('bad-auth')).toMatch(/auth|denied|no-such-user/i);
    expect(reason('bad-hostkey')).toMatch(/host key|fingerprint|SHA256/i);
    expect(r.stdout).toMatch(/bed-systemd/);
    expect(r.stdout).toMatch(/crm-db/);
  });

  it('runstate SIGKILLed mid-apply: the lock is recognised as stale, --break-lock removes it, a re-run converges', async () => {
    resetBed();
    const run = spawnRunstate(['apply', '-i', BED_INVENTORY, PB, '--yes']);
    await waitFor('the start of crm-db', () => run.output().stderr.includes('bed-systemd: start crm-db …'));
    run.child.kill('SIGKILL');
    await run.result;
    expect(await lockOwner('bed-systemd')).toMatch(/^runstate .* pid \d+/);
    const refused = await runstate(['apply', '-i', BED_INVENTORY, PB, '--yes', '--lock-timeout', '0']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /not locked: bed-systemd: bed-systemd is locked by runstate .* but the lock is stale: its owner, runstate pid \d+ on this machine, is gone; if no apply is running there, run again with --break-lock/,
    );
    const broke = await runstate(['apply', '-i', BED_INVENTORY, PB, '--yes', '--break-lock']);
    expect(broke.stderr).not.toMatch(/stale/);
    expect(broke.code).toBe(0);
    const again = await runstate(['apply', '-i', BED_INVENTORY, PB, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 changes');
    for (const h of ALL) expect(await lockOwner(h)).toBe('');
  });

  it('an audit log that cannot be written refuses the run before any lock or command (exit 1)', async () => {
    resetBed();
    for (const bad of ['/dev/full', '/proc/runstate-audit/audit.jsonl']) {
      const r = await runstate(['apply', '-i', BED_INVENTORY, PB, '--yes', '--audit-log', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot open the audit log .*nothing was changed on any host/);
    }
    expect(await allEvents(...ALL)).toEqual([]);
    for (const h of ALL) expect(await lockOwner(h)).toBe('');
  });

  it('a missing --out directory is a one-line error before any host is contacted', async () => {
    const r = await runstate(['plan', '-i', BED_INVENTORY, PB, '--out', '/nonexistent-dir/plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: cannot write --out /nonexistent-dir/plan.json: its directory does not exist; nothing was changed on any host; give a path in an existing, writable directory\n',
    );
  });

  it('a saved plan edited to run another command is refused on the bed with nothing touched; the real one runs once', async () => {
    resetBed();
    const dir = freshStateHome();
    const file = join(dir, 'plan.json');
    expect((await runstate(['plan', '-i', BED_INVENTORY, PB, '--out', file])).code).toBe(0);
    const plan = JSON.parse(readFileSync(file, 'utf8'));
    const tampered = join(dir, 'tampered.json');
    plan.steps[0].commands = [['sh', '-c', 'touch /tmp/runstate-pwned']];
    writeFileSync(tampered, JSON.stringify(plan));
    const r = await runstate(['apply', '-i', BED_INVENTORY, '--plan', tampered, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/commands differ from what the drivers and playbooks build/);
    expect(await onHost('bed-systemd', 'ls /tmp/runstate-pwned 2>&1 || true')).toMatch(/No such file/);
    expect(await events('bed-systemd')).toEqual([]);
    const ok = await runstate(['apply', '-i', BED_INVENTORY, '--plan', file, '--yes']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Commands to run \(exactly these/);
    expect(ok.stdout).toMatch(/bed-systemd: systemctl start -- crm-db.service/);
    const twice = await runstate(['apply', '-i', BED_INVENTORY, '--plan', file, '--yes']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/was already applied; a saved plan is applied once/);
  });
});
