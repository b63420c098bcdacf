import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { initKinds } from '../drivers/index.js';
import type { ManagerKind } from '../model/desired.js';
import type { BecomeSpec, ConnectionKind, InventoryHost } from '../model/inventory.js';
import type { Problem } from '../model/source.js';
import type { VarMap, VarValue } from './inventory-parse.js';
import { hasTemplate, renderTemplate } from './jinja.js';
import { q } from './names.js';
import { sshArgsToJump } from './ssh-args.js';

/**
 * The variables runstate acts on. Where Ansible has a modern and a legacy spelling, the one
 * listed last wins when both are set, as in ansible-core's ssh plugin (`vars:` order).
 */
const READ = {
  address: ['ansible_host', 'ansible_ssh_host'],
  port: ['ansible_port', 'ansible_ssh_port'],
  user: ['ansible_user', 'ansible_ssh_user'],
  identity: ['ansible_private_key_file', 'ansible_ssh_private_key_file'],
  become: ['ansible_become'],
  becomeUser: ['ansible_become_user'],
  becomeMethod: ['ansible_become_method'],
  becomeFlags: ['ansible_become_flags'],
  connection: ['ansible_connection'],
  sshArgs: ['ansible_ssh_common_args', 'ansible_ssh_extra_args'],
  knownHosts: ['runstate_known_hosts'],
} as const;

const PASSWORDS = new Set([
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_sudo_pass',
  'ansible_sudo_password',
  'ansible_su_pass',
  'ansible_su_password',
]);

/** Read by Ansible itself, never by a connection: nothing to warn about. */
const NOT_CONNECTION = new Set(['ansible_group_priority']);

const KNOWN = new Set<string>([...Object.values(READ).flat(), ...PASSWORDS, ...NOT_CONNECTION]);

const SSH_CONNECTIONS: Record<string, ConnectionKind> = {
  ssh: 'ssh',
  smart: 'ssh',
  paramiko: 'ssh',
  paramiko_ssh: 'ssh',
  'ansible.builtin.ssh': 'ssh',
  'ansible.builtin.paramiko_ssh': 'ssh',
  local: 'local',
  'ansible.builtin.local': 'local',
};

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export interface ResolvedConnection {
  fields: Omit<InventoryHost, 'name' | 'groups' | 'vars' | 'source'>;
  refused: Problem[];
  /** Variables Ansible would act on and runstate does not (deduplicated by the caller). */
  ignored: { name: string; where: VarValue['where'] }[];
}

