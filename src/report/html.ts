import type { DriftItem, DriftReport } from '../model/drift.js';
import type { ObservedSnapshot } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { esc } from './html-escape.js';
import { renderPlanGraph } from './html-graph.js';
import { type HistoryPoint, renderHistory } from './html-history.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-style.js';

/** What a report is made from: any of them, each optional (a live run gives the first three). */
export interface HtmlReportInput {
  title?: string;
  /** Shown in the header; given by the caller so the renderer stays pure. */
  generatedAt: string;
  plan?: Plan;
  drift?: DriftReport;
  facts?: ObservedSnapshot;
  history?: HistoryPoint[];
}

/** Extra fields other parts of runstate may put on a drift item (waivers, resource readings). */
type ReportItem = DriftItem & { waived?: unknown; resource?: unknown; threshold?: unknown };

interface HostRow {
  host: string;
  status: string;
  init: string;
  services: number;
  drift: number;
  waived: number;
  steps: number;
  note: string;
}

/**
 * One self-contained HTML page (inline CSS and JS, no external resource) from the inputs. Every
 * input string goes through esc(), and no input reaches the script: the filter reads the DOM.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const title = input.title ?? 'runstate report';
  const rows = hostRows(input);
  const items = driftItems(input.drift);
  const resources = items.filter((i) => i.item.field === ('resource' as DriftItem['field']));
  const sections = [
    section('fleet', 'Fleet', renderFleet(rows)),
    input.drift ? section('drift', 'Drift', renderDrift(items.filter((i) => !resources.includes(i)))) : '',
    resources.length > 0 ? section('resources', 'Resources', renderResources(resources)) : '',
    input.plan ? section('plan', 'Plan', renderPlan(input.plan)) : '',
    input.history ? section('history', 'History', renderHistory(input.history)) : '',
  ].join('\n');
  const counts = rows.reduce<Record<string, number>>((acc, r) => {
    acc[r.status] = (acc[r.status] ?? 0) + 1;
    return acc;
  }, {});
  const summary = Object.entries(counts)
    .sort()
    .map(([s, n]) => `<span class="badge s-${esc(s)}">${n} ${esc(s)}</span>`)
    .join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="muted">generated ${esc(input.generatedAt)} · ${rows.length} host(s) ${summary}</p>
<nav>${[
    'fleet',
    input.drift && 'drift',
    resources.length > 0 && 'resources',
    input.plan && 'plan',
    input.history && 'history',
  ]
    .filter((s): s is string => typeof s === 'string')
    .map((s) => `<a href="#${s}">${s}</a>`)
    .join(' ')}</nav></header>
<main>
${sections}
</main>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}"><h2>${heading}</h2>${body}</section>`;
}

/** One row per host named by any input; status from drift, else plan, else facts. */
function hostRows(input: HtmlReportInput): HostRow[] {
  const names = new Set([
    ...Object.keys(input.drift?.hosts ?? {}),
    ...Object.keys(input.plan?.hosts ?? {}),
    ...Object.keys(input.facts?.hosts ?? {}),
  ]);
  const stepsPer = new Map<string, number>();
  for (const s of input.plan?.steps ?? []) stepsPer.set(s.host, (stepsPer.get(s.host) ?? 0) + 1);
  return [...names].sort().map((host): HostRow => {
    const d = input.drift?.hosts[host];
    const p = input.plan?.hosts[host];
    const seen = input.facts?.hosts[host] ?? p?.observed;
    const drifted = (d?.items ?? []) as ReportItem[];
    const steps = stepsPer.get(host) ?? 0;
    const unreachable = seen?.status === 'unreachable' ? seen.reason : p?.unreachable;
    const status = d
      ? d.status
      : unreachable
        ? 'unreachable'
        : p
          ? steps > 0
            ? 'changes'
            : 'in-sync'
          : 'observed';
    return {
      host,
      status,
      init: seen?.status === 'ok' ? String(seen.init ?? '') : '',
      services: seen?.status === 'ok' ? Object.keys(seen.services).length : 0,
      drift: drifted.filter((i) => !i.inSync && !i.waived).length,
      waived: drifted.filter((i) => !i.inSync && i.waived).length,
      steps,
      note: d?.reason ?? unreachable ?? '',
    };
  });
}

function renderFleet(rows: HostRow[]): string {
  if (rows.length === 0) return '<p class="muted">No hosts in the inputs.</p>';
  const statuses = [...new Set(rows.map((r) => r.status))].sort();
  const options = statuses.map((s) => `<option value="${esc(s)}">${esc(s)}</option>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr class="host" data-status="${esc(r.status)}" data-text="${esc(`${r.host} ${r.status} ${r.init} ${r.note}`.toLowerCase())}"><td>${esc(r.host)}</td><td><span class="badge s-${esc(r.status)}">${esc(r.status)}</span></td><td>${esc(r.init)}</td><td class="n">${r.services}</td><td class="n">${r.drift}</td><td class="n">${r.waived}</td><td class="n">${r.steps}</td><td>${esc(r.note)}</td></tr>`,
    )
    .join('\n');
  return `<div class="filters"><label>filter <input id="host-filter" type="search" placeholder="host, status, text…"></label>
<label>status <select id="status-filter"><option value="">all</option>${options}</select></label>
<span id="shown-count" class="muted">${rows.length} of ${rows.length} shown</span></div>
<table id="fleet-table"><thead><tr><th>host</th><th>status</th><th>init</th><th>services</th><th>drift</th><th>waived</th><th>planned steps</th><th>note</th></tr></thead><tbody>
${body}
</tbody></table>`;
}

