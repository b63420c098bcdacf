import pLimit from 'p-limit';
import { sshActions } from '../apply/ssh-actions.js';
import type { GateProbes } from '../drift/index.js';
import type { CommonOptions } from './context.js';
import type { Fleet } from './prepare.js';

/**
 * For drift: every declared gate of a service that should run and does, probed once now on its
 * own host (bounded by the gate's timeout), over the connections observe opened. A gate
 * declared but failing is drift even though nothing else about the service changed. A snapshot
 * cannot be probed: with `--observed` there are no health items (undefined).
 */
export async function probeGates(
  fleet: Fleet,
  opts: CommonOptions & { observed?: string },
): Promise<GateProbes | undefined> {
  if (opts.observed) return undefined;
  const limit = pLimit(Math.max(1, opts.forks));
  const probes: GateProbes = {};
  await Promise.all(
    Object.values(fleet.desired.hosts).map((want) =>
      limit(async () => {
        const seen = fleet.observed.hosts[want.host];
        const inv = fleet.inventory.hosts[want.host];
        if (seen?.status !== 'ok' || !inv) return;
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
