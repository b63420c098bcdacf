import type { ManagerKind } from './desired.js';
import type { SourceRef } from './source.js';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';
export type ConnectionKind = 'ssh' | 'local';

/** A host as the inventory resolves it, after group/host vars precedence (Ansible's rules). */
export interface InventoryHost {
  name: string;
  address: string; // ansible_host / address; defaults to the name
  port?: number; // ansible_port / port; undefined = ssh_config or 22
  user?: string; // ansible_user / user
  identity?: string; // ansible_ssh_private_key_file / identity
  become: boolean; // ansible_become / become
  knownHosts?: string; // runstate's known_hosts: a path
  connection: ConnectionKind;
  /** `runstate_init`: the host's init system as the inventory states it; observe does not probe. */
  init?: ManagerKind;
  /** Every group the host belongs to, transitively, sorted; always includes "all". */
  groups: string[];
  /** Merged variables (all < parent groups < child groups < host), for reference. */
  vars: Record<string, unknown>;
  source: SourceRef;
}

export interface InventoryGroup {
  name: string;
  /** Hosts in the group, transitively through children, sorted. */
  hosts: string[];
  children: string[];
  source: SourceRef;
}

export interface Inventory {
  files: string[];
  hosts: Record<string, InventoryHost>;
  groups: Record<string, InventoryGroup>;
}
