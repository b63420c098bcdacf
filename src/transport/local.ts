import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import type { BecomeSpec } from '../model/inventory.js';
import {
  argvScript,
  boundedSink,
  collectedResult,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DRAIN_GRACE_MS,
  explainBecome,
  OUTPUT_TOO_LARGE,
  scriptPayload,
  shellCommand,
} from './command.js';
import type { Connection, ExecResult, RunOptions } from './types.js';

/**
 * `connection: local`: the same contract as SSH, run as child processes of runstate — for the
 * admin host itself and for tests. Each script runs in its own process group so a timeout can
 * kill everything it started.
 */
export class LocalConnection implements Connection {
  private opened = 0;
  private closed = false;
  private readonly running = new Set<number>();

  constructor(
    readonly host: string,
    private readonly defaultTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
    private readonly becomeSpec?: BecomeSpec,
  ) {}

  async runScript(script: string, opts: RunOptions = {}): Promise<ExecResult> {
    if (this.closed) return closedResult(this.host);
    const become = opts.become ?? false;
    const [cmd, ...args] = shellCommand(become, process.getuid?.() === 0, undefined, this.becomeSpec);
    this.opened += 1;
    const res = await this.spawnScript(
      cmd as string,
      args,
      scriptPayload(script),
      opts.timeoutMs ?? this.defaultTimeoutMs,
    );
    return become ? explainBecome(res, this.host, userInfo().username, this.becomeSpec) : res;
  }

  run(argv: string[], opts: RunOptions = {}): Promise<ExecResult> {
    return this.runScript(argvScript(argv), opts);
  }

  channelsOpened(): number {
    return this.opened;
  }

  /** Like closing an SSH connection, which ends its sessions: nothing started here outlives it. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pid of this.running) killGroup(pid);
  }

  private spawnScript(cmd: string, args: string[], stdin: string, timeoutMs: number): Promise<ExecResult> {
    return new Promise((resolve) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      let timedOut = false;
      let settled = false;
      let grace: NodeJS.Timeout | undefined;
      const child = spawn(cmd, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const pid = child.pid;
      if (pid !== undefined) this.running.add(pid);

      const finish = (error?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(grace);
        if (pid !== undefined) this.running.delete(pid);
        resolve(collectedResult(code, signal, stdout, stderr, timedOut, error));
      };
      const startGrace = (): void => {
        if (!grace) grace = setTimeout(() => finish(), DRAIN_GRACE_MS);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(pid);
        startGrace();
      }, timeoutMs);

      const sink = boundedSink();
      const take = (into: Buffer[]) => (d: Buffer) => {
        if (sink.push(into, d)) return;
        killGroup(pid);
        finish(OUTPUT_TOO_LARGE);
      };
      child.stdout.on('data', take(stdout));
      child.stderr.on('data', take(stderr));
      child.stdin.on('error', () => {
        // The script may exit without reading all its input (EPIPE); its exit status says what happened.
      });
      child.on('error', (err) => finish(`cannot start ${cmd}: ${err.message}`));
      child.on('exit', (c, s) => {
        code = c;
        if (s) signal = s;
        startGrace();
      });
      child.on('close', () => finish());
      child.stdin.end(stdin);
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function closedResult(host: string): ExecResult {
  const error = `the connection to ${host} is closed`;
  return { code: null, stdout: '', stderr: error, timedOut: false, error };
}
