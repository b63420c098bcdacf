import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { quote } from 'shell-quote';
import type { Client } from 'ssh2';
import type { BecomeSpec, InventoryHost } from '../model/inventory.js';
import {
  argvScript,
  DEFAULT_COMMAND_TIMEOUT_MS,
  explainBecome,
  scriptPayload,
  shellCommand,
} from './command.js';
import { type Dialled, dialTarget } from './dial.js';
import { RunFiles } from './run-files.js';
import { resolveTarget } from './ssh-config.js';
import { execOnClient } from './ssh-exec.js';
import type { Connection, ConnectOptions, ConnectResult, ExecResult, RunOptions } from './types.js';

/** How long close() waits for the server to acknowledge before dropping the socket. */
const CLOSE_WAIT_MS = 2_000;

/** One SSH connection to a host; every command is a new channel on it. */
export class SshConnection implements Connection {
  private opened = 0;
  private closed = false;
  private readonly client: Client;
  private readonly carriers: Client[];

  constructor(
    readonly host: string,
    dialled: Dialled,
    private readonly user: string,
    private readonly defaultTimeoutMs: number,
    onClosed?: () => void,
    private readonly becomeSpec?: BecomeSpec,
  ) {
    this.client = dialled.client;
    this.carriers = dialled.carriers;
    this.client.once('close', () => {
      this.closed = true;
      this.endCarriers();
      onClosed?.();
    });
  }

  async runScript(script: string, opts: RunOptions = {}): Promise<ExecResult> {
    if (this.closed) {
      const error = `the SSH connection to ${this.host} is closed`;
      return { code: null, stdout: '', stderr: error, timedOut: false, error };
    }
    const become = opts.become ?? false;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const command = quote(shellCommand(become, this.user === 'root', timeoutMs / 1000, this.becomeSpec));
    this.opened += 1;
    const res = await execOnClient(this.client, command, scriptPayload(script), timeoutMs);
    return become ? explainBecome(res, this.host, this.user, this.becomeSpec) : res;
  }

  /** Sent as a one-line script to `sh -s`, so the user's login shell (fish, csh…) never parses it. */
  run(argv: string[], opts: RunOptions = {}): Promise<ExecResult> {
    return this.runScript(argvScript(argv), opts);
  }

  channelsOpened(): number {
    return this.opened;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        done();
      }, CLOSE_WAIT_MS);
      this.client.once('close', () => {
        clearTimeout(timer);
        done();
      });
      this.client.end();
    });
  }

  private endCarriers(): void {
    for (const c of [...this.carriers].reverse()) c.end();
  }
}

/** Resolves the host through the inventory and ssh_config, then dials it (through jump hosts). */
export async function connectSsh(
  host: InventoryHost,
  opts: ConnectOptions,
  onClosed?: () => void,
): Promise<ConnectResult> {
  const env = { home: homedir(), localUser: userInfo().username };
  const configFile = opts.sshConfigFile ?? join(env.home, '.ssh', 'config');
  const files = opts.files ?? new RunFiles();
  const config = files.sshConfig(configFile);
  if (!config.ok) {
    return {
      ok: false,
      failure: { kind: 'other', host: host.name, message: config.error, hint: 'fix or move the file' },
    };
  }
  const target = resolveTarget(
    {
      name: host.name,
      address: host.address,
      ...(host.port !== undefined ? { port: host.port } : {}),
      ...((host.user ?? opts.defaultUser) !== undefined ? { user: host.user ?? opts.defaultUser } : {}),
      ...((host.identity ?? opts.defaultIdentity) !== undefined
        ? { identity: host.identity ?? opts.defaultIdentity }
        : {}),
      ...(host.jumps !== undefined ? { jumps: host.jumps } : {}),
    },
    config.config,
    env,
  );
  const defaultUserKnownHostsFiles = opts.userKnownHostsFile
    ? [opts.userKnownHostsFile]
    : [join(env.home, '.ssh', 'known_hosts'), join(env.home, '.ssh', 'known_hosts2')];
  const agent = opts.agent === false ? undefined : opts.agent || process.env.SSH_AUTH_SOCK || undefined;
  const dialled = await dialTarget(target, {
    hostKeyChecking: opts.hostKeyChecking,
    ...(opts.hostKeyCheckingExplicit ? { hostKeyCheckingExplicit: true } : {}),
    connectTimeoutMs: opts.connectTimeoutMs,
    ...(host.knownHosts ? { knownHostsFile: expandHome(host.knownHosts, env.home) } : {}),
    defaultUserKnownHostsFiles,
    ...(opts.globalKnownHostsFiles ? { globalKnownHostsFiles: opts.globalKnownHostsFiles } : {}),
    files,
    ...(agent ? { agent } : {}),
    ...(config.config ? { config: config.config } : {}),
    env,
  });
  if (!dialled.ok) return dialled;
  const timeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const conn = new SshConnection(host.name, dialled.dialled, target.user, timeout, onClosed, host.becomeSpec);
  return { ok: true, conn };
}

function expandHome(path: string, home: string): string {
  const p = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return isAbsolute(p) ? p : resolve(p);
}
