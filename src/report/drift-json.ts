import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import type { WaiverNote } from '../model/waiver.js';
import { sortedHosts } from './drift-summary.js';

/**
 * The drift report as scripts read it (schemas/drift.schema.json): 2-space JSON with a trailing
 * newline, keys in one fixed order whatever order the value was built in, so equal reports are equal bytes.
 */
export function renderDriftJson(r: DriftReport): string {
  const hosts: Record<string, HostDrift> = {};
  for (const [name, h] of sortedHosts(r)) hosts[name] = canonicalHost(h);
  const s = r.summary;
  const canonical: DriftReport = {
    version: r.version,
    ...(r.generatedAt !== undefined ? { generatedAt: r.generatedAt } : {}),
    hosts,
    summary: {
      hosts: s.hosts,
      inSync: s.inSync,
      drifted: s.drifted,
      unchecked: s.unchecked,
      items: s.items,
      drifts: s.drifts,
      ...(s.waived !== undefined ? { waived: s.waived } : {}),
    },
  };
  return `${JSON.stringify(canonical, null, 2)}\n`;
}

function canonicalHost(h: HostDrift): HostDrift {
  const items = h.items.map(canonicalItem);
  return h.status === 'unchecked'
    ? { status: h.status, reason: h.reason, items }
    : { status: h.status, items };
}

function canonicalItem(i: DriftItem): DriftItem {
  const rest = {
    desired: i.desired,
    observed: i.observed,
    inSync: i.inSync,
    ...(i.manager !== undefined ? { manager: i.manager } : {}),
    ...(i.waived ? { waived: note(i.waived) } : {}),
    ...(i.waiverExpired ? { waiverExpired: note(i.waiverExpired) } : {}),
    ...(i.flapping !== undefined ? { flapping: i.flapping } : {}),
    ...(i.fighting !== undefined ? { fighting: i.fighting } : {}),
  };
  switch (i.kind) {
    case 'service':
      return {
        kind: i.kind,
        service: i.service,
        field: i.field,
        ...(i.resource !== undefined ? { resource: i.resource } : {}),
        ...rest,
      };
    case 'resource':
      return { kind: i.kind, field: i.field, resource: i.resource, ...rest };
    case 'runlevel':
      return { kind: i.kind, field: i.field, ...rest };
  }
}

function note(n: WaiverNote): WaiverNote {
  return { until: n.until, reason: n.reason, owner: n.owner };
}
