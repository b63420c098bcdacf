import type { ManagerKind } from '../model/desired.js';
import type { ObservedRunlevel, ObservedService } from '../model/observed.js';
import type { StepKind } from '../model/plan.js';
import type { ObserveOptions } from './fragment.js';

export type { ObserveOptions } from './fragment.js';

/** What one driver learned from its section of the host's single observe script. */
export interface DriverFacts {
  services: ObservedService[];
  runlevel?: ObservedRunlevel;
}

/** A change a driver must turn into commands (argv lists; the executor quotes every word). */
export interface ChangeRequest {
  kind: StepKind;
  service?: string;
  /** For set-runlevel / set-default-runlevel: a level ("3"), target or OpenRC runlevel name. */
  target?: string;
  /**
   * What observe found for this service, so commands use the host's own name and tool (systemd
   * unit id, supervisor group, sysv chkconfig vs update-rc.d, OpenRC runlevels). Optional: without
   * it drivers derive the conventional name and tool.
   */
  observed?: Pick<ObservedService, 'unit' | 'tool' | 'runlevels' | 'crashed'>;
  /** A user unit: the login and its uid as observed; the commands act in that user's manager. */
  user?: { name: string; uid: number };
}

/** One check the observe script makes on the host, and what it proves when it holds. */
export interface Probe {
  /** A POSIX sh condition (`[ -d /run/systemd/system ]`); may use `$rs_pid1` and `$rs_t`. */
  test: string;
  /** Constant words for the plan and `facts`: "/run/systemd/system present". */
  evidence: string;
}

/**
 * How the observe script finds out that this manager runs the host's services.
 * - `init`: the host's init system. Init drivers are probed in registration order, the first whose
 *   probes hold wins; `alsoUnder` names other inits whose hosts still run this driver's services
 *   (SysV scripts on an Upstart host). An inventory's `runstate_init` skips the probes.
 * - `beside`: a process manager that runs next to any init (supervisord); its probes decide alone.
 */
export interface Detection {
  role: 'init' | 'beside';
  probes: readonly Probe[];
  alsoUnder?: readonly ManagerKind[];
  /**
   * Only services whose playbook names this manager are its (containers: `manager: docker`);
   * with `manager: auto` a service is never looked for here. See `namesFor`.
   */
  declaredOnly?: boolean;
}

/** What a manager can do, so the planner asks instead of naming managers. */
export interface Capabilities {
  /** Has a boot default runlevel that `set-default-runlevel` sets (systemd target, inittab). */
  bootDefault: boolean;
  /** Services can be masked and unmasked (`masked: true`; unmask before start). */
  masking: boolean;
  /**
   * Runs per-login managers beside the system one (systemd `--user`): a playbook's `user:` is
   * observed and changed there, given as `ObserveOptions.users` and `ChangeRequest.user`.
   */
  userUnits?: boolean;
}

/** The driver's words for situations the planner reports but cannot change. */
export interface Hints {
  /** `enabled: false` on a service that only other units pull in. */
  staticUnit?(service: string): string;
  /** Something masked that the playbook wants up but the driver cannot unmask. */
  masked?(service: string): string;
}

/**
 * One per init system / process manager: the ONLY code that knows a manager's commands and
 * output. Everything here is pure, so parsers are unit-tested on captured real output.
 */
/** The names a driver's fragment and parser get: all of them, or a declaredOnly driver's own. */
export function namesFor(driver: Driver, services: readonly string[], opts: ObserveOptions = {}): string[] {
  if (!driver.detection.declaredOnly) return [...services];
  return services.filter((name) => opts.managers?.[name] === driver.kind);
}

export interface Driver {
  kind: ManagerKind;
  detection: Detection;
  capabilities: Capabilities;
  hints?: Hints;
  /** A level or target as people read it ("runlevel 3 (multi-user.target)"); default: as is. */
  describeRunlevel?(value: string): string;
  /**
   * A POSIX sh fragment printing this manager's facts for the given (already validated)
   * service names; it must not fail the script when a service or tool is missing. With
   * `discover`, it also lists every service the manager knows, in the same run.
   */
  observeScript(services: readonly string[], opts?: ObserveOptions): string;
  /**
   * Parse the fragment's output: one entry per requested name; with `discover`, then one per
   * other service the host reported (names checked against SPEC's regex, others dropped).
   */
  parse(output: string, services: readonly string[], opts?: ObserveOptions): DriverFacts;
  /** The exact commands for a change. */
  commands(change: ChangeRequest): string[][];
  /**
   * Why this manager cannot make the change (supervisord has no enable at boot; a sysv host has no
   * systemd targets), or undefined when it can. `commands` returns [] for such changes, so the
   * planner asks this first and reports the reason instead of emitting an empty step.
   */
  unsupported?(change: ChangeRequest): string | undefined;
  /**
   * The runlevel string observe reports once the host is in `target` ("3" on systemd →
   * "multi-user.target", on OpenRC → "default"), so the planner compares like with like.
   */
  observedRunlevel?(target: string): string;
  /**
   * sh printing where a running service's processes are, for resource limits: `cgroup PATH` (a
   * cgroup v2 path as in /proc/PID/cgroup) or `pid N…`; nothing when it does not run. The name is
   * validated; the snippet quotes it.
   */
  resourceSource?(service: string): string;
}
