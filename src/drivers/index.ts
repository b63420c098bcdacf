import type { ManagerKind } from '../model/desired.js';
import type { ChangeRequest, Driver } from './driver.js';
import { openrcDriver } from './openrc.js';
import { supervisordDriver } from './supervisord.js';
import { systemdDriver } from './systemd.js';
import { sysvDriver } from './sysv.js';
import { upstartDriver } from './upstart.js';

export type { ChangeRequest, Driver, DriverFacts, ObserveOptions } from './driver.js';
export { systemdUnit } from './systemd.js';

const BY_KIND: Record<ManagerKind, Driver> = {
  systemd: systemdDriver,
  sysv: sysvDriver,
  openrc: openrcDriver,
  upstart: upstartDriver,
  supervisord: supervisordDriver,
};

export const ALL_DRIVERS: readonly Driver[] = Object.values(BY_KIND);

export function driverFor(kind: ManagerKind): Driver {
  return BY_KIND[kind];
}

/**
 * The exact argv lists for one change (the planner's CommandsFor). `host` is unused today: the
 * host-specific parts (unit id, sysv tool, OpenRC runlevels) travel in `change.observed`.
 * Returns [] for a change the manager cannot make — ask `unsupportedChange` first.
 */
export function commandsFor(_host: string, manager: ManagerKind, change: ChangeRequest): string[][] {
  return driverFor(manager).commands(change);
}

/** Why `manager` cannot make `change` (e.g. supervisord enable), or undefined. */
export function unsupportedChange(manager: ManagerKind, change: ChangeRequest): string | undefined {
  return driverFor(manager).unsupported?.(change);
}

/** The runlevel string observe reports once a host managed by `manager` is in `target`. */
export function observedRunlevelFor(manager: ManagerKind, target: string): string {
  return driverFor(manager).observedRunlevel?.(target) ?? target;
}
