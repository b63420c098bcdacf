import pLimit from 'p-limit';
import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import type { ObservedHost, ObservedSnapshot } from '../model/observed.js';
import { buildObserveScript, newNonce, parseObserveOutput } from '../observe/index.js';
import { ConnectionPool } from '../transport/index.js';
import type { CommonOptions, Io } from './context.js';

/** How long the one observe script may run on a host before the host counts as unreachable. */
const OBSERVE_TIMEOUT_MS = 60_000;

export interface Gathered {
  snapshot: ObservedSnapshot;
  /** Open connections, kept for the executor so a run uses one connection per host. */
  pool: ConnectionPool;
}

/**
 * Observes every host of `desired` (or, with no playbook, every inventory host): one connection
 * and one script per host, `--forks` hosts at a time. Unreachable hosts are facts, not errors.
 */
export async function gatherFacts(
  inventory: Inventory,
  desired: Desired | undefined,
  opts: CommonOptions,
  io: Io,
  hostNames: string[] = Object.keys(desired?.hosts ?? inventory.hosts),
  pool: ConnectionPool = newPool(opts),
): Promise<Gathered> {
  const limit = pLimit(opts.forks);
  const results = await Promise.all(
    [...hostNames].sort().map((name) =>
      limit(async (): Promise<ObservedHost> => {
        const host = inventory.hosts[name];
        if (!host) return { status: 'unreachable', host: name, reason: 'not in the inventory' };
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
          ...(users ? { users } : {}),
        };
        const script = buildObserveScript(services, nonce, watchesOf(desired, name), observeOpts);
        const res = await got.conn.runScript(script, {
          timeoutMs: OBSERVE_TIMEOUT_MS,
          become: host.become,
        });
        if (opts.verbose) {
          const channels = got.conn.channelsOpened();
          io.err(
            `observed ${name} in ${Date.now() - started} ms, ${channels} SSH channel(s) (exit ${res.code})\n`,
          );
        }
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
  return { snapshot: { version: 1, hosts }, pool };
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

export function newPool(opts: CommonOptions): ConnectionPool {
  return new ConnectionPool({
    hostKeyChecking: opts.hostKeyChecking,
    connectTimeoutMs: opts.connectTimeout * 1000,
    ...(opts.user !== undefined ? { defaultUser: opts.user } : {}),
  });
}
