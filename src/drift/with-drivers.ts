import { observedRunlevelFor } from '../drivers/index.js';
import { targetHosts } from '../load/waivers.js';
import type { Desired } from '../model/desired.js';
import type { DriftReport } from '../model/drift.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { LoadedWaivers } from '../model/waiver.js';
import { computeDrift, type GateProbes } from './compute.js';
import { applyWaivers, utcDay } from './waivers.js';

/**
 * The drift of an observed fleet (and its gates, probed now), stamped with the time `now`, with the
 * waivers in force on that UTC day marked. The one drift function: the SDK's `drift` and the CLI's
 * drift, watch and report all come here.
 */
export function driftWithDrivers(
  desired: Desired,
  observed: ObservedSnapshot,
  health: GateProbes | undefined,
  now: Date,
  waivers?: LoadedWaivers,
): DriftReport {
  const report = computeDrift(desired, observed, { observedRunlevelFor, ...(health ? { health } : {}) });
  return { ...withWaivers(report, waivers, now), generatedAt: now.toISOString() };
}

/** The report with the waivers marked, as of `now` (UTC day); each target's hosts looked up once. */
export function withWaivers(report: DriftReport, loaded: LoadedWaivers | undefined, now: Date): DriftReport {
  if (!loaded || loaded.waivers.length === 0) return report;
  const cache = new Map<string, ReadonlySet<string>>();
  const hostsOf = (target: string): ReadonlySet<string> => {
    let hosts = cache.get(target);
    if (!hosts) {
      hosts = targetHosts(loaded.inventory, target) ?? new Set();
      cache.set(target, hosts);
    }
    return hosts;
  };
  return applyWaivers(report, loaded.waivers, utcDay(now), hostsOf);
}
