import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SSHConfig } from 'ssh-config';
import type { InventoryHost } from '../model/inventory.js';
import type { RunFiles } from './run-files.js';
import { loadSshConfig, resolveTarget } from './ssh-config.js';

/** Hosts whose host keys ssh_config's `StrictHostKeyChecking no` leaves unchecked, and where it says so. */
export interface UncheckedBySshConfig {
  file: string;
  /** Lines of the file that say `StrictHostKeyChecking no` (or `off`). */
  lines: number[];
  /** The inventory hosts (and jump hosts) it applies to, sorted. */
  hosts: string[];
}

/**
 * Which of `hosts` (over SSH, and their jump hosts) ssh_config leaves unchecked, so the run can
 * warn as loudly as it does for `--host-key-checking off`. Nothing when a flag or ansible.cfg set
 * the mode (they beat ssh_config) or the file cannot be read (connecting reports that).
 */
export function uncheckedBySshConfig(
  hosts: readonly InventoryHost[],
  opts: { sshConfigFile?: string; hostKeyCheckingExplicit?: boolean; files?: RunFiles },
): UncheckedBySshConfig | undefined {
  if (opts.hostKeyCheckingExplicit) return undefined;
  const env = { home: homedir(), localUser: userInfo().username };
  const file = opts.sshConfigFile ?? join(env.home, '.ssh', 'config');
  // The run's own read of the file when there is one (the pool's), so it is read once per run.
  const loaded = opts.files ? opts.files.sshConfig(file) : loadSshConfig(file);
  if (!loaded.ok || !loaded.config) return undefined;
  const config = loaded.config;
  // Most configs say no such thing: then no host needs resolving (a fleet of thousands costs nothing).
  const lines = strictOffLines(config);
  if (lines.length === 0) return undefined;
  const off = new Set<string>();
  const check = (name: string, address: string, jumps: InventoryHost['jumps']) => {
    const t = resolveTarget({ name, address, ...(jumps ? { jumps } : {}) }, config, env);
    if (t.hostKeys.strict === 'off') off.add(name);
    for (const hop of t.jumps) {
      if (resolveTarget({ name: hop.host, address: hop.host }, config, env).hostKeys.strict === 'off')
        off.add(`${hop.host} (jump host of ${name})`);
    }
  };
  for (const h of hosts) if (h.connection === 'ssh') check(h.name, h.address, h.jumps);
  if (off.size === 0) return undefined;
  return { file, lines, hosts: [...off].sort() };
}

/**
 * The 1-based lines of `StrictHostKeyChecking no|off` directives. ssh-config keeps every byte
 * around a directive (`before`, `after`), so counting their newlines gives each one's line.
 */
export function strictOffLines(config: SSHConfig): number[] {
  const out: number[] = [];
  let line = 1;
  const newlines = (s: unknown) => (typeof s === 'string' ? s.split('\n').length - 1 : 0);
  const walk = (nodes: readonly unknown[]) => {
    for (const node of nodes) {
      const n = node as Record<string, unknown>;
      line += newlines(n.before);
      const param = typeof n.param === 'string' ? n.param.toLowerCase() : '';
      const value = typeof n.value === 'string' ? n.value.toLowerCase() : '';
      if (param === 'stricthostkeychecking' && (value === 'no' || value === 'off')) out.push(line);
      line += newlines(n.content) + newlines(n.after);
      if (Array.isArray(n.config)) walk(n.config);
    }
  };
  walk(config);
  return out;
}
