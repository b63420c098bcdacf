import type { Desired } from '../model/desired.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import { gatherSnapshot } from '../observe/gather.js';
import { ConnectionPool } from '../transport/index.js';
import type { CommonOptions, Io } from './context.js';

export interface Gathered {
  snapshot: ObservedSnapshot;
  /** Open connections, kept for the executor so a run uses one connection per host. */
  pool: ConnectionPool;
}

/** The CLI's observe: src/observe/gather.ts, with `-v` printing what each host cost. */
export async function gatherFacts(
  inventory: Inventory,
  desired: Desired | undefined,
  opts: CommonOptions,
  io: Io,
  hostNames: string[] = Object.keys(desired?.hosts ?? inventory.hosts),
  pool: ConnectionPool = newPool(opts),
): Promise<Gathered> {
  warnUncheckedBySshConfig(inventory, hostNames, pool, io);
  const snapshot = await gatherSnapshot(
    inventory,
    desired,
    pool,
    {
      forks: opts.forks,
      ...(opts.observeTimeout !== undefined ? { timeoutMs: opts.observeTimeout * 1000 } : {}),
      ...(opts.resources === true ? { resources: true } : {}),
      ...(opts.verbose
        ? {
            onObserved: (o) =>
              io.err(`observed ${o.host} in ${o.ms} ms, ${o.channels} SSH channel(s) (exit ${o.exitCode})\n`),
          }
        : {}),
    },
    hostNames,
  );
  return { snapshot, pool };
}

/** Once per process: `watch` observes again and again, and the warning says the same each time. */
const warned = new Set<string>();

/**
 * ssh_config's `StrictHostKeyChecking no` turns checking off as surely as `--host-key-checking
 * off`, so it gets the same warning, naming the hosts and the lines that do it.
 */
function warnUncheckedBySshConfig(
  inventory: Inventory,
  hostNames: string[],
  pool: ConnectionPool,
  io: Io,
): void {
  const hosts = hostNames.flatMap((n) => hostNamed(inventory, n) ?? []);
  const found = pool.uncheckedBySshConfig(hosts);
  if (!found) return;
  const where = found.lines.length > 0 ? found.lines.map((l) => `${found.file}:${l}`).join(', ') : found.file;
  const message = `warning: host keys of ${found.hosts.join(', ')} are not checked (StrictHostKeyChecking no at ${where}): anyone on the path can pose as those hosts and read what runstate sends\n`;
  if (warned.has(message)) return;
  warned.add(message);
  io.err(message);
}

export function newPool(opts: CommonOptions): ConnectionPool {
  return new ConnectionPool({
    hostKeyChecking: opts.hostKeyChecking,
    ...(opts.hostKeyCheckingExplicit ? { hostKeyCheckingExplicit: true } : {}),
    connectTimeoutMs: opts.connectTimeout * 1000,
    ...(opts.user !== undefined ? { defaultUser: opts.user } : {}),
    ...(opts.privateKey !== undefined ? { defaultIdentity: opts.privateKey } : {}),
  });
}
