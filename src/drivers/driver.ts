import type { ManagerKind } from '../model/desired.js';
import type { ObservedRunlevel, ObservedService } from '../model/observed.js';
import type { StepKind } from '../model/plan.js';

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
}

/**
 * One per init system / process manager: the ONLY code that knows a manager's commands and
 * output. Everything here is pure, so parsers are unit-tested on captured real output.
 */
export interface Driver {
  kind: ManagerKind;
  /**
   * A POSIX sh fragment printing this manager's facts for the given (already validated)
   * service names; it must not fail the script when a service or tool is missing.
   */
  observeScript(services: readonly string[]): string;
  /** Parse the fragment's output. */
  parse(output: string, services: readonly string[]): DriverFacts;
  /** The exact commands for a change. */
  commands(change: ChangeRequest): string[][];
}
