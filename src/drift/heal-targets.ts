import type { Desired, DesiredHost } from '../model/desired.js';
import type { DriftReport } from '../model/drift.js';
import { runlevelOnHost, serviceOnHost } from '../model/notation.js';

export interface HealTargets {
  /** The declared state of only what drifted and may be healed now. */
  desired: Desired;
  /** Drifted, but healed too often lately (`mayHeal` said no): left alone and reported. */
  leftAlone: string[];
}

/**
 * What `watch --heal` converges: each drifted service (or runlevel) of each drifted host, once
 * however many of its fields drifted, unless `mayHeal` refuses its key (`host:service`).
 */
export function healTargets(
  desired: Desired,
  report: DriftReport,
  mayHeal: (key: string) => boolean,
): HealTargets {
  const hosts: Desired['hosts'] = {};
  const leftAlone: string[] = [];
  for (const [host, drift] of Object.entries(report.hosts)) {
    const want = desired.hosts[host];
    if (drift.status !== 'drift' || !want) continue;
    const services: DesiredHost['services'] = {};
    let runlevel = false;
    // One heal per service (or runlevel) per run, however many of its fields drifted.
    // A failing gate is reported, not healed: no step makes a running service healthy.
    const drifted = new Set(
      // A waived drift is accepted as it is: heal leaves it alone too.
      drift.items.filter((i) => !i.inSync && !i.waived && i.field !== 'health').map((i) => i.service),
    );
    for (const name of drifted) {
      const key = name === undefined ? runlevelOnHost(host) : serviceOnHost(host, name);
      if (!mayHeal(key)) {
        leftAlone.push(key);
        continue;
      }
      const service = name === undefined ? undefined : want.services[name];
      if (name === undefined) runlevel = true;
      else if (service) services[name] = service;
    }
    hosts[host] = { host, services, ...(runlevel && want.runlevel ? { runlevel: want.runlevel } : {}) };
  }
  return { desired: { playbooks: desired.playbooks, hosts }, leftAlone: leftAlone.sort() };
}
