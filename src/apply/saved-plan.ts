import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type Inventory, useHost } from '../model/inventory.js';
import { gateSets, type Plan, type Step } from '../model/plan.js';
import { hostDigest } from '../plan/digest.js';
import { escapeControls } from '../report/sanitize.js';

/*
 * A saved plan is data, not a program: anyone who can edit a CI artifact must not get root by
 * editing it. So before any host is contacted, `apply --plan` checks the file against itself
 * (digests, hosts, ids, after/waves) and against the plan the drivers build again from the
 * playbooks and the observed state the file records (`rebuilt`); any difference refuses the file.
 * Then, under the host locks, the observed state is compared with the hosts (stale check) and the
 * plan's digest with those recorded on the hosts (single use).
 */

/**
 * "sha256:<hex>" of what a plan does (its hosts' recorded states, steps and waves) and its serial,
 * as canonical JSON: the identity a host records once it applied it. File names and formatting do
 * not count; the serial does, so planning the same change again gives a plan that can be applied.
 */
export function planDigest(plan: Plan): string {
  const text = canonicalize({
    serial: plan.serial ?? null,
    hosts: plan.hosts,
    steps: plan.steps,
    waves: plan.waves,
    barriers: plan.barriers ?? [],
  });
  if (text === undefined) throw new Error('internal error: plan is not JSON');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * What is wrong with the file on its own: every step's host must be one the plan observed (so it
 * is locked and re-observed), every host's recorded state must have the digest recorded with it,
 * ids unique, every `after` an existing step, and the waves must list each step once, in an order
 * that `after` agrees with. Generic on purpose: it holds for any step kind.
 */
export function structuralProblems(plan: Plan, inventory: Inventory): string[] {
  const problems: string[] = [];
  for (const [name, host] of Object.entries(plan.hosts)) {
    // Naming a host makes the implicit localhost, as the playbook that planned it did.
    if (!useHost(inventory, name)) problems.push(`host ${show(name)} is not in the inventory`);
    if (host.observed.host !== name) {
      problems.push(`hosts.${show(name)}.observed is the state of another host`);
    } else if (hostDigest(host.observed) !== host.digest) {
      problems.push(`hosts.${show(name)}: the recorded state does not have the recorded digest`);
    }
    if ((host.unreachable !== undefined) !== (host.observed.status === 'unreachable')) {
      problems.push(`hosts.${show(name)}: "unreachable" disagrees with the recorded state`);
    }
  }
  const byId = new Map<string, Step>();
  for (const step of plan.steps) {
    if (byId.has(step.id)) problems.push(`step ${show(step.id)} appears twice`);
    byId.set(step.id, step);
    if (!(step.host in plan.hosts)) {
      problems.push(
        `step ${show(step.id)} is for host ${show(step.host)}, which the plan did not observe (it would run unlocked and unchecked)`,
      );
    } else if (plan.hosts[step.host]?.unreachable !== undefined && step.commands.length > 0) {
      problems.push(`step ${show(step.id)} has commands for a host the plan could not reach`);
    }
  }
  const barriers = new Map((plan.barriers ?? []).map((b) => [b.id, b]));
  for (const b of plan.barriers ?? []) {
    if (byId.has(b.id)) problems.push(`barrier ${show(b.id)} has the id of a step`);
    for (const dep of b.after) {
      if (!byId.has(dep) && !barriers.has(dep))
        problems.push(`barrier ${show(b.id)} is after ${show(dep)}, which is not a step`);
    }
  }
  const sets = gateSets(plan);
  if (sets.size !== (plan.gates ?? []).length) problems.push('two gate sets have the same id');
  for (const set of plan.gates ?? []) {
    for (const gate of set.gates) {
      if (!(gate.host in plan.hosts)) {
        problems.push(
          `gate set ${show(set.id)} checks a gate on ${show(gate.host)}, which the plan did not observe`,
        );
      }
    }
  }
  for (const step of plan.steps) {
    for (const id of step.requiredGates ?? []) {
      if (!sets.has(id))
        problems.push(`step ${show(step.id)} checks gate set ${show(id)}, which is not listed`);
    }
  }
  const waveOf = new Map<string, number>();
  plan.waves.forEach((ids, i) => {
    for (const id of ids) {
      if (!byId.has(id)) problems.push(`wave ${i + 1} lists ${show(id)}, which is not a step`);
      else if (waveOf.has(id)) problems.push(`step ${show(id)} is in more than one wave`);
      else waveOf.set(id, i + 1);
    }
  });
  for (const step of plan.steps) {
    const wave = waveOf.get(step.id);
    if (wave === undefined) {
      problems.push(`step ${show(step.id)} is in no wave`);
      continue;
    }
    if (step.wave !== wave)
      problems.push(`step ${show(step.id)} says wave ${step.wave} but is in wave ${wave}`);
    for (const dep of step.after) {
      const depWave = barriers.has(dep) ? barrierWave(dep, barriers, waveOf, problems) : waveOf.get(dep);
      if (!byId.has(dep) && !barriers.has(dep)) {
        problems.push(`step ${show(step.id)} is after ${show(dep)}, which is not a step`);
      } else if (depWave !== undefined && depWave >= wave) {
        problems.push(`step ${show(step.id)} (wave ${wave}) is after ${show(dep)} (wave ${depWave})`);
      }
    }
  }
  return problems;
}

