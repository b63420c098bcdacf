import type { Desired } from '../model/desired.js';
import type { ObservedHost, ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { hostDigest, scopeToServices } from '../plan/index.js';

/**
 * Observes `hosts` again exactly as the plan did (same services, same watched files), through
 * `observeWith`, and names every host whose state no longer has the digest the plan recorded:
 * "db1: crm-db active: inactive → active". Empty when the plan is still current.
 */
export async function staleHosts(
  plan: Plan,
  hosts: string[],
  observeWith: (desired: Desired) => Promise<ObservedSnapshot>,
): Promise<string[]> {
  const desiredShape: Desired = {
    playbooks: plan.playbooks,
    hosts: Object.fromEntries(
      hosts.map((h) => [
        h,
        {
          host: h,
          services: Object.fromEntries(
            (plan.hosts[h]?.services ?? []).map((s) => [
              s,
              placeholderService(s, plan.hosts[h]?.watches?.[s], plan.hosts[h]?.users?.[s]),
            ]),
          ),
        },
      ]),
    ),
  };
  const snapshot = await observeWith(desiredShape);
  const stale: string[] = [];
  for (const h of hosts) {
    const then = plan.hosts[h];
    const reported = snapshot.hosts[h];
    if (!then) continue;
    if (!reported) {
      stale.push(`${h}: not observed again`);
      continue;
    }
    const now = scopeToServices(reported, then.services);
    if (hostDigest(now) === then.digest) continue;
    stale.push(
      `${h}: ${describeChange(then.observed, now).join('; ') || 'observed state differs from the plan'}`,
    );
  }
  return stale;
}

/** The observe script only reads service names, watched files and users; the rest is not read there. */
function placeholderService(
  name: string,
  watches: string[] | undefined,
  user: string | undefined,
): Desired['hosts'][string]['services'][string] {
  return {
    name,
    state: 'running',
    tier: 'main',
    manager: 'auto',
    requires: [],
    origin: {},
    ...(watches ? { restart: { onChange: watches } } : {}),
    ...(user ? { user } : {}),
  };
}

/** "crm-db active: inactive → active", "runlevel: 2 → 3", "now unreachable (…)". */
export function describeChange(then: ObservedHost | undefined, now: ObservedHost): string[] {
  if (!then) return [];
  if (then.status !== now.status) {
    return [now.status === 'unreachable' ? `now unreachable (${now.reason})` : 'reachable again'];
  }
  if (then.status !== 'ok' || now.status !== 'ok') return [];
  const out: string[] = [];
  if (then.runlevel.current !== now.runlevel.current) {
    out.push(`runlevel: ${then.runlevel.current ?? '?'} → ${now.runlevel.current ?? '?'}`);
  }
  if (then.runlevel.default !== now.runlevel.default) {
    out.push(`default runlevel: ${then.runlevel.default ?? '?'} → ${now.runlevel.default ?? '?'}`);
  }
  const names = new Set([...Object.keys(then.services), ...Object.keys(now.services)]);
  for (const name of [...names].sort()) {
    const a = then.services[name];
    const b = now.services[name];
    if (a?.active !== b?.active)
      out.push(`${name} active: ${a?.active ?? 'absent'} → ${b?.active ?? 'absent'}`);
    if (a?.enabled !== b?.enabled)
      out.push(`${name} enabled: ${a?.enabled ?? 'absent'} → ${b?.enabled ?? 'absent'}`);
  }
  return out;
}
