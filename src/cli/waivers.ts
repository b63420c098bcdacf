import { applyWaivers, utcDay } from '../drift/waivers.js';
import {
  checkWaivers,
  DEFAULT_WAIVER_MAX_DAYS,
  readWaiverFiles,
  targetHosts,
  waiverFiles,
} from '../load/waivers.js';
import type { Desired } from '../model/desired.js';
import type { DriftReport } from '../model/drift.js';
import type { Inventory } from '../model/inventory.js';
import { formatWarning, ProblemsError } from '../model/source.js';
import type { Waiver } from '../model/waiver.js';
import type { Io } from './context.js';

export interface WaiverOptions {
  /** A waivers file instead of the drift-waivers.yml beside the playbooks. */
  waivers?: string;
  /** How far ahead a waiver may expire (default 90 days). */
  waiverMaxDays?: number;
}

/** The waivers in force for a run: its files and the playbooks' `waivers:`, checked; warnings printed. */
export interface LoadedWaivers {
  waivers: Waiver[];
  inventory: Inventory;
}

/**
 * Reads and checks every waiver (files beside the playbooks or --waivers, and playbook sections);
 * any problem refuses the run before a host is contacted. Expired waivers are warnings.
 */
export async function loadWaivers(
  playbooks: readonly string[],
  desired: Desired,
  inventory: Inventory,
  opts: WaiverOptions,
  today: string,
  io: Io,
): Promise<LoadedWaivers> {
  const files = await waiverFiles(playbooks, opts.waivers);
  const read = await readWaiverFiles(files);
  const waivers = [...(desired.waivers ?? []), ...read.waivers];
  const { problems, warnings } = checkWaivers(
    waivers,
    desired,
    inventory,
    today,
    opts.waiverMaxDays ?? DEFAULT_WAIVER_MAX_DAYS,
  );
  const all = [...read.problems, ...problems];
  if (all.length > 0) throw new ProblemsError(all);
  for (const w of warnings) io.err(`${formatWarning(w)}\n`);
  return { waivers, inventory };
}

/** The report with the waivers marked, as of `now` (UTC day). */
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
