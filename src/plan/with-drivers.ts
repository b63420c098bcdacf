import { commandsFor, observedRunlevelFor, unsupportedChange } from '../drivers/index.js';
import type { Desired } from '../model/desired.js';
import type { ObservedSnapshot } from '../model/observed.js';
import { buildPlan } from './build.js';
import type { OutsideLimit, PlanResult } from './types.js';

export interface FleetToPlan {
  desired: Desired;
  observed: ObservedSnapshot;
  inventoryFiles: string[];
  outside?: OutsideLimit;
}

/**
 * buildPlan with the drivers' knowledge (their commands, what they cannot change, how a runlevel
 * reads once reached): the plan the CLI and the SDK both make. Pure, like buildPlan.
 */
export function planWithDrivers(fleet: FleetToPlan): PlanResult & { refused: boolean } {
  const result = buildPlan({
    desired: fleet.desired,
    observed: fleet.observed,
    inventoryFiles: fleet.inventoryFiles,
    commandsFor,
    unsupportedFor: (_host, manager, change) => unsupportedChange(manager, change),
    observedRunlevelFor,
    ...(fleet.outside ? { outside: fleet.outside } : {}),
  });
  return { ...result, refused: result.problems.some((p) => p.wholeRun && !p.warning) };
}
