import { spawn, spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWritable, writeFileAtomic } from '../../../src/cli/output-files.js';
import { UserError } from '../../../src/model/source.js';

// `--out` is atomic for a regular file (temp + rename) but must never rename over what is not one:
// `plan --out /dev/full` as root once replaced /dev/full itself with a plain file.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runstate-out-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces a regular file and leaves no temp file', () => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, ['{"a":', '1}\n']);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.trim()).toBe('plan.json');
  });

  it('follows a symlink: the file it points to gets the content, the link stays a link', () => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'plan.json');
    writeFileSync(real, 'old');
    const link = join(dir, 'plan.json');
    symlinkSync(real, link);
    checkWritable(link, '--out');
    writeFileAtomic(link, 'new\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('new\n');
  });

  it('writes into a FIFO in place: the reader gets the text, the FIFO stays a FIFO', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    reader.stdout.on('data', (d: Buffer) => {
      got += d.toString();
    });
    const closed = new Promise((resolve) => reader.on('close', resolve));
    try {
      checkWritable(fifo, '--out');
      writeFileAtomic(fifo, ['first ', 'second\n']);
      await closed;
    } finally {
      reader.kill(); // a reader left blocked on a FIFO that was renamed over would never end
    }
    expect(got).toBe('first second\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)(
    'writes into a character device in place (a private null device)',
    () => {
      const device = join(dir, 'null');
      expect(spawnSync('mknod', ['-m', '666', device, 'c', '1', '3']).status).toBe(0);
      checkWritable(device, '--out');
      writeFileAtomic(device, 'discarded\n');
      expect(statSync(device).isCharacterDevice()).toBe(true);
    },
  );

  it('says which file and why when the directory is missing, and leaves nothing behind', () => {
    const file = join(dir, 'missing', 'plan.json');
    expect(() => checkWritable(file, '--out')).toThrow(UserError);
    expect(() => checkWritable(file, '--out')).toThrow(/missing\/plan\.json/);
    expect(() => writeFileAtomic(file, 'x')).toThrow(
      /cannot write .*plan\.json: its directory does not exist/,
    );
  });

  it('refuses a directory', () => {
    expect(() => checkWritable(dir, '--out')).toThrow(/it is a directory/);
    expect(() => writeFileAtomic(dir, 'x')).toThrow(/it is a directory/);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
