import type { ManagerKind } from '../model/desired.js';
import { dockerDriver, podmanDriver } from './docker.js';
import type { Capabilities, ChangeRequest, Driver, Hints } from './driver.js';
import { openrcDriver } from './openrc.js';
import { supervisordDriver } from './supervisord.js';
import { systemdDriver } from './systemd.js';
import { sysvDriver } from './sysv.js';
import { upstartDriver } from './upstart.js';

export type {
  Capabilities,
  ChangeRequest,
  Detection,
  Driver,
  DriverFacts,
  Hints,
  ObserveOptions,
  Probe,
} from './driver.js';
export { namesFor } from './driver.js';
export { systemdUnit } from './systemd.js';

/**
 * Every driver, in the order the observe script probes them: init systems that leave specific
 * traces first, SysV last (most of them keep /etc/init.d too), then the managers that run beside
 * an init. Adding a manager is one driver file plus its line here (docs/ARCHITECTURE.md).
 */
export const ALL_DRIVERS: readonly Driver[] = [
  systemdDriver,
  openrcDriver,
  upstartDriver,
  sysvDriver,
  supervisordDriver,
  dockerDriver,
  podmanDriver,
];

const BY_KIND = new Map<ManagerKind, Driver>(ALL_DRIVERS.map((d) => [d.kind, d]));

export function driverFor(kind: ManagerKind): Driver {
  const driver = BY_KIND.get(kind);
  if (!driver) throw new Error(`no driver for ${kind}`);
  return driver;
}

/** The init systems an inventory's `runstate_init` may name. */
export function initKinds(): ManagerKind[] {
  return ALL_DRIVERS.filter((d) => d.detection.role === 'init').map((d) => d.kind);
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

/**
 * What the planner may ask about a manager without naming one: how it reports runlevels, what it
 * can do, and its words for what it cannot. `plan/` takes this as its default knowledge.
 */
export interface ManagerKnowledge {
  observedRunlevel(manager: ManagerKind, target: string): string;
  describeRunlevel(manager: ManagerKind, value: string): string;
  capabilities(manager: ManagerKind): Capabilities;
  hints(manager: ManagerKind): Hints;
}

export const DRIVER_KNOWLEDGE: ManagerKnowledge = {
  observedRunlevel: observedRunlevelFor,
  describeRunlevel: (manager, value) => {
    const described = driverFor(manager).describeRunlevel?.(value);
    return described ?? (/^[0-6]$/.test(value) ? `runlevel ${value}` : value);
  },
  capabilities: (manager) => driverFor(manager).capabilities,
  hints: (manager) => driverFor(manager).hints ?? {},
};
