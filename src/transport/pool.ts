import type { InventoryHost } from '../model/inventory.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './command.js';
import { LocalConnection } from './local.js';
import { RunFiles } from './run-files.js';
import { connectSsh } from './ssh.js';
import type { Connection, ConnectOptions, ConnectResult } from './types.js';
import { type UncheckedBySshConfig, uncheckedBySshConfig } from './unchecked.js';

/** Opens one connection to a host: SSH, or child processes for `connection: local`. */
export function connect(host: InventoryHost, opts: ConnectOptions): Promise<ConnectResult> {
  return openConnection(host, opts);
}

function openConnection(
  host: InventoryHost,
  opts: ConnectOptions,
  onClosed?: () => void,
): Promise<ConnectResult> {
  if (host.connection === 'local') {
    const timeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const conn = new LocalConnection(host.name, timeout, host.becomeSpec);
    return Promise.resolve({ ok: true, conn });
  }
  return connectSsh(host, opts, onClosed);
}

/**
 * One connection per host, reused for every command of a run. Concurrent get() calls for a host
 * share one attempt. A failure is not remembered (a later get() tries again), and neither is a
 * connection the server dropped.
 */
export class ConnectionPool {
  private readonly byHost = new Map<string, Promise<ConnectResult>>();
  private readonly opts: ConnectOptions;

  constructor(opts: ConnectOptions) {
    // One read of ssh_config, known_hosts and keys for every connection of the pool (the run).
    this.opts = { ...opts, files: opts.files ?? new RunFiles() };
  }

  get(host: InventoryHost): Promise<ConnectResult> {
    const existing = this.byHost.get(host.name);
    if (existing) return existing;
    const attempt: Promise<ConnectResult> = openConnection(host, this.opts, () => {
      if (this.byHost.get(host.name) === attempt) this.byHost.delete(host.name);
    }).then((res) => {
      if (!res.ok && this.byHost.get(host.name) === attempt) this.byHost.delete(host.name);
      return res;
    });
    this.byHost.set(host.name, attempt);
    return attempt;
  }

  /** Which of `hosts` ssh_config leaves unchecked under this pool's options (its ssh_config, read once). */
  uncheckedBySshConfig(hosts: readonly InventoryHost[]): UncheckedBySshConfig | undefined {
    return uncheckedBySshConfig(hosts, {
      ...(this.opts.sshConfigFile !== undefined ? { sshConfigFile: this.opts.sshConfigFile } : {}),
      ...(this.opts.hostKeyCheckingExplicit ? { hostKeyCheckingExplicit: true } : {}),
      ...(this.opts.files ? { files: this.opts.files } : {}),
    });
  }

  async closeAll(): Promise<void> {
    const attempts = [...this.byHost.values()];
    this.byHost.clear();
    const conns: Connection[] = [];
    for (const res of await Promise.all(attempts)) if (res.ok) conns.push(res.conn);
    await Promise.all(conns.map((c) => c.close()));
  }
}
