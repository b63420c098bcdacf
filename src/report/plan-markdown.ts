import type { Plan, Step, StepKind } from '../model/plan.js';
import { cell, row } from './markdown.js';
import {
  blockedLines,
  byStack,
  describeHealth,
  headline,
  hostsWithSteps,
  REPORT_KINDS,
  shellWords,
  stackLookup,
  stepSubject,
  stepsByWave,
  unreachableHosts,
} from './plan-summary.js';

/** A code fence longer than any backtick run in the content, so commands can never close it. */
function fence(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** For a pull-request comment or CI job summary: summary table, waves, then details per host. */
export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = ['## runstate plan', ''];
  const unreachable = unreachableHosts(plan);
  if (plan.steps.length === 0) {
    out.push('No changes. Infrastructure matches the playbooks.', '');
  } else {
    out.push(`**${headline(plan)}**`, '');
    out.push(...summaryTable(plan), '');
  }
  if (unreachable.length > 0) {
    out.push('**Unreachable (not planned):**', '');
    for (const [host, reason] of unreachable) out.push(`- \`${host}\`: ${cell(reason)}`);
    out.push('');
  }
  const blocked = blockedLines(plan);
  if (blocked.length > 0) {
    out.push('**Blocked (not planned; what requires it is skipped):**', '');
    for (const line of blocked) out.push(`- ${cell(line)}`);
    out.push('');
  }
  const warnings = blockedLines(plan, 'warnings');
  if (warnings.length > 0) {
    out.push('**Warnings:**', '');
    for (const line of warnings) out.push(`- ${cell(line)}`);
    out.push('');
  }
  const stacks = Object.entries(plan.stacks ?? {});
  if (stacks.length > 0) {
    out.push('**Stacks** (tiers order services within a stack):', '');
    for (const [name, hosts] of stacks) out.push(`- \`${name}\`: ${hosts.map((h) => `\`${h}\``).join(', ')}`);
    out.push('');
  }
  const stackOf = stackLookup(plan);
  const head =
    stacks.length > 0 ? ['stack', 'host', 'step', 'on', 'reason'] : ['host', 'step', 'on', 'reason'];
  stepsByWave(plan).forEach((steps, i) => {
    out.push(`### Wave ${i + 1}`, '', row(head), row(head.map(() => '---')));
    for (const s of byStack(steps, stackOf)) {
      const why = s.blockedBy ? `${s.reason}; will be skipped: ${s.blockedBy}` : s.reason;
      const cells = [cell(s.host), s.kind, cell(stepSubject(s)), cell(why)];
      out.push(row(stacks.length > 0 ? [cell(stackOf(s.host) ?? ''), ...cells] : cells));
    }
    out.push('');
  });
  if ((plan.barriers ?? []).length > 0) out.push(...barrierList(plan), '');
  const byHost = new Map<string, Step[]>();
  for (const s of plan.steps) {
    const list = byHost.get(s.host);
    if (list) list.push(s);
    else byHost.set(s.host, [s]);
  }
  for (const host of hostsWithSteps(plan)) out.push(...hostDetails(plan, host, byHost.get(host) ?? []));
  return `${out.join('\n').trimEnd()}\n`;
}

/** Barriers named in `after` lists: what each stands for and how many steps it waits for. */
function barrierList(plan: Plan): string[] {
  const out = ['<details>', '<summary>Barriers (points that wait for many steps at once)</summary>', ''];
  for (const b of plan.barriers ?? [])
    out.push(`- \`${b.id}\`: ${cell(b.reason)} (${b.after.length} before it)`);
  out.push('</details>');
  return out;
}

function summaryTable(plan: Plan): string[] {
  const kinds = REPORT_KINDS.filter((k) => plan.steps.some((s) => s.kind === k));
  // One pass over the steps: counting per host by filtering would be hosts × steps.
  const counts = new Map<string, Map<StepKind, number>>();
  for (const s of plan.steps) {
    const perKind = counts.get(s.host) ?? new Map<StepKind, number>();
    perKind.set(s.kind, (perKind.get(s.kind) ?? 0) + 1);
    counts.set(s.host, perKind);
  }
  const count = (host: string | undefined, kind: StepKind): number =>
    host === undefined
      ? [...counts.values()].reduce((n, m) => n + (m.get(kind) ?? 0), 0)
      : (counts.get(host)?.get(kind) ?? 0);
  const lines = [row(['host', ...kinds, 'total']), row(['---', ...kinds.map(() => '---:'), '---:'])];
  for (const host of hostsWithSteps(plan)) {
    const total = kinds.reduce((n, k) => n + count(host, k), 0);
    lines.push(row([cell(host), ...kinds.map((k) => String(count(host, k))), String(total)]));
  }
  if (hostsWithSteps(plan).length > 1) {
    const totals = kinds.map((k) => `**${count(undefined, k)}**`);
    lines.push(row(['**all hosts**', ...totals, `**${plan.steps.length}**`]));
  }
  return lines;
}

function hostDetails(plan: Plan, host: string, steps: readonly Step[]): string[] {
  const out = [
    '<details>',
    `<summary>${cell(host)}: ${steps.length === 1 ? '1 change' : `${steps.length} changes`}</summary>`,
    '',
  ];
  const digest = plan.hosts[host]?.digest;
  if (digest) out.push(`Observed state: \`${digest}\``, '');
  for (const s of steps) out.push(...stepDetails(s));
  out.push('</details>', '');
  return out;
}

function stepDetails(s: Step): string[] {
  const waitFor = s.after.length > 0 ? `; after ${s.after.map((a) => `\`${a}\``).join(', ')}` : '';
  const gate = s.health ? `; health gate: ${cell(describeHealth(s.health))}` : '';
  const out = [`- **W${s.wave} ${s.kind} ${cell(stepSubject(s))}** (${cell(s.reason)})${waitFor}${gate}`];
  if (s.commands.length > 0) {
    const body = s.commands.map(shellWords).join('\n');
    const f = fence(body);
    out.push('', `  ${f}sh`, ...body.split('\n').map((l) => `  ${l}`), `  ${f}`);
  }
  out.push('');
  return out;
}
