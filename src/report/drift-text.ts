import pc from 'picocolors';
import type { DriftReport } from '../model/drift.js';
import {
  driftCount,
  driftedItems,
  driftHeadline,
  itemLabel,
  itemNotes,
  sortedHosts,
} from './drift-summary.js';
import { plural } from './plan-summary.js';

/** Terminal drift report: a headline, then one line per host, with the drifted items under their host. */
export function renderDriftText(r: DriftReport, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const hosts = sortedHosts(r);
  const lines = [c.bold(`Drift check: ${driftHeadline(r)}`)];
  if (hosts.length > 0) lines.push('');
  // One width per column over the whole report, so the columns line up across hosts.
  const hostW = Math.max(0, ...hosts.map(([name]) => name.length));
  const labelW = Math.max(0, ...hosts.flatMap(([, h]) => driftedItems(h).map((i) => itemLabel(i).length)));
  for (const [name, h] of hosts) {
    const host = name.padEnd(hostW);
    switch (h.status) {
      case 'in-sync': {
        const waived = driftedItems(h).length;
        const count = `${plural(h.items.length, 'item')}${waived ? `, ${waived} waived` : ''}`;
        lines.push(`${host}   ${c.green('in sync')} ${c.dim(`(${count})`)}`);
        break;
      }
      case 'unchecked':
        lines.push(
          `${host}   ${c.yellow(`unchecked: ${oneLine(h.reason)}`)} ${c.dim(`(${plural(h.items.length, 'item')} not checked)`)}`,
        );
        break;
      case 'drift':
        lines.push(`${host}   ${c.red('drift')} ${c.dim(`(${driftCount(h)})`)}`);
        break;
    }
    for (const i of driftedItems(h)) {
      const notes = itemNotes(i)
        .map((n) => ` — ${n}`)
        .join('');
      const observed = i.waived ? c.yellow(i.observed) : c.red(i.observed);
      lines.push(
        `  ${itemLabel(i).padEnd(labelW)}   observed ${observed}, want ${c.green(i.desired)}${notes}`,
      );
    }
  }
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}

/** A transport error may span lines; the host's line stays one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
