import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../model/source.js';
import { type IniSections, iniGet, parseConfigParser } from './config-parser.js';

/** The ansible.cfg settings runstate acts on, after ANSIBLE_* variables and the file. */
export interface AnsibleSettings {
  /** The ansible.cfg that was read, if any. */
  file?: string;
  inventory?: string[];
  forks?: number;
  remoteUser?: string;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  timeout?: number;
  warnings: string[];
}

export interface CfgEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Injectable so tests never depend on (or write) the machine's /etc. */
  systemFile?: string;
}

const SYSTEM_FILE = '/etc/ansible/ansible.cfg';

/**
 * ansible-core's `find_ini_config_file`: ANSIBLE_CONFIG (a directory means its ansible.cfg),
 * ./ansible.cfg unless the current directory is world-writable, ~/.ansible.cfg,
 * /etc/ansible/ansible.cfg — the first that exists and can be read; the others are not read.
 */
export function findAnsibleCfg(at: CfgEnvironment, warnings: string[] = []): string | undefined {
  const candidates: string[] = [];
  const fromEnv = at.env.ANSIBLE_CONFIG;
  if (fromEnv !== undefined) {
    const p = expandPath(fromEnv, at.cwd, at.env);
    candidates.push(isDirectory(p) ? join(p, 'ansible.cfg') : p);
  }
  const cwdFile = join(at.cwd, 'ansible.cfg');
  let skippedCwd = false;
  try {
    if (statSync(at.cwd).mode & 0o002) skippedCwd = readable(cwdFile);
    else candidates.push(cwdFile);
  } catch {
    // An unreadable current directory is no source, as in Ansible.
  }
  candidates.push(expandPath('~/.ansible.cfg', at.cwd, at.env));
  candidates.push(at.systemFile ?? SYSTEM_FILE);
  const found = candidates.find(readable);
  if (skippedCwd && found !== candidates[0]) {
    warnings.push(`${cwdFile} is ignored: the current directory is world-writable (as Ansible ignores it)`);
  }
  return found;
}

/** Precedence as in ansible-core: ANSIBLE_* variable, then the file; flags are applied by the caller. */
export function ansibleSettings(at: CfgEnvironment): AnsibleSettings {
  const warnings: string[] = [];
  const file = findAnsibleCfg(at, warnings);
  const sections: IniSections = file ? parseConfigParser(readFileSync(file, 'utf8'), file) : new Map();
  const fileBase = file ? dirname(file) : at.cwd;
  const get = (envName: string, key: string) => {
    const v = at.env[envName];
    if (v !== undefined && v !== '') return { text: v, base: at.cwd, where: `$${envName}` };
    const entry = file ? iniGet(sections, 'defaults', key) : undefined;
    return entry ? { text: entry.value, base: fileBase, where: `${file}:${entry.line}` } : undefined;
  };
  const out: AnsibleSettings = { warnings };
  if (file) out.file = file;
  const inventory = get('ANSIBLE_INVENTORY', 'inventory');
  if (inventory) {
    // Ansible's "pathlist": comma-separated, each relative to the file it came from.
    const paths = inventory.text.split(',').map((p) => p.trim());
    out.inventory = paths.filter(Boolean).map((p) => expandPath(p, inventory.base, at.env));
  }
  const forks = get('ANSIBLE_FORKS', 'forks');
  if (forks) out.forks = positiveInt(forks.text, `forks (${forks.where})`);
  const timeout = get('ANSIBLE_TIMEOUT', 'timeout');
  if (timeout) out.timeout = positiveInt(timeout.text, `timeout (${timeout.where})`);
  const user = get('ANSIBLE_REMOTE_USER', 'remote_user');
  if (user && user.text !== '') out.remoteUser = unquote(user.text);
  const key = get('ANSIBLE_PRIVATE_KEY_FILE', 'private_key_file');
  if (key && key.text !== '') out.privateKeyFile = expandPath(unquote(key.text), key.base, at.env);
  const checking = get('ANSIBLE_HOST_KEY_CHECKING', 'host_key_checking');
  if (checking) out.hostKeyChecking = ansibleBoolean(checking.text);
  return out;
}

/** ansible's `boolean(value, strict=False)`: these words are true, anything else false. */
function ansibleBoolean(text: string): boolean {
  return ['y', 'yes', 'on', '1', 'true', 't', '1.0'].includes(unquote(text).trim().toLowerCase());
}

function positiveInt(text: string, what: string): number {
  const n = Number(text.trim());
  if (!/^\s*\+?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UserError(`${what}: "${text}" is not a positive whole number`, undefined, 'e.g. 20');
  }
  return n;
}

/** Ansible's `unquote`: one pair of matching outer quotes goes. */
function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0] ? t.slice(1, -1) : t;
}

/** `unfrackpath`: ~ and $VAR expanded, relative to `base`. */
function expandPath(path: string, base: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  let p = path.replace(/\$(\w+)|\$\{(\w+)\}/g, (all, a?: string, b?: string) => env[a ?? b ?? ''] ?? all);
  if (p === '~') p = home;
  else if (p.startsWith('~/')) p = join(home, p.slice(2));
  return isAbsolute(p) ? resolve(p) : resolve(base, p);
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
