import type { Duplex } from 'node:stream';
import type { SSHConfig } from 'ssh-config';
import type { Client } from 'ssh2';
import { viaJump } from './failures.js';
import { type HandshakeOptions, handshake } from './handshake.js';
import { type ResolveEnv, resolveTarget, type SshTarget } from './ssh-config.js';
import type { ConnectFailure } from './types.js';

export interface DialOptions extends HandshakeOptions {
  config?: SSHConfig;
  env: ResolveEnv;
}

/** A connected target and the jump host connections its traffic runs through (outermost first). */
export interface Dialled {
  client: Client;
  carriers: Client[];
}

export type DialResult = { ok: true; dialled: Dialled } | { ok: false; failure: ConnectFailure };

/** A ProxyJump that leads back into itself would otherwise recurse forever. */
const MAX_JUMP_DEPTH = 5;

/**
 * Connects to `t`, first through its ProxyJump hops when it has any: each hop is an SSH
 * connection of its own (own keys, own host key check), the next one rides on a `direct-tcpip`
 * channel of the previous one, as `ssh -J` does.
 */
export async function dialTarget(t: SshTarget, opts: DialOptions, depth = 0): Promise<DialResult> {
  const [first, ...rest] = t.jumps;
  if (!first) {
    const hs = await handshake(t, opts);
    return hs.ok ? { ok: true, dialled: { client: hs.client, carriers: [] } } : hs;
  }
  if (depth >= MAX_JUMP_DEPTH) {
    const message = `ProxyJump for ${t.name} goes more than ${MAX_JUMP_DEPTH} hosts deep`;
    return {
      ok: false,
      failure: { kind: 'proxy', host: t.name, message, hint: 'look for a ProxyJump loop in ssh_config' },
    };
  }

  // The first hop is reached the way ssh would reach it on its own, its own ProxyJump included.
  const firstTarget = hopTarget(first, opts, true);
  const outer = await dialTarget(firstTarget, opts, depth + 1);
  if (!outer.ok) return { ok: false, failure: viaJump(outer.failure, t.name, first.host) };
  const carriers = [...outer.dialled.carriers, outer.dialled.client];

  // Later hops of a comma list are reached through the previous hop only.
  let previous = first.host;
  for (const hop of rest) {
    const ht = hopTarget(hop, opts, false);
    const stream = await forward(lastOf(carriers), ht.hostname, ht.port, opts.connectTimeoutMs);
    if (!stream.ok) return closeAndFail(carriers, unreachableVia(t, previous, ht, stream.error));
    const hs = await handshake(ht, opts, stream.stream);
    if (!hs.ok) return closeAndFail(carriers, viaJump(hs.failure, t.name, hop.host));
    carriers.push(hs.client);
    previous = hop.host;
  }

  const stream = await forward(lastOf(carriers), t.hostname, t.port, opts.connectTimeoutMs);
  if (!stream.ok) return closeAndFail(carriers, unreachableVia(t, previous, t, stream.error));
  const hs = await handshake({ ...t, jumps: [] }, opts, stream.stream);
  if (!hs.ok) return closeAndFail(carriers, hs.failure);
  return { ok: true, dialled: { client: hs.client, carriers } };
}

function lastOf(carriers: Client[]): Client {
  const last = carriers[carriers.length - 1];
  if (!last) throw new Error('a jump chain without a carrier');
  return last;
}

function hopTarget(
  hop: { host: string; user?: string; port?: number; identity?: string },
  opts: DialOptions,
  ownJumps: boolean,
): SshTarget {
  const resolved = resolveTarget(
    {
      name: hop.host,
      address: hop.host,
      ...(hop.port ? { port: hop.port } : {}),
      ...(hop.user ? { user: hop.user } : {}),
      ...(hop.identity ? { identity: hop.identity } : {}),
    },
    opts.config,
    opts.env,
  );
  return ownJumps ? resolved : { ...resolved, jumps: [] };
}

function forward(
  via: Client,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; stream: Duplex } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    try {
      via.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        clearTimeout(timer);
        if (err) resolve({ ok: false, error: err.message });
        else resolve({ ok: true, stream });
      });
    } catch (err) {
      clearTimeout(timer);
      resolve({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}

function unreachableVia(t: SshTarget, jump: string, dest: SshTarget, error: string): ConnectFailure {
  return {
    kind: 'proxy',
    host: t.name,
    message: `jump host ${jump} cannot reach ${dest.hostname}:${dest.port} (for ${t.name}): ${error}`,
    hint: 'check ProxyJump in ssh_config and that the jump host can reach the target',
  };
}

function closeAndFail(carriers: Client[], failure: ConnectFailure): DialResult {
  for (const c of [...carriers].reverse()) c.end();
  return { ok: false, failure };
}