/** Connection settings of one host from its merged variables, with Jinja and Ansible's typing. */
export function resolveConnection(host: string, merged: VarMap, groups: string[]): ResolvedConnection {
  const refused: Problem[] = [];
  const lookup = (name: string) => {
    if (name === 'inventory_hostname') return { found: true as const, value: host };
    if (name === 'inventory_hostname_short') return { found: true as const, value: host.split('.')[0] };
    if (name === 'group_names') return { found: true as const, value: groups.filter((g) => g !== 'all') };
    const v = merged.get(name);
    return v ? { found: true as const, value: v.value } : { found: false as const };
  };
  /** The last spelling that is set, rendered; undefined when none is. */
  const read = (names: readonly string[]): { value: unknown; v: VarValue; name: string } | undefined => {
    let hit: { v: VarValue; name: string } | undefined;
    for (const name of names) {
      const v = merged.get(name);
      if (v !== undefined && v.value !== null) hit = { v, name };
    }
    if (!hit) return undefined;
    if (!hasTemplate(hit.v.value)) return { value: hit.v.value, ...hit };
    const r = renderTemplate(hit.v.value, lookup);
    if ('error' in r) {
      refused.push({
        where: hit.v.where,
        message: `${hit.name} of host ${q(host)}: ${r.error}`,
        hint: 'write the value itself, or a plain {{ other_var }} reference',
      });
      return undefined;
    }
    return { value: r.value, ...hit };
  };
  const bad = (hit: { v: VarValue; name: string }, what: string, hint?: string): undefined => {
    refused.push({
      where: hit.v.where,
      message: `${hit.name} of host ${q(host)} ${what}`,
      ...(hint ? { hint } : {}),
    });
    return undefined;
  };
  const text = (names: readonly string[]): string | undefined => {
    const hit = read(names);
    if (!hit) return undefined;
    if (typeof hit.value === 'string' && hit.value !== '') return hit.value;
    if (typeof hit.value === 'number') return String(hit.value);
    return bad(hit, `is ${JSON.stringify(hit.value)}, not a text`);
  };
  const bool = (names: readonly string[]): boolean | undefined => {
    const hit = read(names);
    if (!hit) return undefined;
    if (typeof hit.value === 'boolean') return hit.value;
    const s = String(hit.value).toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    return bad(
      hit,
      `is ${JSON.stringify(hit.value)}, not true or false`,
      'write true or false (yes/no also work)',
    );
  };

  const fields: ResolvedConnection['fields'] = {
    address: text(READ.address) ?? host,
    become: bool(READ.become) ?? false,
    connection: 'ssh',
  };
  const portHit = read(READ.port);
  if (portHit) {
    const n = Number(portHit.value);
    if (Number.isInteger(n) && n >= 1 && n <= 65535 && String(portHit.value).trim() !== '') fields.port = n;
    else bad(portHit, `is ${JSON.stringify(portHit.value)}, not a port number (1-65535)`);
  }
  const user = text(READ.user);
  if (user !== undefined) fields.user = user;
  const identity = read(READ.identity);
  if (identity && typeof identity.value === 'string') fields.identity = expandPath(identity.value);
  const knownHosts = read(READ.knownHosts);
  if (knownHosts && typeof knownHosts.value === 'string') {
    fields.knownHosts = expandPath(knownHosts.value, dirname(knownHosts.v.where.file));
  }
  const initHit = read(['runstate_init']);
  if (initHit) {
    const init = String(initHit.value);
    if ((initKinds() as string[]).includes(init)) fields.init = init as ManagerKind;
    else
      bad(
        initHit,
        `is ${q(init)}, not an init system runstate knows`,
        `use one of ${initKinds().join(', ')}`,
      );
  }
  const connHit = read(READ.connection);
  if (connHit) {
    const kind = SSH_CONNECTIONS[String(connHit.value)];
    if (kind) fields.connection = kind;
    else
      bad(
        connHit,
        `is ${q(String(connHit.value))}, a connection plugin runstate does not have`,
        'runstate connects with ssh or local; leave this host out with --limit or give it ansible_connection=ssh',
      );
  }
  const become = becomeSpec(fields.become, text, read, bad);
  if (become) fields.becomeSpec = become;
  for (const name of READ.sshArgs) {
    const hit = read([name]);
    if (!hit) continue;
    const jump = sshArgsToJump(String(hit.value));
    if ('error' in jump) bad(hit, jump.error, jump.hint);
    // Like ssh, the first ProxyJump/ProxyCommand given wins: common args come before extra args.
    else if (jump.jumps && fields.jumps === undefined) fields.jumps = jump.jumps;
  }

  const ignored: ResolvedConnection['ignored'] = [];
  for (const [name, v] of merged) {
    if (PASSWORDS.has(name) && v.value !== null && v.value !== '') {
      refused.push({
        where: v.where,
        message: `${name} is set for host ${q(host)}: runstate does not use passwords (the value is not shown)`,
        hint: 'log in with a key or ssh-agent, and give the user NOPASSWD in sudoers for become',
      });
    } else if (name.startsWith('ansible_') && !KNOWN.has(name)) ignored.push({ name, where: v.where });
  }
  return { fields, refused, ignored };
}

type Read = (names: readonly string[]) => { value: unknown; v: VarValue; name: string } | undefined;
type Bad = (hit: { v: VarValue; name: string }, what: string, hint?: string) => undefined;

function becomeSpec(
  become: boolean,
  text: (names: readonly string[]) => string | undefined,
  read: Read,
  bad: Bad,
): BecomeSpec | undefined {
  if (!become) return undefined;
  const methodHit = read(READ.becomeMethod);
  const method = methodHit ? String(methodHit.value) : 'sudo';
  if (methodHit && method !== 'sudo' && method !== 'su') {
    return bad(
      methodHit,
      `is ${q(method)}; runstate becomes another user with sudo or su only`,
      'use ansible_become_method=sudo (with NOPASSWD) or su',
    );
  }
  const user = text(READ.becomeUser);
  const flagsHit = read(READ.becomeFlags);
  const flags = flagsHit ? String(flagsHit.value).split(/\s+/).filter(Boolean) : [];
  if (flagsHit && !flags.every((f) => /^-[A-Za-z0-9-]+(?:=[A-Za-z0-9_,.:/-]*)?$/.test(f))) {
    return bad(flagsHit, `is ${JSON.stringify(flagsHit.value)}; only -flag words are accepted`);
  }
  const spec: BecomeSpec = { method: method === 'su' ? 'su' : 'sudo', flags };
  if (user !== undefined && user !== 'root') spec.user = user;
  return spec.method === 'sudo' && spec.user === undefined && flags.length === 0 ? undefined : spec;
}

/** `~` is the home directory; a relative path is relative to `base` (Ansible: the current directory). */
function expandPath(p: string, base?: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  if (isAbsolute(p)) return p;
  return base === undefined ? resolve(p) : resolve(base, p);
}
