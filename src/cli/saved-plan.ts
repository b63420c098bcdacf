import pLimit from 'p-limit';
import { ALREADY_APPLIED, planUsedScript } from '../apply/plan-record.js';
import { differencesFromRebuilt, structuralProblems } from '../apply/saved-plan.js';
import { loadPlaybooks } from '../load/index.js';
import type { Inventory } from '../model/inventory.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { sanitizeHostText } from '../report/sanitize.js';
import type { ConnectionPool } from '../transport/index.js';
import type { Io } from './context.js';
import { planFleet, restrictDesired } from './prepare.js';

const quiet: Io = { out: () => {}, err: () => {}, isTTY: false, env: {} };

/**
 * Everything wrong with a saved plan before any host is contacted: its own consistency, then
 * every difference from the plan the drivers build again from the plan's playbooks and the
 * observed state it records (that state is compared with the hosts later, under their locks).
 */
export async function savedPlanProblems(
  plan: Plan,
  inventory: Inventory,
  pool: ConnectionPool,
): Promise<string[]> {
  const structural = structuralProblems(plan, inventory);
  if (structural.length > 0) return structural;
  const desired = await loadPlaybooks(plan.playbooks, inventory);
  const observed: ObservedSnapshot = {
    version: 1,
    hosts: Object.fromEntries(Object.entries(plan.hosts).map(([h, p]) => [h, p.observed])),
  };
  const limited = restrictDesired(desired, new Set(Object.keys(plan.hosts)));
  const { plan: rebuilt } = planFleet({ inventory, desired: limited, observed, pool }, quiet);
  return differencesFromRebuilt(plan, rebuilt);
}

/** Hosts (of `hosts`) that already applied the plan with this digest, each with who and when. */
export async function hostsThatApplied(
  digest: string,
  hosts: string[],
  inventory: Inventory,
  pool: ConnectionPool,
  forks: number,
): Promise<string[]> {
  const limit = pLimit(forks);
  const found = await Promise.all(
    hosts.map((host) =>
      limit(async () => {
        const inv = inventory.hosts[host];
        if (!inv) return undefined;
        const got = await pool.get(inv);
        if (!got.ok) return undefined; // the stale check names unreachable hosts
        const res = await got.conn.runScript(planUsedScript(digest), {
          become: inv.become,
          timeoutMs: 30_000,
        });
        return res.code === ALREADY_APPLIED ? `${host}: ${sanitizeHostText(res.stdout.trim())}` : undefined;
      }),
    ),
  );
  return found.filter((f): f is string => f !== undefined);
}
