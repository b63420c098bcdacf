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
}

/**
 * One per init system / process manager: the ONLY code that knows a manager's commands and
 * output. Everything here is pure, so parsers are unit-tested on captured real output.
 */
export interface Driver {
  kind: ManagerKind;
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
}
