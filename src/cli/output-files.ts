import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../model/source.js';

/*
 * Files runstate writes for people and scripts (plans, reports, health checks). Each path is tried
 * before any host is locked or contacted, so a typo in --out fails at once and changes nothing,
 * and each write is atomic: a unique temp file beside the target, opened with O_EXCL|O_NOFOLLOW (a
 * symlink planted at the temp name is never followed), then renamed over the target.
 */

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function tempBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'its directory does not exist';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'ENOSPC') return 'no space left on the device';
  if (e.code === 'EROFS') return 'the file system is read-only';
  if (e.code === 'EISDIR') return 'it is a directory';
  return e.code ?? e.message;
}

/** Refuses (UserError, exit 1) when `file` cannot be written: checked by making and removing a temp file. */
export function checkWritable(file: string, flag: string): void {
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory())
      throw Object.assign(new Error(), { code: 'EISDIR' });
    const temp = tempBeside(file);
    closeSync(openSync(temp, CREATE_NEW, 0o600));
    unlinkSync(temp);
  } catch (err) {
    throw new UserError(
      `cannot write ${flag} ${file}: ${why(err)}; nothing was changed on any host`,
      undefined,
      'give a path in an existing, writable directory',
    );
  }
}

/**
 * Writes `text` to `file` atomically (temp file + rename); the old content stays until it is whole.
 * `text` may come in pieces (a large plan): each is written as it comes, never joined.
 */
export function writeFileAtomic(file: string, text: string | Iterable<string>, mode = 0o644): void {
  const temp = tempBeside(file);
  let fd: number | undefined;
  try {
    fd = openSync(temp, CREATE_NEW, mode);
    for (const piece of typeof text === 'string' ? [text] : text) {
      const data = Buffer.from(piece);
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done);
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone (rename happened or open failed)
    }
    throw new UserError(`cannot write ${file}: ${why(err)}`, undefined, 'check the path and the free space');
  }
}
