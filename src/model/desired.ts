import type { SourceRef } from './source.js';
import type { Waiver } from './waiver.js';

export const TIERS = ['database', 'app', 'network', 'main'] as const;
export type Tier = (typeof TIERS)[number];

export const MANAGERS = ['systemd', 'sysv', 'openrc', 'upstart', 'supervisord', 'docker', 'podman'] as const;
export type ManagerKind = (typeof MANAGERS)[number];
export type ManagerChoice = ManagerKind | 'auto';

/** SPEC's service-name rule; anything else never reaches a shell. */
export const SERVICE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9@._+-]{0,254}$/;

/** A login name as useradd takes it (Debian's NAME_REGEX, at most 32): `user:` of a user unit. */
export const LOGIN_NAME_RE = /^[a-z_][a-z0-9_-]{0,30}[$]?$/;

/**
 * What the host should run in: a SysV-style level (1-5; 0 and 6 are refused), a systemd
 * target ("multi-user.target"), or an OpenRC named runlevel ("default"). `custom`: a name outside
 * the allowlist that the playbook opted in to (`{ target: x, custom: true }`).
 */
export type Runlevel =
  | { kind: 'level'; level: 1 | 2 | 3 | 4 | 5 }
  | { kind: 'target'; name: string; custom?: true }
  | { kind: 'named'; name: string; custom?: true };

export type HealthCheck =
  | { kind: 'tcp'; port: number; host: string; timeoutSec: number }
  | { kind: 'http'; url: string; timeoutSec: number }
  /** argv, never a shell string: run with each word quoted. */
  | { kind: 'command'; argv: string[]; timeoutSec: number };

/** A dependency as written: "svc" (same host) or "host:svc" — resolved to one host. */
export interface Requirement {
  raw: string;
  host: string; // a resolved inventory host
  service: string;
}

/**
 * "group:svc" (or "all:svc"): the service on every host of the group that declares it. The host list
 * is one array shared by every service that names the same group:svc, so `requires: [all:db]` on
 * N hosts costs N references, not N × N pairs; the planner orders it through one barrier.
 */
export interface GroupRequirement {
  raw: string;
  group: string;
  service: string;
  hosts: readonly string[];
}

export type AnyRequirement = Requirement | GroupRequirement;

export const isGroupRequirement = (r: AnyRequirement): r is GroupRequirement => 'group' in r;

/** The hosts a requirement points at. */
export const requiredHosts = (r: AnyRequirement): readonly string[] =>
  isGroupRequirement(r) ? r.hosts : [r.host];

export interface DesiredService {
  name: string;
  state: 'running' | 'stopped';
  enabled?: boolean;
  tier: Tier;
  manager: ManagerChoice;
  health?: HealthCheck;
  requires: AnyRequirement[];
  /**
   * A systemd user unit of this login (`user: alice`): observed and changed in alice's own manager
   * (`systemctl --user`), never the system unit of the same name.
   */
  user?: string;
  /** Masked (`masked: true`, with state: stopped): nothing may start it, not even another unit. */
  masked?: boolean;
  /** Restart the running service when one of these absolute paths on the host changed. */
  restart?: { onChange: string[] };
  /** Restarts and starts across the hosts that share this declaration go a few at a time. */
  rolling?: Rolling;
  /** `limits:` — resource use that is drift when exceeded (reported only, never acted on). */
  limits?: ServiceLimits;
  /** For each field that was set: the layer ("all", "group:web", "host:h1") and file position. */
  origin: Record<string, Origin>;
}

/** `rolling: { max_down: 1 | "25%", pause: 10s }`: at most max_down hosts down at once. */
export interface Rolling {
  maxDown: { count: number } | { percent: number };
  pauseSec: number;
}

export interface Origin {
  layer: string;
  where: SourceRef;
  /** Lower layers that set the field too, highest first: what this value overrode (for `--explain`). */
  overrode?: Overridden[];
}

/** A value a higher layer replaced, as written there (requires: the list of strings). */
export interface Overridden {
  layer: string;
  where: SourceRef;
  value: unknown;
}

/** Host-wide thresholds: percentages 0-100 (used), load as the 1-minute load average. */
export interface ResourceThresholds {
  /** Mount point → highest percent of its space in use. */
  disk?: Record<string, number>;
  memory?: number;
  swap?: number;
  load?: number;
}

/** Per service: the most memory (bytes) its processes may use. */
export interface ServiceLimits {
  memory?: number;
  /**
   * Most CPU, in percent of ONE core (systemd's CPUQuota= and top's %CPU read it the same way:
   * 200 = two cores busy), measured over a one-second window inside the observe script.
   */
  cpu?: number;
}

/** Stack of a host that names none: tiers order everything in it, as before stacks existed. */
export const DEFAULT_STACK = 'default';

export interface DesiredHost {
  host: string;
  /** Tiers order services within a stack only; absent = DEFAULT_STACK. */
  stack?: string;
  stackOrigin?: Origin;
  runlevel?: Runlevel;
  runlevelOrigin?: Origin;
  /** `resources:` thresholds of the host; a breach is drift (field `resource`), nothing is changed. */
  resources?: ResourceThresholds;
  resourcesOrigin?: Origin;
  services: Record<string, DesiredService>;
}

export interface Desired {
  playbooks: string[];
  hosts: Record<string, DesiredHost>;
  /** The playbooks' `waivers:` entries (drift-waivers.yml is read by the commands that report drift). */
  waivers?: Waiver[];
}
