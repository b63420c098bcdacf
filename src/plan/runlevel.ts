import { initKinds } from '../drivers/index.js';
import type { Runlevel } from '../model/desired.js';
import type { ReachableHost } from '../model/observed.js';
import type { Change, ManagerKnowledge, PlanProblem } from './types.js';

/** The step's target as the drivers take it: "3", "multi-user.target" or "default". */
export function runlevelTarget(runlevel: Runlevel): string {
  return runlevel.kind === 'level' ? String(runlevel.level) : runlevel.name;
}

/**
 * Runlevel changes of one host: desired and observed compare as the init's driver says observe
 * reports them (so "3" is in sync with multi-user.target on systemd). The boot default is compared
 * and set wherever the driver has one (systemd's default target, inittab, Upstart's
 * DEFAULT_RUNLEVEL); a boot default that was not observed is set, so the next plan can compare it.
 */
export function diffRunlevel(
  host: string,
  want: Runlevel,
  observed: ReachableHost,
  knowledge: ManagerKnowledge,
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
          hint: `check that the host runs one of ${initKinds().join(', ')}, or set runstate_init in the inventory`,
        },
      ],
    };
  }
  const reportedAs = (value: string) => knowledge.observedRunlevel(init, value);
  const same = (seen: string | undefined): boolean =>
    seen !== undefined && reportedAs(seen) === reportedAs(target);
  const describe = (value: string | undefined) =>
    value === undefined ? 'unknown' : knowledge.describeRunlevel(init, value);
  const wanted = describe(target);
  const { current, default: bootDefault } = observed.runlevel;
  const changes: Change[] = [];
  if (!same(current)) {
    changes.push({
      host,
      kind: 'set-runlevel',
      manager: init,
      target,
      reason: `observed ${describe(current)}, want ${wanted}`,
      change: { field: 'runlevel', before: current ?? null, after: target },
    });
  }
  if (knowledge.capabilities(init).bootDefault && !same(bootDefault)) {
    changes.push({
      host,
      kind: 'set-default-runlevel',
      manager: init,
      target,
      reason: `observed boot default ${describe(bootDefault)}, want ${wanted}`,
      change: { field: 'boot_default', before: bootDefault ?? null, after: target },
    });
  }
  return { changes, problems: [] };
}