interface HostItem {
  host: string;
  item: ReportItem;
}

function driftItems(drift: DriftReport | undefined): HostItem[] {
  const out: HostItem[] = [];
  for (const [host, h] of Object.entries(drift?.hosts ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const item of h.items as ReportItem[]) out.push({ host, item });
  }
  return out;
}

/** A waiver as its note says it: a string, or an object's reason/until/by. */
function waiverText(waived: unknown): string {
  if (typeof waived === 'string') return waived;
  if (typeof waived === 'object' && waived !== null) {
    const w = waived as Record<string, unknown>;
    return ['reason', 'until', 'by']
      .filter((k) => w[k] !== undefined)
      .map((k) => `${k}: ${String(w[k])}`)
      .join(', ');
  }
  return waived ? 'waived' : '';
}

function renderDrift(items: HostItem[]): string {
  const out = items.filter((i) => !i.item.inSync);
  if (out.length === 0) return '<p class="ok">Every declared item is in sync.</p>';
  const rows = out
    .map(({ host, item }) => {
      const waived = item.waived ? waiverText(item.waived) : '';
      const cls = waived ? 'waived' : 'drift';
      return `<tr class="${cls}"><td>${esc(host)}</td><td>${esc(item.service ?? '')}</td><td>${esc(item.field)}</td><td>${esc(item.desired)}</td><td>${esc(item.observed)}</td><td>${waived ? `<span class="badge s-waived">waived</span> ${esc(waived)}` : '<span class="badge s-drift">drift</span>'}</td></tr>`;
    })
    .join('\n');
  const waivedCount = out.filter((i) => i.item.waived).length;
  return `<p>${out.length - waivedCount} drift item(s), ${waivedCount} waived, of ${items.length} declared.</p>
<table><thead><tr><th>host</th><th>service</th><th>field</th><th>desired</th><th>observed</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** A resource reading against its threshold, with a bar when both read as numbers ("93%", "4.2"). */
function renderResources(items: HostItem[]): string {
  const rows = items
    .map(({ host, item }) => {
      const what = item.service ?? (typeof item.resource === 'string' ? item.resource : '');
      const seen = Number.parseFloat(item.observed);
      const limit = Number.parseFloat(item.desired.replace(/^[^0-9.]*/, ''));
      const pct =
        Number.isFinite(seen) && Number.isFinite(limit) && limit > 0
          ? Math.min(100, (seen / limit) * 100)
          : undefined;
      const bar =
        pct === undefined
          ? ''
          : `<span class="meter"><span class="${item.inSync ? 'fill ok' : 'fill over'}" style="width:${pct.toFixed(0)}%"></span></span>`;
      return `<tr class="${item.inSync ? 'in-sync' : 'drift'}"><td>${esc(host)}</td><td>${esc(what)}</td><td>${esc(item.observed)}</td><td>${esc(item.desired)}</td><td>${bar}</td><td>${item.inSync ? 'within' : '<span class="badge s-drift">breach</span>'}</td></tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>host</th><th>what</th><th>observed</th><th>threshold</th><th></th><th></th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderPlan(plan: Plan): string {
  if (plan.steps.length === 0) return '<p class="ok">0 changes: every host is as declared.</p>';
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const waves = plan.waves
    .map((wave, i) => {
      const steps = wave
        .map((id) => byId.get(id))
        .filter((s) => s !== undefined)
        .map(
          (s) =>
            `<li class="${s.blockedBy ? 'blocked' : ''}"><code>${esc(s.host)}</code> ${esc(s.kind)} <b>${esc(s.service ?? s.target ?? '')}</b> <span class="muted">${esc(s.reason)}</span>${s.blockedBy ? ` <span class="badge s-drift">blocked: ${esc(s.blockedBy)}</span>` : ''}${s.commands.length > 0 ? `<div class="cmd">${s.commands.map((c) => esc(c.join(' '))).join('<br>')}</div>` : ''}</li>`,
        )
        .join('');
      return `<div class="wave"><h3>wave ${i + 1}</h3><ol>${steps}</ol></div>`;
    })
    .join('');
  const blocked = (plan.blocked ?? [])
    .map((b) => `<li>${esc(b.host)}${b.service ? ` ${esc(b.service)}` : ''}: ${esc(b.reason)}</li>`)
    .join('');
  return `<p>${plan.steps.length} step(s) in ${plan.waves.length} wave(s).</p>${blocked ? `<h3>blocked</h3><ul>${blocked}</ul>` : ''}
<div class="waves">${waves}</div>
<h3>dependency graph</h3><div class="graph-wrap">${renderPlanGraph(plan)}</div>`;
}
