import type { ConnectFailure } from './types.js';

/** What a failure message needs to say where and as whom the connection was attempted. */
export interface FailureContext {
  host: string;
  address: string;
  port: number;
  user: string;
  /** Authentication methods offered, e.g. `ssh-agent`, `key /home/u/.ssh/id_ed25519`. */
  methods: string[];
  connectTimeoutMs: number;
}

function fieldOf(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null || !(name in err)) return undefined;
  const value = (err as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Turns a Node or ssh2 error from connecting into a failure a user can act on. */
export function classifyConnectError(err: unknown, ctx: FailureContext): ConnectFailure {
  const code = fieldOf(err, 'code');
  const level = fieldOf(err, 'level');
  const text = err instanceof Error ? err.message : String(err);
  const where = `${ctx.host} (${ctx.address}:${ctx.port})`;
  const failure = (kind: ConnectFailure['kind'], message: string, hint?: string): ConnectFailure => ({
    kind,
    host: ctx.host,
    message,
    ...(hint ? { hint } : {}),
  });

  if (code === 'ECONNREFUSED') {
    return failure(
      'refused',
      `connection to ${where} refused`,
      'is sshd running and listening on that port? check `port` in the inventory or ssh_config',
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || level === 'client-dns') {
    return failure(
      'dns',
      `cannot resolve ${ctx.address} (host ${ctx.host})`,
      'check `address` (ansible_host) in the inventory, HostName in ssh_config, or DNS',
    );
  }
  if (code === 'ETIMEDOUT' || level === 'client-timeout' || /timed out/i.test(text)) {
    return failure(
      'timeout',
      `no SSH answer from ${where} within ${ctx.connectTimeoutMs} ms`,
      'check the address and any firewall in between, or raise --connect-timeout',
    );
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(text)) {
    const tried = ctx.methods.length ? ctx.methods.join(', ') : 'none: no SSH key found and no ssh-agent';
    return failure(
      'auth',
      `SSH authentication as ${ctx.user} on ${where} failed (tried: ${tried})`,
      `check that one of these keys is in ~${ctx.user}/.ssh/authorized_keys on the host, or set user/identity in the inventory`,
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return failure('other', `no route to ${where} (${code})`, 'check the address and the network path');
  }
  return failure('other', `SSH connection to ${where} failed: ${text}`);
}

/** A failure on the way to a host, re-told for the host the user asked about. */
export function viaJump(failure: ConnectFailure, target: string, jump: string): ConnectFailure {
  return { ...failure, host: target, message: `via jump host ${jump}: ${failure.message}` };
}
