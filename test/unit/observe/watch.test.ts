import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWatch, recordWatchCommand, watchFragment } from '../../../src/observe/watch.js';

// The fragment and the record command run here in this machine's sh, on temp files only.
const observe = (watches: Record<string, string[]>, dir: string) =>
  parseWatch(spawnSync('sh', ['-s'], { input: watchFragment(watches, dir), encoding: 'utf8' }).stdout);
const record = (service: string, paths: string[], dir: string) => {
  const [cmd, ...args] = recordWatchCommand(service, paths, dir);
  return spawnSync(cmd ?? 'sh', args, { encoding: 'utf8' }).status;
};

describe('restart.on_change watch', () => {
  it('is unrecorded at first, in step after a record, and changed after an edit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-watch-'));
    const conf = join(dir, 'app conf; $(touch pwned).ini');
    writeFileSync(conf, 'port=1\n');
    const watches = { 'crm-app': [conf, join(dir, 'missing.conf')] };
    const first = observe(watches, join(dir, 'state'));
    expect(first['crm-app']?.recorded).toBeNull();
    expect(first['crm-app']?.current).toMatch(/^[0-9a-f]{64}$/);

    expect(record('crm-app', watches['crm-app'], join(dir, 'state'))).toBe(0);
    const second = observe(watches, join(dir, 'state'));
    expect(second['crm-app']?.recorded).toBe(second['crm-app']?.current);

    writeFileSync(conf, 'port=2\n');
    const third = observe(watches, join(dir, 'state'));
    expect(third['crm-app']?.current).not.toBe(third['crm-app']?.recorded);
    expect(spawnSync('test', ['-e', 'pwned'], { cwd: dir }).status).toBe(1);
  });

  it('ignores lines that are not its own', () => {
    expect(parseWatch('watch|a|xyz|none\nnoise\n')).toEqual({});
  });
});
