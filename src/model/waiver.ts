import type { DriftField } from './drift.js';
import type { Inventory } from './inventory.js';
import type { SourceRef } from './source.js';

/**
 * A committed, dated acceptance of drift (`drift-waivers.yml` or a playbook's `waivers:`): the
 * named item may differ from the playbook until `expires`, and is reported instead of failing.
 */
export interface Waiver {
  /** An inventory host, an inventory group, or "all". */
  target: string;
  /** Absent for the host-wide items (runlevel, default-runlevel). */
  service?: string;
  /** Absent: every field of the service (or both runlevel fields). */
  field?: DriftField;
  reason: string;
  owner: string;
  /** YYYY-MM-DD (UTC). The waiver holds before this day and no longer on it. */
  expires: string;
  where: SourceRef;
}

/** The waivers in force for a run, with the inventory their targets (hosts, groups) are read in. */
export interface LoadedWaivers {
  waivers: Waiver[];
  inventory: Inventory;
}

/** What a drift item carries of the waiver that matched it. */
export interface WaiverNote {
  /** YYYY-MM-DD: the first day the drift fails again. */
  until: string;
  reason: string;
  owner: string;
}
