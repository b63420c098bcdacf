import { quote } from 'shell-quote';
import type { BecomeSpec } from '../model/inventory.js';
import type { ExecResult } from './types.js';

/**
 * The bound runstate puts on what it runs on a host: KILL, which nothing can ignore. The command
 * line runs the whole script under it, and so proves this exact form works on the host; the
 * observe script (src/observe/script.ts) bounds its own calls with the same words on that proof.
 */
export const KILL_TIMEOUT = 'timeout -s KILL';

/** Default bound on one command when the caller gives none. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;
/** After the exit status (or a kill), how long to wait for the last output before giving up on it. */
export const DRAIN_GRACE_MS = 2_000;

/**
 * The fixed command line on the host, as argv; the script itself only ever travels on stdin.
 * With `limitSeconds`, coreutils `timeout` (where the host has it) SIGKILLs the script's whole
 * process group when time is up: sshd refuses signal requests on root logins (there is no
 * privilege-separated child to send them), so this is what ends a timed-out command there.
 * RUNSTATE_TIMEOUT=1 tells the observe script that `timeout` works here, sparing it a probe.
 * With become: `sudo -n [flags] [-u USER] -- sh -s`, or `su [flags] USER -c 'sh -s'`
 * (ansible_become_method su), skipped when already root and becoming root.
 */
export function shellCommand(
  become: boolean,
  alreadyRoot: boolean,
  limitSeconds?: number,
  spec?: BecomeSpec,
): string[] {
  let sh = ['sh', '-s'];
  if (limitSeconds !== undefined) {
    const secs = Math.max(1, Math.ceil(limitSeconds));
    sh = [
      'sh',
      '-c',
      `command -v timeout >/dev/null 2>&1 && RUNSTATE_TIMEOUT=1 exec ${KILL_TIMEOUT} ${secs} sh -s; exec sh -s`,
    ];
  }
  if (!become) return sh;
  const user = spec?.user;
  const flags = spec?.flags ?? [];
  if (alreadyRoot && user === undefined && flags.length === 0) return sh;
  if (spec?.method === 'su') return ['su', ...flags, user ?? 'root', '-c', quote(sh)];
  return ['sudo', '-n', ...flags, ...(user !== undefined ? ['-u', user] : []), '--', ...sh];
}

/**
 * The text sent to `sh -s`: the script as one brace group with stdin from /dev/null, so a command
 * in it that reads stdin gets EOF instead of eating the rest of the payload, and sh parses the
 * whole group before running its first line, so a syntax error anywhere runs nothing.
 * A group, not a subshell: nothing follows it, so its `exit`, `exec` and traps end sh -s exactly
 * as they ended the subshell, and it spares the host a fork per command (~3 ms of the ~60 ms that
 * observing a SysV host costs it here: docs/performance.md, Session 11).
 */
export function scriptPayload(script: string): string {
  return `{\n${script}\n} </dev/null\n`;
}

/** One argv as one sh command line; every word stays one word, whatever it contains. */
export function argvScript(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('run() needs a command');
  return quote([...argv]);
}

/**
 * sudo -n fails at once instead of prompting; turn its exit into a sentence a user can act on.
 * `sudo -n` exits 1 with "a password is required"; a missing sudo exits 127.
 */
export function explainBecome(res: ExecResult, host: string, user: string, spec?: BecomeSpec): ExecResult {
  let error: string | undefined;
  if (
    spec?.method === 'su' &&
    res.code !== 0 &&
    /authentication failure|must be run from a terminal|incorrect password/i.test(res.stderr)
  ) {
    error =
      `su on ${host} asks ${user} for a password, and runstate has none; connect as root ` +
      '(ansible_user=root) or use ansible_become_method=sudo with NOPASSWD';
  } else if (res.code === 1 && /a password is required/i.test(res.stderr)) {
    const as = spec?.user ? `(${spec.user}) ` : '(ALL) ';
    error =
      `sudo on ${host} needs a password; give the user NOPASSWD for sudo ` +
      `(e.g. "${user} ALL=${as}NOPASSWD: ALL" in /etc/sudoers.d/runstate) or connect as root`;
  } else if (
    res.code === 1 &&
    spec?.user &&
    /unknown user|is not allowed to execute|not in the sudoers/i.test(res.stderr)
  ) {
    error = `sudo on ${host} cannot run commands as ${spec.user}: ${res.stderr.trim().split('\n')[0]}`;
  } else if (res.code === 127 && /(sudo|su).*not found/i.test(res.stderr)) {
    error = `become needs ${spec?.method ?? 'sudo'} on ${host}, which is not installed; install it or connect as root`;
  }
  if (!error) return res;
  return { ...res, error, stderr: `${error}\n${res.stderr}` };
}

/** The ExecResult both transports hand back once a command has ended (or been given up on). */
/**
 * The most output one command may send (stdout and stderr together). A hostile or broken host
 * could otherwise stream until the controller runs out of memory; past this the command is
 * killed and its result says why. Observe output of a large fleet host is well under 1 MiB.
 */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Collects chunks until `limit` bytes; returns false (and keeps nothing more) once it is passed. */
export function boundedSink(limit = MAX_OUTPUT_BYTES): { push: (into: Buffer[], d: Buffer) => boolean } {
  let total = 0;
  return {
    push(into, d) {
      total += d.length;
      if (total > limit) return false;
      into.push(d);
      return true;
    },
  };
}

export const OUTPUT_TOO_LARGE = `the host sent more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB of output; the command was stopped`;

export function collectedResult(
  code: number | null,
  signal: string | undefined,
  stdout: Buffer[],
  stderr: Buffer[],
  timedOut: boolean,
  error: string | undefined,
): ExecResult {
  return {
    code,
    ...(signal ? { signal } : {}),
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    timedOut,
    ...(error ? { error } : {}),
  };
}
