import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/load/index.js';
import { cleanup, INVENTORY, messagesOf, world } from './helpers.js';

// Inputs that used to hang, crash with a stack trace, or reach a host unchecked (issue 9, item 5).
async function errorsOf(playbook: string, inventory = INVENTORY): Promise<string[]> {
  const w = await world(inventory, { 'pb.yml': playbook });
  return messagesOf(loadAll(w.inv, w.pbs), w.dir);
}

afterAll(cleanup);

const svc = (body: string) => `version: 1\nhosts:\n  web:\n    services:\n      crm-app:\n${body}`;

describe('hostile inputs are file:line errors', () => {
  it('a YAML alias bomb ("billion laughs") is refused at its first alias, not expanded', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const prev = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const errors = await errorsOf(`version: 1\n${levels.join('\n')}\nhosts: {}\n`);
    expect(errors).toEqual([
      'pb.yml:3:8: error: invalid YAML: its aliases expand to an excessively large document; write the values out, or use fewer nested aliases (*name)',
    ]);
  });

  it('an inventory alias bomb too', async () => {
    const inv = `x: &x [1,1,1,1,1,1,1,1,1,1]\ny: &y [${Array(10).fill('*x').join(',')}]\nz: &z [${Array(10).fill('*y').join(',')}]\nw: &w [${Array(10).fill('*z').join(',')}]\nall:\n  hosts:\n    h1:\n`;
    const w = await world(inv, { 'pb.yml': 'version: 1\nhosts: {}\n' });
    const errors = await messagesOf(loadAll(w.inv, w.pbs), w.dir);
    expect(errors.join('\n')).toMatch(/^inv\.yml:\d+:\d+: error: invalid YAML: its aliases expand/);
  });

  it('schema errors never echo a string value (it may be a secret typed in the wrong field)', async () => {
    const errors = await errorsOf(svc('        state: running\n        tier: "hunter2-secret"\n'));
    expect(errors.join('\n')).not.toContain('hunter2');
    expect(errors).toEqual([
      'pb.yml:7:15: error: "tier" must be database, app, network or main (got a string)',
    ]);
  });

  it('restart.on_change refuses devices and kernel files (/dev/zero never ends)', async () => {
    for (const path of ['/dev/zero', '/proc/kmsg', '/sys/kernel/x']) {
      const errors = await errorsOf(
        svc(`        state: running\n        restart: { on_change: [${path}] }\n`),
      );
      expect(errors).toEqual([
        'pb.yml:7:18: error: restart.on_change paths under /dev, /proc and /sys are devices or kernel files, not configuration; watch the regular files a service reads (its configuration), e.g. on_change: [/etc/crm/app.conf]',
      ]);
    }
  });

  it('health host must be an address: never an option or shell text for nc', async () => {
    for (const host of ['-e/bin/sh', 'a;touch /tmp/x', '$(id)', 'a b']) {
      const errors = await errorsOf(
        svc(`        state: running\n        health: { tcp: 80, host: ${JSON.stringify(host)} }\n`),
      );
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(/host must be a host name or an IP address/);
    }
    expect(
      await errorsOf(svc('        state: running\n        health: { tcp: 80, host: "::1" }\n')).catch(() => [
        'ok',
      ]),
    ).toEqual(['ok']);
  });
});

describe('watched paths are judged after normalising', () => {
  it('/tmp/../proc/kmsg is a kernel file too', async () => {
    const errors = await errorsOf(
      svc('        state: running\n        restart: { on_change: [/tmp/../proc/kmsg] }\n'),
    );
    expect(errors[0]).toMatch(/under \/dev, \/proc and \/sys/);
  });
});
