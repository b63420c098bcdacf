import { ALL_DRIVERS, driverFor } from '../drivers/index.js';
import type { DesiredService } from '../model/desired.js';
import { q } from './names.js';

/**
 * `user:` names a user unit, which only a manager with per-login managers runs (systemd --user).
 * A service pinned to another manager cannot be one: refused, never quietly the system service.
 */
export function userUnitProblem(
  manager: DesiredService['manager'],
  user: string,
): { message: string; hint: string } | undefined {
  if (manager === 'auto' || driverFor(manager).capabilities.userUnits) return undefined;
  const able = ALL_DRIVERS.filter((d) => d.capabilities.userUnits).map((d) => d.kind);
  return {
    message: `user: ${q(user)} asks for a user unit, but manager: ${manager} runs no per-user managers`,
    hint: `for ${user}'s own unit drop manager: (or set manager: ${able.join(' or ')}); for the ${manager} service drop user:`,
  };
}
