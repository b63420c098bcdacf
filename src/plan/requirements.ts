import { type AnyRequirement, type Desired, type DesiredService, requiredHosts } from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { RequiredGate, Step } from '../model/plan.js';
import type { OutsideLimit, PlanProblem } from './types.js';

const STARTS = new Set<Step['kind']>(['start', 'restart']);

/**
 * Health gates hold on every run, not only on the one that starts the requirement. A start whose
 * requirement gets a start (or restart) step of its own waits on that step, which runs the gate;
 * a requirement that already runs has no step, so its declared gate is attached to the dependent
 * (`requiredGates`) and apply checks it again first.
 *
 * With `--limit` (or a heal of some services only), a requirement may be outside what is planned
 * (`outside`, observed too): one that is not running there, or whose host could not be observed,
 * blocks the start with the reason and a warning — this run will not start it, and the dependent
 * would start against nothing.
 */
export function gateRequirements(
  steps: Step[],
  desired: Desired,
  outside?: OutsideLimit,
): { steps: Step[]; problems: PlanProblem[] } {
  const starting = new Set(
    steps.filter((s) => STARTS.has(s.kind) && s.service).map((s) => key(s.host, s.service as string)),
  );
  const problems: PlanProblem[] = [];
  const out = steps.map((step) => {
    if (!STARTS.has(step.kind) || !step.service) return step;
    const want = desired.hosts[step.host]?.services[step.service];
    if (!want || want.requires.length === 0) return step;
    const gates: RequiredGate[] = [];
    let blockedBy = step.blockedBy;
    for (const r of want.requires.flatMap(eachHost)) {
      if (starting.has(key(r.host, r.service))) continue;
      const planned = desired.hosts[r.host]?.services[r.service];
      const required = planned ?? outsideService(r, outside);
      if (!planned && outside) {
        const why = outsideProblem(r, outside);
        if (why) {
          blockedBy ??= why;
          problems.push({
            host: step.host,
            service: step.service,
            message: `${why}; ${step.service} will not be started`,
            hint: outside.why?.hint ?? `apply without --limit, or include ${r.host} in it`,
            warning: true,
          });
          continue;
        }
      }
      if (required?.health && required.state === 'running') {
        gates.push({ host: r.host, service: r.service, health: required.health });
      }
    }
    if (gates.length === 0 && blockedBy === step.blockedBy) return step;
    return {
      ...step,
      ...(blockedBy !== undefined ? { blockedBy } : {}),
      ...(gates.length > 0 ? { requiredGates: gates } : {}),
    };
  });
  return { steps: out, problems };
}

/** One (host, service) per host a requirement points at; a group requirement names several. */
interface HostService {
  raw: string;
  host: string;
  service: string;
}
const eachHost = (r: AnyRequirement): HostService[] =>
  requiredHosts(r).map((host) => ({ raw: r.raw, host, service: r.service }));

function key(host: string, service: string): string {
  return `${host}\u0000${service}`;
}

function outsideService(r: HostService, outside: OutsideLimit | undefined): DesiredService | undefined {
  return outside?.desired.hosts[r.host]?.services[r.service];
}

/** Why a requirement outside --limit cannot be relied on, or undefined when it runs there. */
function outsideProblem(r: HostService, outside: OutsideLimit): string | undefined {
  const where = `${serviceOnHost(r.host, r.service)} (${outside.why?.label ?? 'outside --limit'})`;
  const seen = outside.observed.hosts[r.host];
  if (!seen) return `requires ${where}, which was not observed`;
  if (seen.status !== 'ok') return `requires ${where}, whose host is unreachable: ${seen.reason}`;
  const svc = seen.services[r.service];
  if (!svc) return `requires ${where}, which was not observed`;
  if (svc.active !== 'active') return `requires ${where}, which is ${svc.active} there`;
  return undefined;
}
