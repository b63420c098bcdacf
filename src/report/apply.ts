import { createColors } from 'picocolors';
import { quote } from 'shell-quote';
import { gateText } from '../apply/health.js';
import type { StepOutcome } from '../apply/types.js';
import type { ChangeLabel } from '../model/history.js';
import type { GateSet } from '../model/plan.js';
import { type NotPlanned, plural } from './plan-summary.js';
import { sanitizeHostText } from './sanitize.js';

/** How the apply report names each kind of change (the audit log and history carry the label). */
export const LABEL_TEXT: Record<ChangeLabel, string> = {
  intentional: 'intentional (apply of the playbooks)',
  corrective: 'corrective (heal of drift)',
};

export interface ApplySummary {
  ok: number;
  failed: number;
  skipped: number;
  unreachable: number;
  notStarted: number;
  wouldRun: number;
}

export function summarise(outcomes: StepOutcome[]): ApplySummary {
  const s: ApplySummary = { ok: 0, failed: 0, skipped: 0, unreachable: 0, notStarted: 0, wouldRun: 0 };
  for (const o of outcomes) {
    if (o.kind === 'ok') s.ok++;
    else if (o.kind === 'failed') s.failed++;
    else if (o.kind === 'skipped') s.skipped++;
    else if (o.kind === 'unreachable') s.unreachable++;
    else if (o.kind === 'not-started') s.notStarted++;
    else s.wouldRun++;
  }
  return s;
}

/** The end-of-apply report: per host, each step and what became of it (and why). */
export function renderApplyText(
  outcomes: StepOutcome[],
  opts: {
    color: boolean;
    dryRun: boolean;
    notPlanned?: NotPlanned;
    gates?: ReadonlyMap<string, GateSet>;
    label?: ChangeLabel;
  },
): string {
  const c = createColors(opts.color);
  if (opts.dryRun) return renderDryRun(outcomes, c, opts.gates ?? new Map());
  const byHost = new Map<string, StepOutcome[]>();
  for (const o of outcomes) byHost.set(o.step.host, [...(byHost.get(o.step.host) ?? []), o]);
  const lines: string[] = [];
  for (const host of [...byHost.keys()].sort()) {
    lines.push(c.bold(host));
    for (const o of byHost.get(host) ?? []) lines.push(...outcomeLines(o, c));
  }
  const left = opts.notPlanned ?? { unreachable: [], blocked: [] };
  for (const [host, reason] of left.unreachable)
    lines.push(c.bold(host), `  ${c.red('unreachable')} when observed: ${reason}`);
  if (left.blocked.length > 0) {
    lines.push(
      c.bold('blocked (not planned)'),
      ...left.blocked.map((b) => `  ${c.yellow('blocked    ')} ${b}`),
    );
  }
  const s = summarise(outcomes);
  lines.push(
    '',
    `Summary: ${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped, ${s.unreachable} unreachable` +
      (s.notStarted ? `, ${s.notStarted} not started (interrupted)` : '') +
      (left.unreachable.length > 0
        ? `; ${plural(left.unreachable.length, 'host')} unreachable when observed`
        : '') +
      (left.blocked.length > 0 ? `; ${left.blocked.length} blocked (not planned)` : ''),
  );
  if (opts.label && s.ok + s.failed > 0) lines.push(`Changes: ${LABEL_TEXT[opts.label]}`);
  return `${lines.join('\n')}\n`;
}

/** The dry run lists the exact commands in the order apply would run them (wave order). */
function renderDryRun(
  outcomes: StepOutcome[],
  c: ReturnType<typeof createColors>,
  gates: ReadonlyMap<string, GateSet>,
): string {
  const lines = [
    'Commands apply would run, in order (steps of one wave on different hosts run in parallel):',
  ];
  let wave = 0;
  for (const o of [...outcomes].sort((a, b) => a.step.wave - b.step.wave)) {
    if (o.step.wave !== wave) {
      wave = o.step.wave;
      lines.push(c.bold(`Wave ${wave}`));
    }
    if (o.kind !== 'would-run') {
      lines.push(...outcomeLines(o, c).map((l) => `  ${o.step.host}: ${l.trim()}`));
      continue;
    }
    for (const id of o.step.requiredGates ?? []) {
      const set = gates.get(id);
      const only = set?.gates.length === 1 ? set.gates[0] : undefined;
      if (only)
        lines.push(
          `  ${only.host}: (health gate of ${only.service}, which ${o.step.service} requires: ${gateText(only.health)})`,
        );
      else if (set)
        lines.push(
          `  ${o.step.host}: (health gates of ${set.requirement} on ${set.gates.length} hosts, which ${o.step.service} requires)`,
        );
    }
    for (const argv of o.step.commands) lines.push(`  ${o.step.host}: ${quote(argv)}`);
  }
  const s = summarise(outcomes);
  lines.push('', `Dry run: ${s.wouldRun} step(s) would run; nothing was changed.`);
  return `${lines.join('\n')}\n`;
}

function outcomeLines(o: StepOutcome, c: ReturnType<typeof createColors>): string[] {
  const what = `${o.step.kind} ${o.step.service ?? o.step.target ?? ''}`.trim();
  switch (o.kind) {
    case 'ok':
      return [`  ${c.green('ok         ')} ${what} (${(o.durationMs / 1000).toFixed(1)}s)`];
    case 'would-run':
      return [
        `  ${c.cyan('would run  ')} ${what}`,
        ...o.step.commands.map((argv) => `      $ ${quote(argv)}`),
      ];
    case 'failed': {
      // Host output: escape sequences in it must not act on the terminal.
      const tail = o.stderrTail
        ? sanitizeHostText(o.stderrTail)
            .split('\n')
            .map((l) => `      | ${l}`)
        : [];
      return [`  ${c.red('FAILED     ')} ${what}: ${sanitizeHostText(o.message)}`, ...tail];
    }
    case 'skipped':
      return [`  ${c.yellow('skipped    ')} ${what} (because ${sanitizeHostText(o.cause)})`];
    case 'unreachable':
      return [`  ${c.red('unreachable')} ${what}: ${sanitizeHostText(o.reason)}`];
    case 'not-started':
      return [`  ${c.yellow('not started')} ${what}: ${o.reason}`];
  }
}
