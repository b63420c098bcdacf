import pLimit from 'p-limit';
import type { GateProbes } from '../drift/index.js';
import type { Desired } from '../model/desired.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { ConnectionPool } from '../transport/index.js';
import { sshActions } from './ssh-actions.js';

export interface ProbedFleet {
  desired: Desired;
  observed: ObservedSnapshot;
  inventory: Inventory;
  pool: ConnectionPool;
}

/**
 * For drift: every declared gate of a service that should run and does, probed once now on its
 * own host (bounded by the gate's timeout), over the connections observe opened. A gate
 * declared but failing is drift even though nothing else about the service changed.
 */
export async function probeDeclaredGates(
  fleet: ProbedFleet,
  forks: number,
  signal?: AbortSignal,
): Promise<GateProbes> {
  const limit = pLimit(Math.max(1, forks));
  const probes: GateProbes = {};
  await Promise.all(
    Object.values(fleet.desired.hosts).map((want) =>
      limit(async () => {
        const seen = fleet.observed.hosts[want.host];
        const inv = hostNamed(fleet.inventory, want.host);
        if (seen?.status !== 'ok' || !inv || signal?.aborted) return;
        const gated = Object.values(want.services).filter(
          (s) => s.state === 'running' && s.health && seen.services[s.name]?.active === 'active',
        );
        if (gated.length === 0) return;
        const got = await fleet.pool.get(inv);
        if (!got.ok) return;
        const actions = sshActions(got.conn, { become: inv.become, settleSec: 0, commandTimeoutMs: 60_000 });
        const results: GateProbes[string] = {};
        for (const svc of gated) {
          if (svc.health) results[svc.name] = await actions.waitHealthy(svc.health, { once: true });
        }
        probes[want.host] = results;
      }),
    ),
  );
  return probes;
}
