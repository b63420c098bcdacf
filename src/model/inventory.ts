import type { ManagerKind } from './desired.js';
import type { Problem, SourceRef } from './source.js';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';
export type ConnectionKind = 'ssh' | 'local';

/** How commands gain privilege on a host (Ansible's become plugins runstate implements). */
export interface BecomeSpec {
  method: 'sudo' | 'su';
  /** ansible_become_user; undefined = root. */
  user?: string;
  /** ansible_become_flags, split into words. */
  flags: string[];
}

/** One jump host on the way to a host (ssh -J / ProxyCommand "ssh -W %h:%p"). */
export interface JumpHop {
  host: string;
  user?: string;
  port?: number;
  identity?: string;
}

/** A host as the inventory resolves it, after group/host vars precedence (Ansible's rules). */
export interface InventoryHost {
  name: string;
  address: string; // ansible_host (ansible_ssh_host wins when both are set); defaults to the name
  port?: number; // ansible_port / ansible_ssh_port; undefined = ssh_config or 22
  user?: string; // ansible_user / ansible_ssh_user
  identity?: string; // ansible_private_key_file / ansible_ssh_private_key_file
  become: boolean; // ansible_become
  /** With become: how (ansible_become_method/_user/_flags); absent = sudo to root. */
  becomeSpec?: BecomeSpec;
  /** Jump hosts from ansible_ssh_common_args / _extra_args (`-J`, `-o ProxyJump=`, ProxyCommand `ssh -W`), outermost first; they replace ssh_config's ProxyJump. */
  jumps?: JumpHop[];
  knownHosts?: string; // runstate_known_hosts: a path
  connection: ConnectionKind;
  /** `runstate_init`: the host's init system as the inventory states it; observe does not probe. */
  init?: ManagerKind;
  /** Every group the host belongs to, transitively, sorted; includes "all" (empty for the implicit localhost). */
  groups: string[];
  /** Merged variables (all < parent groups < child groups < host), as `ansible-inventory --list` shows them. */
  vars: Record<string, unknown>;
  /**
   * Why runstate will not act on this host (a connection plugin or Jinja it does not have, a
   * password variable): an error when a command targets the host, a warning in `validate` otherwise.
   */
  refused?: Problem[];
  source: SourceRef;
}

export interface InventoryGroup {
  name: string;
  /** Hosts in the group, transitively through children, sorted. */
  hosts: string[];
  /** Hosts listed in the group itself, in the inventory's order. */
  ownHosts?: string[];
  /** Child groups, in the inventory's order. */
  children: string[];
  vars?: Record<string, unknown>;
  source: SourceRef;
}

export interface Inventory {
  files: string[];
  hosts: Record<string, InventoryHost>;
  groups: Record<string, InventoryGroup>;
  /** Hosts and groups in the order the inventory first names them (Ansible's, for patterns). */
  order?: { hosts: string[]; groups: string[] };
  /** Things runstate read but does not act on (unimplemented ansible_* variables), with file:line. */
  warnings?: Problem[];
  /** Ansible's implicit localhost, kept out of `hosts` because it is in no group, not even `all`. */
  implicitLocalhost?: ImplicitLocalhost;
}

/** The names ansible-core's implicit localhost answers to (constants.LOCALHOST). */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/**
 * ansible-core's InventoryData._create_implicit_localhost: a name of LOCALHOST_NAMES that the
 * inventory does not define becomes, when a playbook key or `--limit` names it exactly, a host
 * with `ansible_connection: local`, the `all` group's variables and its own host_vars/ file. It
 * is made once, under the first name used; patterns (`all`, `*`, groups) never match it and
 * `inventory --list` does not show it.
 */
export interface ImplicitLocalhost {
  /** The host as it would be made under each such name the inventory does not define. */
  candidates: Record<string, InventoryHost>;
  /**
   * The name it was made under in this run; unset until something names it. When the inventory
   * defines one of the names, that host (the first defined) from the start: it answers to all three.
   */
  name?: string;
}

/** A host by name: the inventory's own, or the implicit localhost once it was made under that name. */
export function hostNamed(inventory: Inventory, name: string): InventoryHost | undefined {
  const own = inventory.hosts[name];
  if (own) return own;
  const implicit = inventory.implicitLocalhost;
  return implicit?.name === name ? implicit.candidates[name] : undefined;
}

/**
 * Names `name` the way Ansible's get_host() does: the inventory's host, else the implicit
 * localhost (made now if this is its first mention; later mentions of another of its names get
 * the same host), else undefined.
 */
export function useHost(inventory: Inventory, name: string): InventoryHost | undefined {
  const own = inventory.hosts[name];
  if (own) return own;
  const implicit = inventory.implicitLocalhost;
  if (!implicit || !LOCALHOST_NAMES.includes(name)) return undefined;
  if (implicit.name === undefined && implicit.candidates[name]) implicit.name = name;
  if (implicit.name === undefined) return undefined;
  return inventory.hosts[implicit.name] ?? implicit.candidates[implicit.name];
}

/** The implicit localhost's name when something in this run named it (and it is not an inventory host). */
export function implicitHostInUse(inventory: Inventory): string[] {
  const name = inventory.implicitLocalhost?.name;
  return name === undefined || inventory.hosts[name] ? [] : [name];
}
