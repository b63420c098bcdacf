import pLimit from 'p-limit';
import type { Desired, ManagerKind } from '../model/desired.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import type { ObservedHost, ObservedSnapshot } from '../model/observed.js';
import type { ConnectionPool } from '../transport/index.js';
import { buildObserveScript, newNonce, parseObserveOutput, type ResourceRequest } from './index.js';

/** How long the one observe script may run on a host before the host counts as unreachable. */
const OBSERVE_TIMEOUT_MS = 60_000;

/** What one host's observation cost: for `-v` and for the SDK's events. */
export interface HostObserved {
  host: string;
  ms: number;
  channels: number;
  exitCode: number | null;
}

export interface GatherOptions {
  /** Hosts observed at once (`--forks`). */
  forks: number;
  /** Aborted: no new host is connected to; hosts already being observed finish. */
  signal?: AbortSignal;
  onObserved?: (info: HostObserved) => void;
  /** facts --resources: the resources section on every host, whatever it declares. */
  resources?: boolean;
}

/**
 * Observes every host of `desired` (or, with no playbook, every inventory host): one connection
 * and one script per host, `forks` hosts at a time, over `pool` (left open for the executor, so
 * a run uses one connection per host). Unreachable hosts are facts, not errors. Shared by the
 * CLI and the SDK; it writes nothing anywhere itself.
 */
export async function gatherSnapshot(
  inventory: Inventory,
  desired: Desired | undefined,
  pool: ConnectionPool,
  opts: GatherOptions,
  hostNames: string[] = Object.keys(desired?.hosts ?? inventory.hosts),
): Promise<ObservedSnapshot> {
  const limit = pLimit(opts.forks);
  const results = await Promise.all(
    [...hostNames].sort().map((name) =>
      limit(async (): Promise<ObservedHost> => {
        const host = hostNamed(inventory, name);
        if (!host) return { status: 'unreachable', host: name, reason: 'not in the inventory' };
        if (opts.signal?.aborted)
          return { status: 'unreachable', host: name, reason: 'not observed: aborted' };
        const services = Object.keys(desired?.hosts[name]?.services ?? {}).sort();
        const got = await pool.get(host);
        if (!got.ok) {
          const hint = got.failure.hint ? ` (${got.failure.hint})` : '';
          return { status: 'unreachable', host: name, reason: `${got.failure.message}${hint}` };
        }
        const nonce = newNonce();
        const started = Date.now();
        // With no playbook there is nothing declared: list every service the host knows.
        const users = usersOf(desired, name);
        const observeOpts = {
          discover: desired === undefined,
          ...(host.init !== undefined ? { init: host.init } : {}),
          managers: declaredManagers(desired, name),
          ...resourcesOf(desired, name, opts.resources === true),
          ...(users ? { users } : {}),
        };
        const script = buildObserveScript(services, nonce, watchesOf(desired, name), observeOpts);
        const res = await got.conn.runScript(script, {
          timeoutMs: OBSERVE_TIMEOUT_MS,
          become: host.become,
        });
        opts.onObserved?.({
          host: name,
          ms: Date.now() - started,
          channels: got.conn.channelsOpened(),
          exitCode: res.code,
        });
        if (res.timedOut) {
          return {
            status: 'unreachable',
            host: name,
            reason: `observing took over ${OBSERVE_TIMEOUT_MS / 1000} s`,
          };
        }
        const parsed = parseObserveOutput(name, res.stdout, nonce, services, observeOpts);
        // The transport knows why nothing came back (sudo wants a password, the connection dropped).
        if (parsed.status === 'unreachable' && res.error) return { ...parsed, reason: res.error };
        return parsed;
      }),
    ),
  );
  const hosts: Record<string, ObservedHost> = {};
  for (const r of results) hosts[r.host] = r;
  return { version: 1, hosts };
}

/**
 * The opt-in resources section for a host: what its thresholds and limits need, or (facts
 * --resources) everything: host figures, its declared mounts or `/`, each declared service.
 */
function resourcesOf(
  desired: Desired | undefined,
  host: string,
  all: boolean,
): { resources?: ResourceRequest } {
  const want = desired?.hosts[host];
  const r = want?.resources;
  const services = Object.values(want?.services ?? {})
    .filter((s) => all || s.limits !== undefined)
    .map((s) => ({ name: s.name, manager: s.manager }));
  const mounts = Object.keys(r?.disk ?? {});
  const hostWide = all || r?.memory !== undefined || r?.swap !== undefined || r?.load !== undefined;
  if (!hostWide && mounts.length === 0 && services.length === 0) return {};
  return {
    resources: { host: hostWide, mounts: all && mounts.length === 0 ? ['/'] : mounts.sort(), services },
  };
}

/** The manager each service's playbook names (auto left out): those drivers answer for them. */
function declaredManagers(desired: Desired | undefined, host: string): Record<string, ManagerKind> {
  const out: Record<string, ManagerKind> = {};
  for (const s of Object.values(desired?.hosts[host]?.services ?? {})) {
    if (s.manager !== 'auto') out[s.name] = s.manager;
  }
  return out;
}

/** restart.on_change paths per service of a host, for the observe script's watch section. */
function watchesOf(desired: Desired | undefined, host: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of Object.values(desired?.hosts[host]?.services ?? {})) {
    if (s.restart && s.restart.onChange.length > 0) out[s.name] = s.restart.onChange;
  }
  return out;
}

/** Declared user units of a host, service → login (observed in that user's manager). */
export function usersOf(desired: Desired | undefined, host: string): Record<string, string> | undefined {
  const entries = Object.values(desired?.hosts[host]?.services ?? {})
    .filter((s) => s.user !== undefined)
    .map((s): [string, string] => [s.name, s.user as string]);
  return entries.length > 0 ? Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1))) : undefined;
}
