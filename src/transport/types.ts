import type { HostKeyChecking } from '../model/inventory.js';
import type { RunFiles } from './run-files.js';

/** What one command or script did on a host. */
export interface ExecResult {
  code: number | null;
  /** The signal that ended the command, Node-style (`SIGKILL`), when it did not exit. */
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /**
   * Set when the transport itself kept the command from running or finishing (sudo wants a
   * password, sudo missing, connection lost): one sentence a user can act on.
   */
  error?: string;
}

export interface RunOptions {
  /** Default: ConnectOptions.commandTimeoutMs. */
  timeoutMs?: number;
  become?: boolean;
}

export interface Connection {
  host: string;
  /** Runs a POSIX sh script: the script is sent on stdin to `sh -s` (or `sudo -n sh -s` with become), never pasted into a command line. */
  runScript(script: string, opts?: RunOptions): Promise<ExecResult>;
  /** Runs one argv (each word quoted with shell-quote's quote()) — for the executor's commands. */
  run(argv: string[], opts?: RunOptions): Promise<ExecResult>;
  /** How many command channels this connection opened: for measuring "one SSH round trip per host". */
  channelsOpened(): number;
  close(): Promise<void>;
}

export type ConnectFailureKind =
  | 'refused'
  | 'timeout'
  | 'auth'
  | 'host-key-mismatch'
  | 'host-key-unknown'
  | 'host-key-revoked'
  | 'key-unreadable'
  | 'key-encrypted'
  | 'dns'
  | 'proxy'
  | 'other';

export type ConnectFailure = { kind: ConnectFailureKind; host: string; message: string; hint?: string };

export interface ConnectOptions {
  hostKeyChecking: HostKeyChecking;
  connectTimeoutMs: number;
  /** Default ~/.ssh/known_hosts (and …2); ssh_config's UserKnownHostsFile and the inventory's `runstate_known_hosts` win over it. */
  userKnownHostsFile?: string;
  /** Default /etc/ssh/ssh_known_hosts (and …2); ssh_config's GlobalKnownHostsFile wins over it. */
  globalKnownHostsFiles?: string[];
  /** The mode was set by a flag or ansible.cfg: it beats ssh_config's StrictHostKeyChecking. */
  hostKeyCheckingExplicit?: boolean;
  /** Default ~/.ssh/config; a missing file is no error. */
  sshConfigFile?: string;
  /** Default 600 000 ms: no command waits on the network without a bound. */
  commandTimeoutMs?: number;
  /** `-u`: the user for hosts whose inventory names none (it beats ssh_config's User, as in Ansible). */
  defaultUser?: string;
  /** ansible.cfg's private_key_file: the key for hosts whose inventory names none (beats ssh_config). */
  defaultIdentity?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK, `false` disables the agent. */
  agent?: string | false;
  /** Set by ConnectionPool: ssh_config, known_hosts and keys read once for the whole run. */
  files?: RunFiles;
}

export type ConnectResult = { ok: true; conn: Connection } | { ok: false; failure: ConnectFailure };
