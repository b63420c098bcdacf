import pc from 'picocolors';
import { serviceOnHost } from '../model/notation.js';
import { type GateSet, gateSets, type Plan, type StepKind } from '../model/plan.js';
import {
  blockedLines,
  byStack,
  headline,
  stackLookup,
  stepSubject,
  stepsByWave,
  unreachableHosts,
} from './plan-summary.js';

type Paint = (text: string) => string;

/** Terminal plan: a header, numbered waves with one aligned line per step, unreachable hosts. */
export function renderPlanText(plan: Plan, opts: { color: boolean }): string {
  return [...planTextPieces(plan, opts)].join('');
}

/** Characters a piece of planTextPieces holds at least (the last one fewer), as for the JSON plan. */
const PIECE = 65536;

/**
 * renderPlanText's text in pieces of about PIECE characters, each cut after a line: at 10,000 hosts
 * the lines of 400,000 steps were an array of strings, trimmed copies of them and their join, all
 * alive at once (docs/performance.md, Session 6 — planner).
 */
export function* planTextPieces(plan: Plan, opts: { color: boolean }): Generator<string> {
  const c = pc.createColors(opts.color);
  const sets = gateSets(plan);
  const kindColor: Record<StepKind, Paint> = {
    start: c.green,
    enable: c.green,
    restart: c.yellow,
    stop: c.red,
    disable: c.red,
    'set-runlevel': c.cyan,
    'set-default-runlevel': c.cyan,
    unmask: c.green,
    mask: c.red,
    'daemon-reload': c.cyan,
  };
  let out = '';
  const line = (l: string): void => {
    out += `${l.trimEnd()}\n`;
  };
  const waves = stepsByWave(plan);
  const stackOf = stackLookup(plan);
  if (plan.steps.length === 0) {
    line(c.green('No changes. Infrastructure matches the playbooks.'));
  } else {
    line(c.bold(`Plan: ${headline(plan)}`));
    for (const [name, hosts] of Object.entries(plan.stacks ?? {})) {
      line(`  stack ${c.bold(name)}: ${hosts.join(', ')}`);
    }
    // One width per column across all waves, so the columns line up over the whole plan.
    // A loop, not Math.max(...steps): a fleet's plan has more steps than a call has arguments.
    let hostW = 0;
    let kindW = 0;
    let subjW = 0;
    for (const steps of waves) {
      for (const s of steps) {
        hostW = Math.max(hostW, s.host.length);
        kindW = Math.max(kindW, s.kind.length);
        subjW = Math.max(subjW, stepSubject(s).length);
      }
    }
    for (const [i, steps] of waves.entries()) {
      line('');
      line(c.bold(`Wave ${i + 1}`));
      let stack: string | undefined;
      for (const s of byStack(steps, stackOf)) {
        const here = stackOf(s.host);
        if (here !== undefined && here !== stack) line(c.dim(`  stack ${here}`));
        stack = here;
        const kind = kindColor[s.kind](s.kind.padEnd(kindW));
        const subject = stepSubject(s).padEnd(subjW);
        const blocked = s.blockedBy ? c.yellow(` — will be skipped: ${s.blockedBy}`) : '';
        const gates = s.requiredGates
          ? c.dim(` — first checks the health of ${gatesText(s.requiredGates, sets)}`)
          : '';
        line(
          `  ${s.host.padEnd(hostW)}   ${kind}   ${subject}   ${c.dim(`(${s.reason})`)}${blocked}${gates}`,
        );
        if (out.length >= PIECE) {
          yield out;
          out = '';
        }
      }
    }
  }
  const unreachable = unreachableHosts(plan);
  if (unreachable.length > 0) {
    const w = Math.max(...unreachable.map(([h]) => h.length));
    line('');
    line(c.yellow(c.bold('Unreachable (not planned):')));
    for (const [host, reason] of unreachable)
      line(`  ${host.padEnd(w)}   ${c.yellow(`unreachable: ${reason}`)}`);
  }
  const rolling = rollingLines(plan);
  if (rolling.length > 0) {
    line('');
    line(c.bold('Rolling batches (each waits for the one before to be healthy):'));
    for (const l of rolling) line(l);
  }
  const blocked = blockedLines(plan);
  if (blocked.length > 0) {
    line('');
    line(c.yellow(c.bold('Blocked (not planned; what requires it is skipped):')));
    for (const l of blocked) line(`  ${c.yellow(l)}`);
  }
  const detected = detectionLines(plan);
  if (detected.length > 0) {
    line('');
    line(c.dim('Detected:'));
    for (const l of detected) line(c.dim(l));
  }
  if (out.length > 0) yield out;
}

/** "web:crm-app  batch 1 of 2: web1, web2 — then 10s pause", one line per batch, in roll order. */
export function rollingLines(plan: Plan): string[] {
  const hostOf = new Map(plan.steps.map((s) => [s.id, s.host]));
  return (plan.barriers ?? [])
    .filter((b) => b.roll)
    .map((b) => {
      const r = b.roll as NonNullable<typeof b.roll>;
      const hosts = [...new Set(b.after.map((id) => hostOf.get(id)).filter((h) => h !== undefined))];
      const pause = r.pauseSec > 0 && r.batch < r.of ? ` — then ${r.pauseSec}s pause` : '';
      const tolerate = r.maxFailures > 0 ? ` (tolerates ${r.maxFailures} failure(s))` : '';
      return `  ${r.what}  batch ${r.batch} of ${r.of}: ${hosts.join(', ')}${pause}${tolerate}`;
    });
}

/** How each observed host's managers were found (older saved plans carry no evidence: no lines). */
function detectionLines(plan: Plan): string[] {
  const rows = Object.entries(plan.hosts).flatMap(([host, h]) =>
    h.observed.status === 'ok'
      ? Object.entries(h.observed.detection ?? {}).map(([manager, why]) => [host, manager, why] as const)
      : [],
  );
  const w = Math.max(0, ...rows.map(([host]) => host.length));
  return rows.map(([host, manager, why]) => `  ${host.padEnd(w)}   ${manager}: ${why}`);
}

/** "db1:pg", or a group's set by its name and size: a line stays short however big the group. */
function gatesText(ids: readonly string[], sets: ReadonlyMap<string, GateSet>): string {
  return ids
    .map((id) => {
      const set = sets.get(id);
      if (!set) return id;
      if (set.gates.length <= 3) return set.gates.map((g) => serviceOnHost(g.host, g.service)).join(', ');
      return `${set.requirement} (${set.gates.length} hosts)`;
    })
    .join(', ');
}
