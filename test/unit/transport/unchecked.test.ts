import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ssh-config';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryHost } from '../../../src/model/inventory.js';
import { strictOffLines, uncheckedBySshConfig } from '../../../src/transport/unchecked.js';

const scratch = mkdtempSync(join(tmpdir(), 'runstate-unchecked-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// ssh_config(5): the first value obtained wins, `Host` patterns with `!` negate, `=` may separate.
const CONFIG = `# lab machines: throwaway keys
Host lab-*  !lab-keep
  StrictHostKeyChecking no

Host bastion
  HostName 10.0.0.1

Match host legacy
  StrictHostKeyChecking=off
Host *
  StrictHostKeyChecking accept-new
`;
const file = join(scratch, 'config');
writeFileSync(file, CONFIG);

const host = (name: string, extra: Partial<InventoryHost> = {}): InventoryHost => ({
  name,
  address: name,
  become: false,
  connection: 'ssh',
  groups: ['all'],
  vars: {},
  source: { file: 'hosts', line: 1, col: 1 },
  ...extra,
});

describe("ssh_config's StrictHostKeyChecking no", () => {
  it('finds the lines that say no/off, counting the bytes ssh-config keeps around each directive', () => {
    expect(strictOffLines(parse(CONFIG))).toEqual([3, 9]);
  });

  it('names the hosts (and jump hosts) it leaves unchecked, and the lines', () => {
    const hosts = [
      host('lab-1'),
      host('lab-keep'),
      host('web1'),
      host('app', { jumps: [{ host: 'lab-jump' }] }),
      host('lab-local', { connection: 'local' }),
    ];
    expect(uncheckedBySshConfig(hosts, { sshConfigFile: file })).toEqual({
      file,
      lines: [3, 9],
      hosts: ['lab-1', 'lab-jump (jump host of app)'],
    });
  });

  it('nothing when no host is affected, when a flag set the mode, or without the file', () => {
    expect(uncheckedBySshConfig([host('web1')], { sshConfigFile: file })).toBeUndefined();
    expect(
      uncheckedBySshConfig([host('lab-1')], { sshConfigFile: file, hostKeyCheckingExplicit: true }),
    ).toBeUndefined();
    expect(uncheckedBySshConfig([host('lab-1')], { sshConfigFile: join(scratch, 'none') })).toBeUndefined();
  });
});
