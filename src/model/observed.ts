import type { ManagerKind } from './desired.js';

/** Normalised across managers; `not-found` is its own state, never "stopped". */
export type ActiveState =
  | 'active'
  | 'inactive'
  | 'failed'
  | 'activating'
  | 'deactivating'
  | 'not-found'
  | 'unknown';

export type EnabledState = 'enabled' | 'disabled' | 'static' | 'masked' | 'not-found' | 'unknown';

export interface ObservedService {
  name: string;
  manager: ManagerKind;
  active: ActiveState;
  enabled: EnabledState;
  /** The manager's own words (SubState, LSB code, supervisor state…), for humans. */
  detail?: string;
  /**
   * For a service with `restart.on_change`: the checksum of its watched files now, and as
   * recorded at its last (re)start by runstate (null: never recorded).
   */
  watch?: { current: string; recorded: string | null };
  /**
   * The manager's own name for it when that differs from `name` (systemd `foo.service`, supervisor
   * `grp:foo` or `pool:*`); drivers address the service by it.
   */
  unit?: string;
  /** sysv: the boot-link tool found on the host (`update-rc.d` or `chkconfig`). */
  tool?: string;
  /** Runlevels that start it at boot (sysv: levels with an S link; OpenRC: runlevels it is in). */
  runlevels?: string[];
  /**
   * The manager runs an older copy of its definition than the file on disk (systemd
   * `NeedDaemonReload=yes`): the plan reloads the manager before changing it.
   */
  reloadNeeded?: boolean;
  /** True now but not after a reboot, in the driver's words (a unit linked only in /run). */
  warning?: string;
  /**
   * Its manager still records it as started but its process is gone (OpenRC with Debian's
   * start-stop-daemon): `active` is `failed`, and a stop or start must first reset that record.
   */
  crashed?: boolean;
  /** The manager could not be asked about it (permission denied…): nothing can be planned for it. */
  problem?: string;
  /** How to fix `problem`, in the driver's words (`loginctl enable-linger alice`). */
  problemHint?: string;
  /** A user unit: the login whose own manager runs it (`systemctl --user`), and its uid there. */
  user?: string;
  uid?: number;
}

export interface ObservedRunlevel {
  /** Current SysV runlevel ("3"), OpenRC runlevel ("default") or systemd target. */
  current?: string;
  /** Boot default: systemd default target, inittab initdefault, … */
  default?: string;
}

export interface ReachableHost {
  status: 'ok';
  host: string;
  /** The host's init system (PID 1 side); a host may also run supervisord. */
  init: ManagerKind | 'unknown';
  managers: ManagerKind[];
  /**
   * How each manager in `managers` was found, in the probes' words ("/proc/1/comm=systemd,
   * /run/systemd/system present"; "inventory runstate_init=sysv" when the inventory chose it).
   */
  detection?: Partial<Record<ManagerKind, string>>;
  runlevel: ObservedRunlevel;
  services: Record<string, ObservedService>;
  /** Only when the playbook declares thresholds or `facts --resources` asked; never digested. */
  resources?: ObservedResources;
}

/** What the opt-in resources section of the observe script read (only when thresholds are declared). */
export interface ObservedResources {
  /** /proc/loadavg: 1, 5 and 15-minute load averages. */
  load?: [number, number, number];
  /** /proc/meminfo, in KiB: used = total - available. */
  memory?: { totalKiB: number; availableKiB: number; swapTotalKiB: number; swapFreeKiB: number };
  /** `df -P` per declared mount point; `error` when it could not be read. */
  disks?: Record<string, { sizeKiB: number; usedKiB: number; availableKiB: number } | { error: string }>;
  /** Per service with `limits`: memory (bytes) and CPU time used (µs), and where they were read. */
  services?: Record<string, ServiceResources>;
}

export interface ServiceResources {
  memoryBytes?: number;
  cpuUsec?: number;
  /** Only for a service with a `cpu` limit: CPU used over the sampling window, % of one core. */
  cpuPercent?: number;
  /** `cgroup` (the unit's or container's cgroup files) or `pids` (the processes' /proc entries). */
  source?: 'cgroup' | 'pids';
  /** Why nothing could be read (not running, no pid found). */
  error?: string;
}

export interface UnreachableHost {
  status: 'unreachable';
  host: string;
  reason: string;
}

export type ObservedHost = ReachableHost | UnreachableHost;

/** What `runstate facts --format json` prints and `plan --observed` reads. */
export interface ObservedSnapshot {
  version: 1;
  hosts: Record<string, ObservedHost>;
}
