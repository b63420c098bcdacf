/**
 * Ansible's host keys: `web[01:20].example.com` ranges (numeric with padding, or letters, with an
 * optional stride) and a `:port` suffix. Plain names pass through untouched.
 */
export type HostPattern = { names: string[]; port?: number } | { error: string; hint?: string };

const MAX_HOSTS = 10_000;

export function expandHostPattern(pattern: string): HostPattern {
  const { name, port } = splitPort(pattern);
  if (port !== undefined && (port < 1 || port > 65535)) {
    return { error: `port ${port} in host ${JSON.stringify(pattern)} is not in 1-65535` };
  }
  const names: string[] = [];
  const error = expandRanges(name, names);
  if (error)
    return { error, hint: 'ranges look like web[01:20] or db-[a:f]; see Ansible "Adding ranges of hosts"' };
  return port === undefined ? { names } : { names, port };
}

function splitPort(pattern: string): { name: string; port?: number } {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(pattern);
  if (v6?.[1]?.includes(':')) return v6[2] ? { name: v6[1], port: Number(v6[2]) } : { name: v6[1] };
  const m = /^(.*):(\d+)$/.exec(pattern);
  // Only a colon outside range brackets separates a port; bare IPv6 addresses keep theirs.
  if (m?.[1] && !m[1].replace(/\[[^\]]*\]/g, '').includes(':')) return { name: m[1], port: Number(m[2]) };
  return { name: pattern };
}

function expandRanges(name: string, out: string[]): string | undefined {
  const m = /^(.*?)\[([^\]]*:[^\]]*)\](.*)$/.exec(name);
  if (!m) {
    if (out.length >= MAX_HOSTS) return `host range expands to more than ${MAX_HOSTS} hosts`;
    out.push(name);
    return undefined;
  }
  const [, head = '', range = '', tail = ''] = m;
  const items = rangeItems(range);
  if (typeof items === 'string') return items;
  for (const item of items) {
    const error = expandRanges(`${head}${item}${tail}`, out);
    if (error) return error;
  }
  return undefined;
}

function rangeItems(range: string): string[] | string {
  const [beg = '', end = '', strideText, ...rest] = range.split(':');
  const stride = strideText === undefined || strideText === '' ? 1 : Number(strideText);
  const bad = `host range [${range}] is not valid`;
  if (rest.length > 0 || !Number.isInteger(stride) || stride < 1 || beg === '' || end === '') return bad;
  if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
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
  if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(end)) {
    const from = beg.charCodeAt(0);
    const to = end.charCodeAt(0);
    if (from > to) return `host range [${range}] goes backwards`;
    const items: string[] = [];
    for (let c = from; c <= to; c += stride) items.push(String.fromCharCode(c));
    return items;
  }
  return bad;
}
