import type { Plan, Step, StepKind } from '../model/plan.js';
import { cell, row } from './markdown.js';
import {
  blockedLines,
  describeHealth,
  headline,
  hostsWithSteps,
  REPORT_KINDS,
  shellWords,
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
  stepsByWave(plan).forEach((steps, i) => {
    out.push(
      `### Wave ${i + 1}`,
      '',
      row(['host', 'step', 'on', 'reason']),
      row(['---', '---', '---', '---']),
    );
    for (const s of steps) {
      const why = s.blockedBy ? `${s.reason}; will be skipped: ${s.blockedBy}` : s.reason;
      out.push(row([cell(s.host), s.kind, cell(stepSubject(s)), cell(why)]));
    }
    out.push('');
  });
  for (const host of hostsWithSteps(plan)) out.push(...hostDetails(plan, host));
  return `${out.join('\n').trimEnd()}\n`;
}

function summaryTable(plan: Plan): string[] {
  const kinds = REPORT_KINDS.filter((k) => plan.steps.some((s) => s.kind === k));
  const count = (host: string | undefined, kind: StepKind): number =>
    plan.steps.filter((s) => s.kind === kind && (host === undefined || s.host === host)).length;
  const lines = [row(['host', ...kinds, 'total']), row(['---', ...kinds.map(() => '---:'), '---:'])];
  for (const host of hostsWithSteps(plan)) {
    const total = plan.steps.filter((s) => s.host === host).length;
    lines.push(row([cell(host), ...kinds.map((k) => String(count(host, k))), String(total)]));
  }
  if (hostsWithSteps(plan).length > 1) {
    const totals = kinds.map((k) => `**${count(undefined, k)}**`);
    lines.push(row(['**all hosts**', ...totals, `**${plan.steps.length}**`]));
  }
  return lines;
}

function hostDetails(plan: Plan, host: string): string[] {
  const steps = plan.steps.filter((s) => s.host === host);
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
