import type { ManagerKind } from './desired.js';
import type { WaiverNote } from './waiver.js';

/**
 * The fields a drift item compares; `present` stands for a service wanted up that the host lacks;
 * `health` is a declared gate probed now; `restart` is a restart.on_change the planner would act on;
 * `masked` is `masked: true`.
 */
export const DRIFT_FIELDS = [
  'runlevel',
  'default-runlevel',
  'present',
  'state',
  'enabled',
  'restart',
  'health',
  'masked',
  'resource',
] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

interface DriftItemBase {
  /** As declared: "running", "enabled", "3", "multi-user.target", "present". */
  desired: string;
  /** As observed: "inactive", "masked", "graphical.target", "not-found"; "unknown" when not checked. */
  observed: string;
  inSync: boolean;
  /** The manager that reported (or would report) it; absent when nobody knows (unknown init). */
  manager?: ManagerKind;
  /** Out of sync but accepted by a waiver that has not expired: reported, does not fail the run. */
  waived?: WaiverNote;
  /** Out of sync and matched by a waiver that has expired: it fails again. */
  waiverExpired?: WaiverNote;
  /** Why the item counts as flapping (drifted often within the window), from the history. */
  flapping?: string;
  /** Why heal leaves it alone: something else changes it back ("healed 3 times in 1h"). */
  fighting?: string;
}

export interface ServiceDriftItem extends DriftItemBase {
  kind: 'service';
  service: string;
  field: 'present' | 'state' | 'enabled' | 'restart' | 'health' | 'masked' | 'resource';
  /** Field `resource` only: what was measured against `limits:` ("memory", "cpu"). */
  resource?: string;
}

/** A host-wide threshold (`resources:`): reported only, nothing is planned for it. */
export interface ResourceDriftItem extends DriftItemBase {
  kind: 'resource';
  /** Never set: lets `item.service` be read on any item. */
  service?: never;
  field: 'resource';
  /** What was measured against `resources:`: "load", "memory", "swap", "disk /var". */
  resource: string;
}

export interface RunlevelDriftItem extends DriftItemBase {
  kind: 'runlevel';
  /** Never set: lets `item.service` be read on any item. */
  service?: never;
  field: 'runlevel' | 'default-runlevel';
  /** Never set: lets `item.resource` be read on any item. */
  resource?: never;
}

/** One declared field of one host, compared (or, on an unchecked host, not). */
export type DriftItem = ServiceDriftItem | RunlevelDriftItem | ResourceDriftItem;

export interface CheckedHostDrift {
  status: 'in-sync' | 'drift';
  /** Never set: lets `host.reason` be read on any host. */
  reason?: never;
  items: DriftItem[];
}

export interface UncheckedHostDrift {
  status: 'unchecked';
  /** Why the host could not be checked (unreachable, not observed). */
  reason: string;
  /** What would have been checked, each with observed "unknown" and inSync false. */
  items: DriftItem[];
}

export type HostDrift = CheckedHostDrift | UncheckedHostDrift;
export type HostDriftStatus = HostDrift['status'];

export interface DriftSummary {
  hosts: number;
  inSync: number;
  drifted: number;
  unchecked: number;
  /** Declared items on every host, checked or not. */
  items: number;
  /** Items found out of sync on checked hosts (items of unchecked hosts are not counted), not waived. */
  drifts: number;
  /** Out-of-sync items a waiver accepts (not in `drifts`); absent when no waiver matched. */
  waived?: number;
}

/** What `runstate drift --format json` writes (schemas/drift.schema.json). */
export interface DriftReport {
  version: 1;
  /** Set by the CLI, never by computeDrift, so the report of one state is always the same value. */
  generatedAt?: string;
  hosts: Record<string, HostDrift>;
  summary: DriftSummary;
}
