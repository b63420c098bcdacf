import { observedRunlevelFor } from '../drivers/index.js';
import type { Desired } from '../model/desired.js';
import type { DriftReport } from '../model/drift.js';
import type { ObservedSnapshot } from '../model/observed.js';
import { computeDrift, type GateProbes } from './compute.js';

/** The drift of an observed fleet (and its gates, probed now), stamped with the time `now`. */
export function driftWithDrivers(
  desired: Desired,
  observed: ObservedSnapshot,
  health: GateProbes | undefined,
  now: Date,
): DriftReport {
  return {
    ...computeDrift(desired, observed, { observedRunlevelFor, ...(health ? { health } : {}) }),
    generatedAt: now.toISOString(),
  };
}
