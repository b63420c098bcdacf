import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
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

export function newPool(opts: CommonOptions): ConnectionPool {
  return new ConnectionPool({
    hostKeyChecking: opts.hostKeyChecking,
    ...(opts.hostKeyCheckingExplicit ? { hostKeyCheckingExplicit: true } : {}),
    connectTimeoutMs: opts.connectTimeout * 1000,
    ...(opts.user !== undefined ? { defaultUser: opts.user } : {}),
    ...(opts.privateKey !== undefined ? { defaultIdentity: opts.privateKey } : {}),
  });
}
