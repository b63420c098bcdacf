import { isAbsolute, resolve } from 'node:path';
import { splitPattern } from '../load/limit.js';
import type { HostKeyChecking } from '../model/inventory.js';
import { UserError } from '../model/source.js';
import { ConnectionPool } from '../transport/index.js';
import type { EventListener } from './events.js';

/**
 * How a stage that talks to hosts connects. Nothing is read from the environment: no
 * SSH_AUTH_SOCK, no RUNSTATE_INVENTORY, no NO_COLOR. `~/.ssh/config` and `~/.ssh/known_hosts`
 * are read as ssh reads them unless the inventory or these options name other files.
 */
export interface ConnectOptions {
  /** Hosts handled at once (the CLI's --forks). Default 50. */
  forks?: number;
  /** Default 'strict'. */
  hostKeyChecking?: HostKeyChecking;
  /** Seconds. Default 10. */
  connectTimeout?: number;
  /** Seconds one host's observe script may take once connected. Default 60 (apply: at most its commandTimeout). */
  observeTimeout?: number;
  /** The SSH user of hosts whose inventory names none (the CLI's -u). */
  user?: string;
  /** An ssh-agent socket path; default none (the CLI uses $SSH_AUTH_SOCK, the SDK only this). */
  agent?: string;
  sshConfigFile?: string;
  knownHostsFile?: string;
  /** Aborted: no new host is connected to and no new step starts; connections are closed. */
  signal?: AbortSignal;
  /** Called for every event of the stage (see RunstateEvent). */
  onEvent?: EventListener;
}

export function forksOf(opts: ConnectOptions): number {
  return opts.forks ?? 50;
}

/** A pool per stage: each stage closes what it opened before it returns. */
export function poolFor(opts: ConnectOptions): ConnectionPool {
  return new ConnectionPool({
    hostKeyChecking: opts.hostKeyChecking ?? 'strict',
    connectTimeoutMs: (opts.connectTimeout ?? 10) * 1000,
    agent: opts.agent ?? false,
    ...(opts.user !== undefined ? { defaultUser: opts.user } : {}),
    ...(opts.sshConfigFile !== undefined ? { sshConfigFile: opts.sshConfigFile } : {}),
    ...(opts.knownHostsFile !== undefined ? { userKnownHostsFile: opts.knownHostsFile } : {}),
  });
}

/**
 * Paths are taken as given when absolute, else against `cwd`; a relative path with no `cwd` is
 * refused rather than read against whatever directory the host process happens to be in.
 */
export function resolvePaths(paths: string | string[], cwd: string | undefined, what: string): string[] {
  return (Array.isArray(paths) ? paths : [paths]).map((p) => {
    if (isAbsolute(p)) return p;
    if (cwd === undefined) {
      throw new UserError(
        `${what} path "${p}" is relative and no cwd was given`,
        undefined,
        'pass absolute paths, or options.cwd to resolve them against',
      );
    }
    return resolve(cwd, p);
  });
}

/** The reason a stage stopped for its signal, as fetch and timers do: an AbortError. */
export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * A limit whose `@file` terms name files against `cwd`, as the CLI's --limit does against its own
 * directory: relative ones are made absolute (refused without a cwd, like every path here), so
 * the loader never reads them against the host process's directory.
 */
export function limitAgainst(limit: string | undefined, cwd: string | undefined): string | undefined {
  if (limit === undefined || !limit.includes('@')) return limit;
  const terms = splitPattern(limit);
  if (!terms.some((t) => t.startsWith('@'))) return limit;
  return terms
    .map((t) => (t.startsWith('@') ? `@${resolvePaths(t.slice(1), cwd, 'limit file')[0]}` : t))
    .join(',');
}
