import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleet, UserError } from '../../../src/sdk/index.js';

// A fleet in a directory that is not the process's: every relative path must be read there.
const dir = mkdtempSync(join(tmpdir(), 'runstate-sdk-cwd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'lists'));
writeFileSync(
  join(dir, 'inv.yml'),
  'all:\n  hosts:\n    h1: { ansible_host: 127.0.0.1 }\n    h2: { ansible_host: 127.0.0.2 }\n    h3: { ansible_host: 127.0.0.3 }\n',
);
writeFileSync(
  join(dir, 'pb.yml'),
  'version: 1\nhosts:\n  all:\n    services:\n      web: { state: running }\n',
);
writeFileSync(join(dir, 'lists', 'retry.txt'), 'h1\nh3\n');
writeFileSync(
  join(dir, 'lists', 'waivers.yml'),
  'version: 1\nwaivers:\n  - { host: h1, service: web, field: state, reason: migration, owner: ops, expires: 2027-01-15 }\n',
);

describe('the SDK reads relative paths against options.cwd, not the process directory', () => {
  it('a process directory elsewhere', () => {
    expect(process.cwd()).not.toBe(dir);
  });

  it('a limit @file, alone and beside other terms', async () => {
    const only = await loadFleet({
      inventory: 'inv.yml',
      playbooks: 'pb.yml',
      cwd: dir,
      limit: '@lists/retry.txt',
    });
    expect(Object.keys(only.desired.hosts).sort()).toEqual(['h1', 'h3']);
    const mixed = await loadFleet({
      inventory: 'inv.yml',
      playbooks: 'pb.yml',
      cwd: dir,
      limit: 'h2:@lists/retry.txt:!h3',
    });
    expect(Object.keys(mixed.desired.hosts).sort()).toEqual(['h1', 'h2']);
  });

  it('a limit @file missing there is named with where it was looked for', async () => {
    await expect(
      loadFleet({ inventory: 'inv.yml', playbooks: 'pb.yml', cwd: dir, limit: '@nosuch.txt' }),
    ).rejects.toThrow(`cannot read the file ${join(dir, 'nosuch.txt')}`);
  });

  it('a relative limit @file without cwd is refused, never read against the process directory', async () => {
    const paths = { inventory: join(dir, 'inv.yml'), playbooks: join(dir, 'pb.yml') };
    await expect(loadFleet({ ...paths, limit: '@lists/retry.txt' })).rejects.toThrow(UserError);
    await expect(loadFleet({ ...paths, limit: '@lists/retry.txt' })).rejects.toThrow(
      /limit file path "lists\/retry.txt" is relative and no cwd was given/,
    );
    const absolute = await loadFleet({ ...paths, limit: `@${join(dir, 'lists', 'retry.txt')}` });
    expect(Object.keys(absolute.desired.hosts).sort()).toEqual(['h1', 'h3']);
  });

  it('a waivers file', async () => {
    const fleet = await loadFleet({
      inventory: 'inv.yml',
      playbooks: 'pb.yml',
      cwd: dir,
      waivers: 'lists/waivers.yml',
    });
    expect(fleet.waivers.map((w) => `${w.target}:${w.service}`)).toEqual(['h1:web']);
  });
});
