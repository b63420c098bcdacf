import type { Runlevel } from '../model/desired.js';
import type { ReachableHost } from '../model/observed.js';
import type { Change, ObservedRunlevelFor, PlanProblem } from './types.js';

/** systemd's runlevelN.target aliases: what a SysV level means on a systemd host. */
const SYSTEMD_LEVEL_TARGETS: Record<string, string> = {
  '0': 'poweroff.target',
  '1': 'rescue.target',
  '2': 'multi-user.target',
  '3': 'multi-user.target',
  '4': 'multi-user.target',
  '5': 'graphical.target',
  '6': 'reboot.target',
};

/** The step's target as the drivers take it: "3", "multi-user.target" or "default". */
export function runlevelTarget(runlevel: Runlevel): string {
  return runlevel.kind === 'level' ? String(runlevel.level) : runlevel.name;
}

/** "3", "runlevel3" and "runlevel3.target" all name the same systemd target. */
export function systemdTargetOf(value: string): string {
  const m = /^(?:runlevel)?([0-6])(?:\.target)?$/.exec(value);
  const digit = m?.[1];
  return digit !== undefined ? (SYSTEMD_LEVEL_TARGETS[digit] ?? value) : value;
}

function describe(value: string | undefined, onSystemd: boolean): string {
  if (value === undefined) return 'unknown';
  if (!/^[0-6]$/.test(value)) return value;
  return onSystemd ? `runlevel ${value} (${systemdTargetOf(value)})` : `runlevel ${value}`;
}

/** Without the drivers' knowledge: systemd levels are their targets, other values compare verbatim. */
const builtinRunlevelFor: ObservedRunlevelFor = (manager, target) =>
  manager === 'systemd' ? systemdTargetOf(target) : target;

/**
 * Runlevel changes of one host: desired and observed compare as the manager reports them (so "3" is
 * in sync with multi-user.target on systemd). On systemd the boot default is compared too.
 */
export function diffRunlevel(
  host: string,
  want: Runlevel,
  observed: ReachableHost,
  reportedAs: ObservedRunlevelFor = builtinRunlevelFor,
): { changes: Change[]; problems: PlanProblem[] } {
  const target = runlevelTarget(want);
  const init = observed.init;
  if (init === 'unknown') {
    return {
      changes: [],
      problems: [
        {
          host,
          message: `cannot set the runlevel of ${host} to ${target}: its init system is unknown`,
          hint: 'check that the host runs systemd, SysV init, OpenRC or upstart',
        },
      ],
    };
  }
  const onSystemd = init === 'systemd';
  const same = (seen: string | undefined): boolean =>
    seen !== undefined && reportedAs(init, seen) === reportedAs(init, target);
  const wanted = describe(target, onSystemd);
  const { current, default: bootDefault } = observed.runlevel;
  const changes: Change[] = [];
  if (!same(current)) {
    changes.push({
      host,
      kind: 'set-runlevel',
      manager: init,
      target,
      reason: `observed ${describe(current, onSystemd)}, want ${wanted}`,
    });
  }
  if (onSystemd && !same(bootDefault)) {
    changes.push({
      host,
      kind: 'set-default-runlevel',
      manager: init,
      target,
      reason: `observed boot default ${describe(bootDefault, onSystemd)}, want ${wanted}`,
    });
  }
  return { changes, problems: [] };
}
