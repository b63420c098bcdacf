import { type Desired, isGroupRequirement, requiredHosts } from '../model/desired.js';

/** Keeps only the hosts `--limit` selected; requirements on other hosts still order the plan. */
export function restrictDesired(desired: Desired, hosts: Set<string>): Desired {
  return {
    playbooks: desired.playbooks,
    hosts: Object.fromEntries(Object.entries(desired.hosts).filter(([h]) => hosts.has(h))),
  };
}

/** The services on hosts outside --limit that the limited hosts' services require, if any. */
export function requiredOutside(desired: Desired, limited: Desired): Desired | undefined {
  const hosts: Desired['hosts'] = {};
  // Each requirement once: `all:db` named by every limited service is one walk of the group, not
  // one per service (that was limited × group size).
  const seen = new Set<string>();
  for (const host of Object.values(limited.hosts)) {
    for (const svc of Object.values(host.services)) {
      for (const r of svc.requires) {
        const id = isGroupRequirement(r) ? `@${r.group}\u0000${r.service}` : `${r.host}\u0000${r.service}`;
        if (seen.has(id)) continue;
        seen.add(id);
        for (const host of requiredHosts(r)) {
          const wanted = desired.hosts[host]?.services[r.service];
          if (host in limited.hosts || !wanted) continue;
          const entry = hosts[host] ?? { host, services: {} };
          entry.services[r.service] = wanted;
          hosts[host] = entry;
        }
      }
    }
  }
  return Object.keys(hosts).length > 0 ? { playbooks: desired.playbooks, hosts } : undefined;
}
