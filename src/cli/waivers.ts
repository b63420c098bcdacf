import { loadCheckedWaivers } from '../load/waivers.js';
import type { Desired } from '../model/desired.js';
import type { Inventory } from '../model/inventory.js';
import { formatWarning } from '../model/source.js';
import type { LoadedWaivers } from '../model/waiver.js';
import type { Io } from './context.js';

export type { LoadedWaivers } from '../model/waiver.js';

export interface WaiverOptions {
  /** A waivers file instead of the drift-waivers.yml beside the playbooks. */
  waivers?: string;
  /** How far ahead a waiver may expire (default 90 days). */
  waiverMaxDays?: number;
}

/**
 * Reads and checks every waiver (files beside the playbooks or --waivers, and playbook sections);
 * any problem refuses the run before a host is contacted. Expired waivers are printed as warnings.
 */
export async function loadWaivers(
  playbooks: readonly string[],
  desired: Desired,
  inventory: Inventory,
  opts: WaiverOptions,
  today: string,
  io: Io,
): Promise<LoadedWaivers> {
  const { loaded, warnings } = await loadCheckedWaivers(
    playbooks,
    desired,
    inventory,
    { file: opts.waivers, maxDays: opts.waiverMaxDays },
    today,
  );
  for (const w of warnings) io.err(`${formatWarning(w)}\n`);
  return loaded;
}