/**
 * The latest wave among the steps a barrier stands for (through other barriers), 0 for none; a
 * cycle among barriers would leave the executor waiting forever, so it is a problem.
 */
function barrierWave(
  id: string,
  barriers: Map<string, { after: string[] }>,
  waveOf: Map<string, number>,
  problems: string[],
  seen = new Map<string, number>(),
  path = new Set<string>(),
): number {
  const known = seen.get(id);
  if (known !== undefined) return known;
  if (path.has(id)) {
    problems.push(`barrier ${show(id)} is in a cycle`);
    return 0;
  }
  path.add(id);
  let wave = 0;
  for (const dep of barriers.get(id)?.after ?? []) {
    const w = barriers.has(dep)
      ? barrierWave(dep, barriers, waveOf, problems, seen, path)
      : (waveOf.get(dep) ?? 0);
    wave = Math.max(wave, w);
  }
  path.delete(id);
  seen.set(id, wave);
  return wave;
}

/** The fields of a step that decide what runs and when; `reason` is prose and rebuilt with them. */
const STEP_FIELDS = [
  'host',
  'kind',
  'service',
  'manager',
  'user',
  'target',
  'commands',
  'health',
  'after',
  'wave',
  'blockedBy',
  'requiredGates',
  'reason',
] as const;

/**
 * Differences between the file's steps and the steps the drivers build again for the same
 * playbooks and recorded observations, by step id and field. Empty: the file is what the planner
 * would write, so its commands are the drivers' and its health gates the playbooks'.
 */
export function differencesFromRebuilt(file: Plan, rebuilt: Plan): string[] {
  const out: string[] = [];
  const mine = new Map(rebuilt.steps.map((s) => [s.id, s]));
  const theirs = new Set(file.steps.map((s) => s.id));
  for (const step of file.steps) {
    const want = mine.get(step.id);
    if (!want) {
      out.push(`step ${show(step.id)} is not one the playbooks and the recorded state give`);
      continue;
    }
    for (const field of STEP_FIELDS) {
      const a = canonicalize(step[field] ?? null);
      const b = canonicalize(want[field] ?? null);
      if (a !== b) out.push(`step ${show(step.id)}: ${field} ${describeField(field, a, b)}`);
    }
  }
  for (const step of rebuilt.steps) {
    if (!theirs.has(step.id)) out.push(`step ${show(step.id)} is missing from the file`);
  }
  if (out.length === 0 && canonicalize(file.waves) !== canonicalize(rebuilt.waves)) {
    out.push('the waves differ from the order the planner gives');
  }
  if (canonicalize(file.barriers ?? []) !== canonicalize(rebuilt.barriers ?? [])) {
    out.push('the barriers differ from the order the planner gives');
  }
  if (canonicalize(file.gates ?? []) !== canonicalize(rebuilt.gates ?? [])) {
    out.push("the gate sets differ from the playbooks' health gates");
  }
  return out;
}

function describeField(field: string, fileValue = 'null', rebuiltValue = 'null'): string {
  if (field === 'commands' || field === 'health') {
    return `differ from what the drivers and playbooks build: the file has ${clip(fileValue)}, they build ${clip(rebuiltValue)}`;
  }
  return `is ${clip(fileValue)} in the file, ${clip(rebuiltValue)} when rebuilt`;
}

/** The commands, one per line, exactly as they will be sent (each word shown JSON-quoted). */
export function renderCommands(plan: Plan): string {
  const lines = ['Commands to run (exactly these, in this order per host):'];
  const sets = gateSets(plan);
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const listed = new Set<string>();
  for (const ids of plan.waves) {
    for (const id of ids) {
      const step = byId.get(id);
      if (!step || step.commands.length === 0) continue;
      for (const id of step.requiredGates ?? []) {
        const set = sets.get(id);
        if (!set) continue;
        // A group's gates once, where the first step names them; later steps point back to them.
        if (listed.has(id)) {
          lines.push(`  ${word(step.host)}: first the gates of ${show(set.requirement)} (listed above)`);
          continue;
        }
        listed.add(id);
        for (const gate of set.gates) {
          lines.push(
            `  ${show(gate.host)}: first the gate of ${show(gate.service)} ${escapeControls(JSON.stringify(gate.health))}`,
          );
        }
      }
      for (const argv of step.commands) lines.push(`  ${word(step.host)}: ${argv.map(word).join(' ')}`);
      if (step.health)
        lines.push(`  ${word(step.host)}: then health gate ${escapeControls(JSON.stringify(step.health))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A plain word as is; anything else JSON-quoted, so no byte of it acts on the terminal. */
function word(w: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(w) ? w : escapeControls(JSON.stringify(w));
}

/** A value from the file, safe to print: JSON-quoted (control characters escaped), bounded. */
function show(value: string): string {
  return clip(escapeControls(JSON.stringify(value)));
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
