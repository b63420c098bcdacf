import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../model/source.js';

/*
 * Files runstate writes for people and scripts (plans, reports, health checks). Each path is tried
 * before any host is locked or contacted, so a typo in --out fails at once and changes nothing,
 * and each write is atomic: a unique temp file beside the target, opened with O_EXCL|O_NOFOLLOW (a
 * symlink planted at the temp name is never followed), then renamed over the target.
 *
 * Except where a rename would replace the wrong thing. A device, FIFO or socket (`--out /dev/stdout`,
 * `/dev/null`, a named pipe) is written in place: renamed over, it would become a plain file, and as
 * root `/dev/null` itself would be gone. A symlink is followed, as a shell's `>` follows it: the file
 * it points to is replaced, the link stays.
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

/** The process's own descriptors: `--out /dev/stdout` means this run's stdout, whatever it is open on. */
const OWN_FD = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

/** Where and how `file` is written: in place (not a regular file), or atomically beside its real path. */
function target(file: string): { inPlace: true } | { inPlace: false; path: string } {
  const st = statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
  if (st !== undefined && (!st.isFile() || OWN_FD.test(file))) return { inPlace: true };
  return {
    inPlace: false,
    path: st !== undefined && lstatSync(file).isSymbolicLink() ? realpathSync(file) : file,
  };
}

/**
 * Refuses (UserError, exit 1) when `file` cannot be written: checked by making and removing a temp
 * file beside it; a device or FIFO by its permissions only (opening a FIFO to try it would hand its
 * reader an end of file).
 */
export function checkWritable(file: string, flag: string): void {
  try {
    const where = target(file);
    if (where.inPlace) {
      accessSync(file, constants.W_OK);
      return;
    }
    const temp = tempBeside(where.path);
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
  let temp: string | undefined;
  let fd: number | undefined;
  try {
    const where = target(file);
    // O_APPEND: /dev/stdout on a file the shell opened with >> keeps what is there
    if (where.inPlace) fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
    else {
      temp = tempBeside(where.path);
      fd = openSync(temp, CREATE_NEW, mode);
    }
    for (const piece of typeof text === 'string' ? [text] : text) writeAll(fd, Buffer.from(piece));
    closeSync(fd);
    fd = undefined;
    if (!where.inPlace && temp !== undefined) renameSync(temp, where.path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (temp !== undefined) {
      try {
        unlinkSync(temp);
      } catch {
        // already gone (rename happened or open failed)
      }
    }
    throw new UserError(`cannot write ${file}: ${why(err)}`, undefined, 'check the path and the free space');
  }
}

function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done);
}
