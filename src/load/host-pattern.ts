/**
 * Ansible's host keys (`BaseInventoryPlugin._expand_hostpattern` + `parse_address`):
 * `web[01:20].example.com` ranges (numeric with padding, or letters, with an optional stride),
 * a `:port` suffix, `[v6::addr]:port`. What is not a valid address or host name is taken whole
 * as the name, with no port, as Ansible does.
 */
export type HostPattern = { names: string[]; port?: number } | { error: string; hint?: string };

const MAX_HOSTS = 10_000;

const RANGE = String.raw`\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${RANGE})(?:[\p{L}\p{N}_-]|${RANGE})*(?<![_-])`;
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, 'u');
const IPV4_PART = String.raw`(?:\d{1,3}|\[\d+:\d+(?::\d+)?\])`;
const IPV4 = new RegExp(String.raw`^${IPV4_PART}(?:\.${IPV4_PART}){3}$`);
const IPV6 = /^(?=(?:[^:]*:){2})[0-9a-fA-F:.]+(?:%[\w.-]+)?$/;

export function expandHostPattern(pattern: string): HostPattern {
  const { name, port } = splitAddress(pattern);
  if (port !== undefined && (port < 1 || port > 65535)) {
    return { error: `port ${port} in host ${JSON.stringify(pattern)} is not in 1-65535` };
  }
  const names: string[] = [];
  const error = expandRanges(name, names);
  if (error)
    return { error, hint: 'ranges look like web[01:20] or db-[a:f]; see Ansible "Adding ranges of hosts"' };
  return port === undefined ? { names } : { names, port };
}

function splitAddress(pattern: string): { name: string; port?: number } {
  let address = pattern;
  let port: number | undefined;
  const bracketed = /^\[(.+)\]:([0-9]+)$/.exec(address);
  if (bracketed?.[1] !== undefined) {
    address = bracketed[1];
    port = Number(bracketed[2]);
  }
  const hostport = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/.exec(address);
  if (hostport?.[1] !== undefined) {
    address = hostport[1];
    port = Number(hostport[2]);
  }
  if (IPV4.test(address) || IPV6.test(address) || HOSTNAME.test(address)) {
    return port === undefined ? { name: address } : { name: address, port };
  }
  return { name: pattern };
}

function expandRanges(name: string, out: string[]): string | undefined {
  const open = name.indexOf('[');
  const close = name.indexOf(']', open);
  if (open < 0 || close < 0) {
    if (out.length >= MAX_HOSTS) return `host range expands to more than ${MAX_HOSTS} hosts`;
    out.push(name);
    return undefined;
  }
  const items = rangeItems(name.slice(open + 1, close));
  if (typeof items === 'string') return items;
  for (const item of items) {
    const error = expandRanges(`${name.slice(0, open)}${item}${name.slice(close + 1)}`, out);
    if (error) return error;
  }
  return undefined;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function rangeItems(range: string): string[] | string {
  const parts = range.split(':');
  if (parts.length !== 2 && parts.length !== 3)
    return `host range [${range}] must be begin:end or begin:end:step`;
  const beg = parts[0] || '0';
  const end = parts[1] ?? '';
  const stride = parts[2] === undefined ? 1 : Number(parts[2]);
  if (end === '') return `host range [${range}] has no end`;
  if (!Number.isInteger(stride) || stride < 1)
    return `host range [${range}] has a step that is not a positive number`;
  const letterFrom = LETTERS.indexOf(beg);
  const letterTo = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && letterFrom >= 0 && letterTo >= 0) {
    if (letterFrom > letterTo) return `host range [${range}] goes backwards`;
    const items: string[] = [];
    for (let i = letterFrom; i <= letterTo; i += stride) items.push(LETTERS[i] ?? '');
    return items;
  }
  if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return `host range [${range}] is not valid`;
  const padded = beg.length > 1 && beg.startsWith('0');
  if (padded && beg.length !== end.length)
    return `host range [${range}] must give start and end the same width`;
  const from = Number(beg);
  const to = Number(end);
  if (from > to) return `host range [${range}] goes backwards`;
  if ((to - from) / stride >= MAX_HOSTS)
    return `host range [${range}] expands to more than ${MAX_HOSTS} hosts`;
  const items: string[] = [];
  for (let i = from; i <= to; i += stride)
    items.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  return items;
}
