import {
  type AnyRequirement,
  type Desired,
  type DesiredService,
  isGroupRequirement,
  requiredHosts,
} from '../model/desired.js';
import { serviceOnHost } from '../model/notation.js';
import type { GateSet, Step } from '../model/plan.js';
import { compareText, type OutsideLimit, type PlanProblem } from './types.js';

const STARTS = new Set<Step['kind']>(['start', 'restart']);

/**
 * Health gates hold on every run, not only on the one that starts the requirement. A start whose
 * requirement gets a start (or restart) step of its own waits on that step, which runs the gate;
 * a requirement that already runs has no step, so its declared gate is listed once in the plan's
 * `gates` (one set per requirement, whole groups included) and the dependent names that set in
 * `requiredGates`: apply checks it again first. A reference, so the plan stays linear in size.
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
): { steps: Step[]; gates: GateSet[]; problems: PlanProblem[] } {
  // Only a declared health gate, or a requirement outside what is planned, can change a step.
  if (!outside && !Object.values(desired.hosts).some(hasHealth)) return { steps, gates: [], problems: [] };
  // The declared services that get a start or restart step, by identity (no key string per step).
  const starting = new Set<DesiredService>();
  for (const s of steps) {
    if (!STARTS.has(s.kind) || !s.service) continue;
    const d = desired.hosts[s.host]?.services[s.service];
    if (d) starting.add(d);
  }
  const problems: PlanProblem[] = [];
  // What a requirement means for any start that names it, worked out once per requirement: a
  // `group:svc` named by every host of a fleet is looked at once, not once per dependent.
  const verdicts = new Map<string, Verdict>();
  const verdictOf = (r: AnyRequirement): Verdict => {
    const id = isGroupRequirement(r) ? `@${r.group}\u0000${r.service}` : key(r.host, r.service);
    let v = verdicts.get(id);
    if (v) return v;
    const requirement = isGroupRequirement(r) ? `${r.group}:${r.service}` : serviceOnHost(r.host, r.service);
    const setId = isGroupRequirement(r) ? `@${requirement}/gates` : `${requirement}/gates`;
    v = { set: { id: setId, requirement, gates: [] }, blocks: [] };
    for (const t of eachHost(r)) {
      const planned = desired.hosts[t.host]?.services[t.service];
      if (planned && starting.has(planned)) continue;
      const required = planned ?? outsideService(t, outside);
      if (!planned && outside) {
        const why = outsideProblem(t, outside);
        if (why) {
          v.blocks.push({ why, host: t.host });
          continue;
        }
      }
      if (required?.health && required.state === 'running') {
        v.set.gates.push({ host: t.host, service: t.service, health: required.health });
      }
    }
    verdicts.set(id, v);
    return v;
  };
  const used = new Map<string, GateSet>();
  const out = steps.map((step) => {
    if (!STARTS.has(step.kind) || !step.service) return step;
    const want = desired.hosts[step.host]?.services[step.service];
    if (!want || want.requires.length === 0) return step;
    const gates: string[] = [];
    let blockedBy = step.blockedBy;
    for (const r of want.requires) {
      const v = verdictOf(r);
      for (const b of v.blocks) {
        blockedBy ??= b.why;
        problems.push({
          host: step.host,
          service: step.service,
          message: `${b.why}; ${step.service} will not be started`,
          hint: outside?.why?.hint ?? `apply without --limit, or include ${b.host} in it`,
          warning: true,
        });
      }
      if (v.set.gates.length > 0 && !gates.includes(v.set.id)) {
        gates.push(v.set.id);
        used.set(v.set.id, v.set);
      }
    }
    if (gates.length === 0 && blockedBy === step.blockedBy) return step;
    return {
      ...step,
      ...(blockedBy !== undefined ? { blockedBy } : {}),
      ...(gates.length > 0 ? { requiredGates: gates } : {}),
    };
  });
  const gates = [...used.values()].sort((a, b) => compareText(a.id, b.id));
  return { steps: out, gates, problems };
}

function hasHealth(h: Desired['hosts'][string]): boolean {
  for (const name in h.services) if (h.services[name]?.health) return true;
  return false;
}

/** What starting against one requirement needs: gates to check again, or reasons it cannot. */
interface Verdict {
  set: GateSet;
  blocks: { why: string; host: string }[];
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
