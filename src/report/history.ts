import type { HistorySummary, ItemHistory } from '../history/aggregate.js';
import { cell, row } from './markdown.js';
import { plural } from './plan-summary.js';
import { sanitizeHostText } from './sanitize.js';

/** "1h 5m", "3m 20s", "12s": how long a drift lasted, for people. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** "bed-systemd:crm-db state", "bed-sysv runlevel". */
export function historyItemLabel(i: Pick<ItemHistory, 'host' | 'service' | 'field'>): string {
  return i.service !== undefined ? `${i.host}:${i.service} ${i.field}` : `${i.host} ${i.field}`;
}

function notes(i: ItemHistory): string[] {
  const out: string[] = [];
  if (i.waived) out.push(`waived until ${i.waived.until} (${i.waived.reason}, ${i.waived.owner})`);
  if (i.fighting) out.push(`fighting: something else is managing it (healed ${plural(i.heals, 'time')})`);
  if (i.flapping) out.push(`flapping: drifted ${plural(i.episodes, 'time')}`);
  return out;
}

function headline(s: HistorySummary, window: string): string {
  const now = s.items.filter((i) => i.driftingNow).length;
  return `History: ${plural(s.runs, 'check')} in the last ${window} (${s.from} to ${s.to}); ${now === 0 ? 'nothing drifts now' : `${plural(now, 'item')} drifting now`}`;
}

/** Terminal answer of `runstate history`: what drifts now and since when, then each item over the window. */
export function renderHistoryText(s: HistorySummary, window: string): string {
  const to = Date.parse(s.to);
  const lines = [headline(s, window)];
  const now = s.items.filter((i) => i.driftingNow);
  if (now.length > 0) {
    lines.push('', 'Drifting now:');
    const w = Math.max(...now.map((i) => historyItemLabel(i).length));
    for (const i of now) {
      const since = i.since ? `since ${i.since} (${humanDuration(to - Date.parse(i.since))})` : '';
      const extra = notes(i)
        .map((n) => ` — ${n}`)
        .join('');
      lines.push(
        `  ${historyItemLabel(i).padEnd(w)}   ${since}, observed ${i.observed}, want ${i.desired}${extra}`,
      );
    }
  }
  if (s.items.length > 0) {
    lines.push('', `Per item over the last ${window}:`);
    const w = Math.max(4, ...s.items.map((i) => historyItemLabel(i).length));
    lines.push(`  ${'item'.padEnd(w)}   drifted   recovered   mean time to recover`);
    for (const i of s.items) {
      const mttr = i.mttrMs === undefined ? '-' : humanDuration(i.mttrMs);
      const extra = notes(i)
        .map((n) => ` — ${n}`)
        .join('');
      lines.push(
        `  ${historyItemLabel(i).padEnd(w)}   ${String(i.episodes).padStart(7)}   ${String(i.recovered).padStart(9)}   ${mttr}${extra}`,
      );
    }
  }
  // The history file is text anyone with write access could have edited: nothing of it drives the terminal.
  return sanitizeHostText(`${lines.map((l) => l.trimEnd()).join('\n')}\n`);
}

/** `runstate history --format json`: the summary as a value (times ISO 8601, durations in ms). */
export function renderHistoryJson(s: HistorySummary, window: string): string {
  return `${JSON.stringify({ version: 1, window, ...s }, null, 2)}\n`;
}

/** For a CI job summary or an issue: the same two tables. */
export function renderHistoryMarkdown(s: HistorySummary, window: string): string {
  const out = ['## runstate history', '', `**${cell(headline(s, window))}**`, ''];
  const now = s.items.filter((i) => i.driftingNow);
  if (now.length > 0) {
    out.push('### Drifting now', '', row(['item', 'since', 'observed', 'desired', 'notes']));
    out.push(row(['---', '---', '---', '---', '---']));
    for (const i of now)
      out.push(
        row([
          cell(historyItemLabel(i)),
          cell(i.since ?? ''),
          cell(i.observed),
          cell(i.desired),
          cell(notes(i).join('; ')),
        ]),
      );
    out.push('');
  }
  if (s.items.length > 0) {
    out.push(`### Per item over the last ${cell(window)}`, '');
    out.push(row(['item', 'drifted', 'recovered', 'mean time to recover', 'notes']));
    out.push(row(['---', '---:', '---:', '---', '---']));
    for (const i of s.items)
      out.push(
        row([
          cell(historyItemLabel(i)),
          String(i.episodes),
          String(i.recovered),
          i.mttrMs === undefined ? '-' : humanDuration(i.mttrMs),
          cell(notes(i).join('; ')),
        ]),
      );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
