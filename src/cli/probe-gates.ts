import { probeDeclaredGates } from '../apply/gate-probes.js';
import type { GateProbes } from '../drift/index.js';
import type { CommonOptions } from './context.js';
import type { Fleet } from './prepare.js';

/**
 * For drift: the declared gates probed now (src/apply/gate-probes.ts). A snapshot cannot be
 * probed: with `--observed` there are no health items (undefined).
 */
export async function probeGates(
  fleet: Fleet,
  opts: CommonOptions & { observed?: string },
): Promise<GateProbes | undefined> {
  if (opts.observed) return undefined;
  return probeDeclaredGates(fleet, opts.forks);
}
