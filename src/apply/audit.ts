import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChangeLabel } from '../model/history.js';
import { UserError } from '../model/source.js';
import type { CommandRecord, CommandStart } from './types.js';

/** `$XDG_STATE_HOME/runstate/audit.jsonl`, else `~/.local/state/runstate/audit.jsonl`. */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'runstate', 'audit.jsonl');
}

/** A record that could not be written: the executor starts no new step, and the run exits 3. */
export class AuditWriteError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write the audit log ${path}: ${(cause as Error).message}`);
    this.name = 'AuditWriteError';
  }
}

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Opens (creating it, mode 600, never through a symlink) the audit log and writes a test record.
 * Called before any lock or connection: an unwritable or full log refuses the run with exit 1.
 */
function openLog(path: string): number {
  try {
    makeDirs(dirname(path));
    const fd = openSync(path, APPEND, 0o600);
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new Error('not a regular file');
    }
    return fd;
  } catch (err) {
    throw new UserError(
      `cannot open the audit log ${path}: ${(err as Error).message}; nothing was changed on any host`,
      undefined,
      'fix the path or its permissions, or give another with --audit-log FILE',
    );
  }
}

/**
 * `mkdir -p` without Node's recursive mkdir, which spins forever under /proc (Node 20: mkdirSync
 * with recursive: true on a path whose parent rejects mkdir with ENOENT loops): missing parents are
 * made one by one, and the first that cannot be made is the error.
 */
function makeDirs(dir: string): void {
  if (statSync(dir, { throwIfNoEntry: false })) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir, { mode: 0o700 });
}

/** For commands that execute later (watch --heal): refuses now if the log cannot be written. */
export function checkAuditLog(path: string): void {
  new AuditLog(path, 'check').close();
}

/**
 * One JSON line per event: the run opening, each command (and health check) just before it is
 * sent ("about to run") and after it ended, with who ran it, on which host as which user, when.
 * Commands hold only validated names and fixed words, never secrets; output is not logged (it
 * might hold some). Every write is synchronous and checked: a failed write throws
 * AuditWriteError, so nothing runs unrecorded.
 */
export class AuditLog {
  private readonly localUser = safeUser();
  private fd: number | undefined;

  /**
   * `label`: why this run changes things — `intentional` (apply of the playbooks) or `corrective`
   * (watch --heal putting back drift); written on every record, so a reviewer can tell them apart.
   */
  constructor(
    readonly path: string,
    private readonly runId: string,
    private readonly label?: ChangeLabel,
  ) {
    this.fd = openLog(path);
    try {
      this.write({
        event: 'open',
        run: runId,
        by: this.localUser,
        at: new Date().toISOString(),
        ...this.labelled(),
      });
    } catch (err) {
      this.close();
      throw new UserError(
        `${(err as Error).message}; nothing was changed on any host`,
        undefined,
        'free space on the device or give another path with --audit-log FILE',
      );
    }
  }

  /** What the start and end records of one command share. */
  private commandFields(entry: CommandStart, remoteUser: string | undefined) {
    return {
      run: this.runId,
      by: this.localUser,
      host: entry.host,
      user: remoteUser ?? null,
      step: entry.stepId,
      what: entry.what,
      argv: entry.argv,
      started: entry.startedAt,
    };
  }

  /** Before a command is sent: if this throws, the command is not sent. */
  starting(entry: CommandStart, remoteUser: string | undefined): void {
    this.write({ event: 'start', ...this.commandFields(entry, remoteUser), ...this.labelled() });
  }

  /** After it ended, however it ended. */
  record(entry: CommandRecord, remoteUser: string | undefined): void {
    this.write({
      event: 'end',
      ...this.commandFields(entry, remoteUser),
      ended: entry.endedAt,
      exit: entry.exitCode,
      timedOut: entry.timedOut,
      ...this.labelled(),
    });
  }

  private labelled(): { label?: ChangeLabel } {
    return this.label ? { label: this.label } : {};
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(line: object): void {
    const data = Buffer.from(`${JSON.stringify(line)}\n`);
    try {
      if (this.fd === undefined) throw new Error('the log is closed');
      const n = writeSync(this.fd, data);
      // O_APPEND writes of one line are whole or fail; a short write means the device is full.
      if (n !== data.length) throw new Error(`short write (${n} of ${data.length} bytes): device full?`);
    } catch (err) {
      throw new AuditWriteError(this.path, err);
    }
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
