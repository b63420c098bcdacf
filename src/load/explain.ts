import { type Desired, type DesiredService, type Origin, requiredHosts } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import { UserError } from '../model/source.js';
import { didYouMean, q } from './names.js';
import { FIELDS, type Field } from './playbook-parse.js';
import { valueText } from './values.js';
import { formatRef } from './yaml-doc.js';

const DEFAULTS: Partial<Record<Field, string>> = { tier: 'main', manager: 'auto' };

function originText(o: Origin): string {
  const overrode = (o.overrode ?? []).map(
    (x) => `; overrides ${valueText(x.value)} (${x.layer}, ${formatRef(x.where)})`,
  );
  return `${o.layer}, ${formatRef(o.where)}${overrode.join('')}`;
}

function fieldValue(s: DesiredService, field: Field): string | undefined {
  if (field === 'requires') {
    const o = s.origin.requires;
    if (!o) return undefined;
    const raw = [...new Set(s.requires.map((r) => r.raw))];
    const pairs = s.requires.flatMap((r) => requiredHosts(r).map((h) => serviceOnHost(h, r.service)));
    return `[${raw.join(', ')}] → ${pairs.length > 0 ? pairs.join(', ') : 'nothing'}`;
  }
  if (field === 'user') return undefined; // refused at load time, never in a DesiredService
  const v = s[field];
  return v === undefined ? undefined : valueText(v);
}

/**
 * `plan --explain host svc`: every field of one desired service, its value, the layer and place
 * that set it, and what it overrode; then the host's runlevel the same way.
 */
export function explainService(desired: Desired, host: string, service: string): string[] {
  const h = desired.hosts[host];
  if (!h) {
    throw new UserError(
      `the playbooks declare nothing for host ${q(host)}`,
      undefined,
      didYouMean(host, Object.keys(desired.hosts)),
    );
  }
  const s = h.services[service];
  if (!s) {
    const names = Object.keys(h.services);
    throw new UserError(
      `the playbooks declare no service ${q(service)} for host ${q(host)}`,
      undefined,
      didYouMean(service, names) ?? (names.length > 0 ? `it has ${names.map(q).join(', ')}` : undefined),
    );
  }
  const lines = [`${service} on ${host}:`];
  for (const field of FIELDS) {
    const value = fieldValue(s, field);
    const origin = s.origin[field];
    if (origin && value !== undefined) lines.push(`  ${field}: ${value} — ${originText(origin)}`);
    else if (DEFAULTS[field]) lines.push(`  ${field}: ${DEFAULTS[field]} — default`);
    else if (field === 'enabled') lines.push('  enabled: not set — left as it is at boot');
  }
  if (h.runlevel && h.runlevelOrigin) {
    lines.push(`  runlevel of ${host}: ${valueText(h.runlevel)} — ${originText(h.runlevelOrigin)}`);
  }
  return lines;
}

/** For "ok: 12 services on 5 hosts". */
export function countSummary(desired: Desired): { services: number; hosts: number } {
  const hosts = Object.values(desired.hosts);
  return { services: hosts.reduce((n, h) => n + Object.keys(h.services).length, 0), hosts: hosts.length };
}
