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
  const lines: string[] = [];
  const waves = stepsByWave(plan);
  const stackOf = stackLookup(plan);
  if (plan.steps.length === 0) {
    lines.push(c.green('No changes. Infrastructure matches the playbooks.'));
  } else {
    lines.push(c.bold(`Plan: ${headline(plan)}`));
    for (const [name, hosts] of Object.entries(plan.stacks ?? {})) {
      lines.push(`  stack ${c.bold(name)}: ${hosts.join(', ')}`);
    }
    // One width per column across all waves, so the columns line up over the whole plan.
    const all = waves.flat();
    // A loop, not Math.max(...all): a fleet's plan has more steps than a call has arguments.
    let hostW = 0;
    let kindW = 0;
    let subjW = 0;
    for (const s of all) {
      hostW = Math.max(hostW, s.host.length);
      kindW = Math.max(kindW, s.kind.length);
      subjW = Math.max(subjW, stepSubject(s).length);
    }
    waves.forEach((steps, i) => {
      lines.push('', c.bold(`Wave ${i + 1}`));
      let stack: string | undefined;
      for (const s of byStack(steps, stackOf)) {
        const here = stackOf(s.host);
        if (here !== undefined && here !== stack) lines.push(c.dim(`  stack ${here}`));
        stack = here;
        const kind = kindColor[s.kind](s.kind.padEnd(kindW));
        const subject = stepSubject(s).padEnd(subjW);
        const blocked = s.blockedBy ? c.yellow(` — will be skipped: ${s.blockedBy}`) : '';
        const gates = s.requiredGates
          ? c.dim(` — first checks the health of ${gatesText(s.requiredGates, sets)}`)
          : '';
        lines.push(
          `  ${s.host.padEnd(hostW)}   ${kind}   ${subject}   ${c.dim(`(${s.reason})`)}${blocked}${gates}`,
        );
      }
    });
  }
  const unreachable = unreachableHosts(plan);
  if (unreachable.length > 0) {
    const w = Math.max(...unreachable.map(([h]) => h.length));
    lines.push('', c.yellow(c.bold('Unreachable (not planned):')));
    for (const [host, reason] of unreachable)
      lines.push(`  ${host.padEnd(w)}   ${c.yellow(`unreachable: ${reason}`)}`);
  }
  const rolling = rollingLines(plan);
  if (rolling.length > 0)
    lines.push('', c.bold('Rolling batches (each waits for the one before to be healthy):'), ...rolling);
  const blocked = blockedLines(plan);
  if (blocked.length > 0) {
    lines.push('', c.yellow(c.bold('Blocked (not planned; what requires it is skipped):')));
    for (const line of blocked) lines.push(`  ${c.yellow(line)}`);
  }
  const detected = detectionLines(plan);
  if (detected.length > 0) lines.push('', c.dim('Detected:'), ...detected.map((l) => c.dim(l)));
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
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
