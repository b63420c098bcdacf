import { readFileSync } from 'node:fs';
import { parse as parseSshConfig, type SSHConfig } from 'ssh-config';
import type { HostKeyChecking } from '../model/inventory.js';

/** One hop of a ProxyJump list: `[user@]host[:port]`. */
export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
  /** From a ProxyCommand's `-i KEY`; otherwise ssh_config's or the default keys. */
  identity?: string;
}

export interface IdentityRef {
  path: string;
  /** inventory/ssh_config files were asked for by name; defaults are tried only when present. */
  source: 'inventory' | 'ssh_config' | 'default';
}

/** Where and how to reach one SSH endpoint, after the inventory and ~/.ssh/config are merged. */
export interface SshTarget {
  /** The inventory host this is for (or the jump spec's host), used in messages. */
  name: string;
  /** The name ssh_config `Host` patterns were matched against. */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  identities: IdentityRef[];
  /** ProxyJump hops, outermost first; empty when connecting directly. */
  jumps: JumpSpec[];
  /** ssh_config's host key options for this host, where it sets them. */
  hostKeys: HostKeyOptions;
}

/** UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking and HostKeyAlias, as ssh reads them. */
export interface HostKeyOptions {
  userFiles?: string[];
  globalFiles?: string[];
  strict?: HostKeyChecking;
  alias?: string;
}

export interface TargetRequest {
  name: string;
  address: string;
  port?: number;
  user?: string;
  identity?: string;
  /** Jump hosts from the inventory (ansible_ssh_common_args); they replace ssh_config's ProxyJump. */
  jumps?: JumpSpec[];
}

export interface ResolveEnv {
  home: string;
  localUser: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Reads ~/.ssh/config; a missing file is an empty config, as for ssh. */
export function loadSshConfig(file: string): { ok: true; config?: SSHConfig } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true };
    return { ok: false, error: `cannot read ssh config ${file}: ${(err as Error).message}` };
  }
  try {
    return { ok: true, config: parseSshConfig(text) };
  } catch (err) {
    return { ok: false, error: `cannot parse ssh config ${file}: ${(err as Error).message}` };
  }
}

/**
 * Merges the inventory with ssh_config for `req.address` (what Ansible hands to ssh): inventory
 * values win, ssh_config fills the gaps, then ssh's own defaults.
 */
export function resolveTarget(req: TargetRequest, config: SSHConfig | undefined, env: ResolveEnv): SshTarget {
  const alias = req.address;
  // `Match exec` would run a shell command while computing; runstate never does that behind a user's back.
  const computed = config ? config.compute(alias, { ignoreCase: true, matchExec: false }) : {};
  const pick = (key: string): string | undefined => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const configPort = Number(pick('port'));
  const port =
    req.port ?? (Number.isInteger(configPort) && configPort > 0 && configPort < 65536 ? configPort : 22);
  const user = req.user ?? pick('user') ?? env.localUser;
  const hostnameRaw = pick('hostname');
  const hostname = hostnameRaw ? expandTokens(hostnameRaw, { h: alias, n: alias }, env) : alias;
  const tokens = { h: hostname, n: alias, p: String(port), r: user };

  let identities: IdentityRef[];
  const fromConfig = computed.identityfile;
  if (req.identity) {
    identities = [{ path: expandTokens(req.identity, tokens, env), source: 'inventory' }];
  } else if (fromConfig !== undefined) {
    const list = Array.isArray(fromConfig) ? fromConfig : [fromConfig];
    identities = list.map((p) => ({ path: expandTokens(p, tokens, env), source: 'ssh_config' as const }));
  } else {
    identities = DEFAULT_KEYS.map((k) => ({ path: `${env.home}/.ssh/${k}`, source: 'default' as const }));
  }

  const jumpText = pick('proxyjump');
  const jumps = req.jumps ?? (jumpText ? parseProxyJump(jumpText) : []);
  const hostKeys = hostKeyOptions(computed, tokens, env);
  return { name: req.name, alias, hostname, port, user, identities, jumps, hostKeys };
}

/**
 * ssh_config(5): StrictHostKeyChecking yes → strict, accept-new, no/off → off; `ask` needs a
 * terminal runstate does not have, so it is strict. Files are whitespace-separated lists; `none`
 * means no file.
 */
function hostKeyOptions(
  computed: Record<string, string | string[]>,
  tokens: Record<string, string>,
  env: ResolveEnv,
): HostKeyOptions {
  const out: HostKeyOptions = {};
  const pick = (key: string): string | undefined => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const files = (key: string) => {
    const v = computed[key];
    if (v === undefined) return undefined;
    const words = (Array.isArray(v) ? v : [v]).flatMap((w) => w.split(/\s+/));
    const list = words.filter((f) => f !== '' && f.toLowerCase() !== 'none');
    return list.map((f) => expandTokens(f, tokens, env));
  };
  const user = files('userknownhostsfile');
  if (user) out.userFiles = user;
  const global = files('globalknownhostsfile');
  if (global) out.globalFiles = global;
  const strict = pick('stricthostkeychecking')?.toLowerCase();
  if (strict === 'yes' || strict === 'ask') out.strict = 'strict';
  else if (strict === 'accept-new') out.strict = 'accept-new';
  else if (strict === 'no' || strict === 'off') out.strict = 'off';
  const alias = pick('hostkeyalias');
  if (alias) out.alias = alias;
  return out;
}

/** `none`, or a comma list of `[ssh://][user@]host[:port]` (host may be a bracketed IPv6 address). */
export function parseProxyJump(value: string): JumpSpec[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const hops: JumpSpec[] = [];
  for (const part of value.split(',')) {
    const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:/@\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(part.trim());
    if (!m?.[2]) continue;
    const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
    hops.push({ host, ...(m[1] ? { user: m[1] } : {}), ...(m[3] ? { port: Number(m[3]) } : {}) });
  }
  return hops;
}

/** ssh_config's `~` and `%` tokens (ssh_config(5) "TOKENS"), for the ones runstate knows. */
export function expandTokens(value: string, tokens: Record<string, string>, env: ResolveEnv): string {
  const all: Record<string, string> = { '%': '%', d: env.home, u: env.localUser, ...tokens };
  const expanded = value.replace(/%(.)/g, (whole, t: string) => all[t] ?? whole);
  if (expanded === '~') return env.home;
  return expanded.startsWith('~/') ? `${env.home}${expanded.slice(1)}` : expanded;
}
