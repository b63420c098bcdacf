import type { JumpHop } from '../model/inventory.js';
import { shlexSplit } from './shlex.js';

/**
 * `ansible_ssh_common_args` / `ansible_ssh_extra_args` as far as runstate can honour them: a jump
 * host, given as `-J hop[,hop]`, `-o ProxyJump=…`, or `-o ProxyCommand="ssh -W %h:%p … bastion"`
 * (rewritten to the same jump host). Options that only tune OpenSSH's own connection handling
 * are ignored; every other option is refused by name, so a bastion is never silently bypassed.
 */
export type SshArgsResult = { jumps?: JumpHop[] } | { error: string; hint?: string };

/** Options with no effect on where or as whom runstate connects (connection sharing, keepalives). */
const HARMLESS = new Set([
  'controlmaster',
  'controlpersist',
  'controlpath',
  'serveraliveinterval',
  'serveralivecountmax',
  'tcpkeepalive',
  'compression',
  'loglevel',
  'connecttimeout',
  'connectionattempts',
  'permitlocalcommand',
  'preferredauthentications',
  'gssapiauthentication',
  'identitiesonly',
]);

const HINT =
  'runstate takes a jump host as -J host, -o ProxyJump=host or -o ProxyCommand="ssh -W %h:%p host"';

export function sshArgsToJump(args: string): SshArgsResult {
  const split = shlexSplit(args);
  if ('error' in split)
    return { error: `cannot be split into words: ${split.error}`, hint: 'close every quote' };
  const words = split.words;
  let jumps: JumpHop[] | undefined;
  let jump: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    let option: string | undefined;
    if (w === '-J') jump = words[++i];
    else if (w.startsWith('-J')) jump = w.slice(2);
    else if (w === '-o') option = words[++i];
    else if (w.startsWith('-o')) option = w.slice(2);
    else return { error: `has the ssh flag ${JSON.stringify(w)}, which runstate does not apply`, hint: HINT };
    if (option === undefined) continue;
    const m = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/s.exec(option);
    const key = m?.[1]?.toLowerCase();
    const value = m?.[2] ?? '';
    if (!key)
      return { error: `has an ssh option runstate cannot read: ${JSON.stringify(option)}`, hint: HINT };
    if (key === 'proxyjump') jump = value;
    else if (key === 'proxycommand') {
      const hop = proxyCommandHop(value);
      if ('error' in hop) return hop;
      jumps = [hop];
    } else if (key === 'stricthostkeychecking' || key === 'userknownhostsfile') {
      return {
        error: `sets the ssh option ${m?.[1]}, which runstate does not take from the inventory`,
        hint: 'use --host-key-checking accept-new|off, or runstate_known_hosts for the file',
      };
    } else if (!HARMLESS.has(key)) {
      return { error: `sets the ssh option ${m?.[1]}, which runstate does not apply`, hint: HINT };
    }
  }
  if (jump !== undefined) {
    const hops = parseJumpList(jump);
    if (!hops)
      return {
        error: `names the jump host ${JSON.stringify(jump)}, which is not [user@]host[:port]`,
        hint: HINT,
      };
    jumps = hops;
  }
  return jumps === undefined ? {} : { jumps };
}

/** ssh's `-J` / ProxyJump list: `[user@]host[:port]`, comma-separated; `none` is no jump. */
function parseJumpList(value: string): JumpHop[] | undefined {
  if (value.trim().toLowerCase() === 'none') return [];
  const hops: JumpHop[] = [];
  for (const part of value.split(',')) {
    const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:/@\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(part.trim());
    if (!m?.[2]) return undefined;
    const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
    hops.push({ host, ...(m[1] ? { user: m[1] } : {}), ...(m[3] ? { port: Number(m[3]) } : {}) });
  }
  return hops;
}

/** `ssh [-q] [-p PORT] [-l USER] [-i KEY] -W %h:%p [user@]host` → one jump hop. */
function proxyCommandHop(command: string): JumpHop | { error: string; hint?: string } {
  const split = shlexSplit(command);
  const refuse = {
    error: `has ProxyCommand ${JSON.stringify(command)}, which runstate cannot turn into a jump host`,
    hint: HINT,
  };
  if ('error' in split) return refuse;
  const [exe, ...rest] = split.words;
  if (exe === undefined || !/(?:^|\/)ssh$/.test(exe)) return refuse;
  let port: string | undefined;
  let user: string | undefined;
  let identity: string | undefined;
  let forward = false;
  let dest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] ?? '';
    if (w === '-q') continue;
    if (w === '-W' && rest[i + 1] === '%h:%p') {
      forward = true;
      i++;
    } else if (w === '-p') port = rest[++i];
    else if (w === '-l') user = rest[++i];
    else if (w === '-i') identity = rest[++i];
    else if (!w.startsWith('-') && dest === undefined) dest = w;
    else return refuse;
  }
  if (!forward || dest === undefined || (port !== undefined && !/^\d{1,5}$/.test(port))) return refuse;
  const at = dest.lastIndexOf('@');
  const host = at >= 0 ? dest.slice(at + 1) : dest;
  const who = at >= 0 ? dest.slice(0, at) : user;
  return {
    host,
    ...(who ? { user: who } : {}),
    ...(port ? { port: Number(port) } : {}),
    ...(identity ? { identity } : {}),
  };
}
