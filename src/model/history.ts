import type { DriftField, HostDriftStatus } from './drift.js';
import type { WaiverNote } from './waiver.js';

/**
 * Why runstate changed something: `intentional` — an apply of what the playbooks say (someone
 * changed them, or asked for it); `corrective` — `watch --heal` putting back what drifted.
 */
export type ChangeLabel = 'intentional' | 'corrective';

/** One out-of-sync item of a checked host, as a history line keeps it. */
export interface HistoryDrift {
  host: string;
  /** Absent for the host-wide fields (runlevel, default-runlevel). */
  service?: string;
  field: DriftField;
  desired: string;
  observed: string;
  waived?: WaiverNote;
  fighting?: string;
}

/** A step runstate ran in that run (a command was sent), with its label and how it ended. */
export interface HistoryChange {
  host: string;
  service?: string;
  /** The step kind: start, stop, enable, set-runlevel… */
  step: string;
  label: ChangeLabel;
  outcome: 'ok' | 'failed';
  /** When it ended (ISO 8601). */
  at: string;
}

/** One line of a history file (`--history FILE`, JSON Lines; schemas/history.schema.json). */
export interface HistoryRecord {
  version: 1;
  /** When the hosts were observed (ISO 8601). */
  at: string;
  source: 'drift' | 'watch' | 'apply';
  /** watch: the run number since it started. */
  run?: number;
  /** Every host the run looked at, and what it found; an apply looks at none. */
  hosts: Record<string, HostDriftStatus>;
  /** The out-of-sync items of the checked hosts, waived ones included. */
  drifts: HistoryDrift[];
  changes: HistoryChange[];
}
