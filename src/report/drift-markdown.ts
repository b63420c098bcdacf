import type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
import { driftCount, driftHeadline, itemNotes, sortedHosts } from './drift-summary.js';
import { cell, row } from './markdown.js';
import { plural } from './plan-summary.js';

/** For a pull-request comment or CI job summary: a headline, a table of hosts, the items per host. */
export function renderDriftMarkdown(r: DriftReport): string {
  const hosts = sortedHosts(r);
  const out = ['## runstate drift', '', `**${cell(driftHeadline(r))}**`, ''];
  if (hosts.length > 0) {
    out.push(row(['host', 'status', 'drifted items']), row(['---', '---', '---']));
    for (const [name, h] of hosts) out.push(row([cell(name), status(h), drifted(h)]));
    out.push('');
  }
  for (const [name, h] of hosts) out.push(...hostDetails(name, h));
  return `${out.join('\n').trimEnd()}\n`;
}

function status(h: HostDrift): string {
  switch (h.status) {
    case 'in-sync':
      return 'in sync';
    case 'drift':
      return '**drift**';
    case 'unchecked':
      return `unchecked: ${cell(h.reason)}`;
  }
}

function drifted(h: HostDrift): string {
  return h.status === 'unchecked' ? `${plural(h.items.length, 'item')} not checked` : driftCount(h);
}

/** Every item of the host, so a reviewer sees what was checked as well as what drifted. */
function hostDetails(name: string, h: HostDrift): string[] {
  // Markdown is not rendered inside <summary>: plain words only.
  const summary =
    h.status === 'in-sync' && !h.items.some((i) => i.waived)
      ? `in sync (${plural(h.items.length, 'item')})`
      : `${h.status === 'in-sync' ? 'in sync' : h.status} (${drifted(h)})`;
  const out = ['<details>', `<summary>${cell(name)}: ${summary}</summary>`, ''];
  if (h.items.length === 0) {
    out.push('Nothing declared.');
  } else {
    out.push(
      row(['service', 'field', 'desired', 'observed', 'status']),
      row(['---', '---', '---', '---', '---']),
    );
    for (const i of h.items) out.push(itemRow(i, h));
  }
  out.push('', '</details>', '');
  return out;
}

function itemRow(i: DriftItem, h: HostDrift): string {
  const verdict =
    h.status === 'unchecked'
      ? 'not checked'
      : i.inSync
        ? 'in sync'
        : [i.waived ? 'waived' : '**drift**', ...itemNotes(i)].map(cell).join(' — ');
  return row([
    i.service !== undefined ? cell(i.service) : '(host)',
    i.resource !== undefined ? cell(`${i.field} ${i.resource}`) : i.field,
    cell(i.desired),
    cell(i.observed),
    verdict,
  ]);
}
