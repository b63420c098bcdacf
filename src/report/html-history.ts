import { esc } from './html-escape.js';

/**
 * One point of fleet history. The slot for `runstate history --format json` (made by another
 * part of runstate): its runs are read defensively, since that format may grow — an array of
 * runs, or `{ runs: [...] }` / `{ entries: [...] }`, each with a time (`at`, `time`,
 * `generatedAt` or `started`) and counts (`summary.drifted`/`drifts`/`unchecked`, or top-level).
 */
export interface HistoryPoint {
  at: string;
  drifted?: number;
  drifts?: number;
  unchecked?: number;
  hosts?: number;
  note?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The points a history document holds, oldest first; anything unreadable is left out. */
export function readHistory(doc: unknown): HistoryPoint[] {
  const list = Array.isArray(doc)
    ? doc
    : isObject(doc)
      ? ([doc.runs, doc.entries, doc.history].find(Array.isArray) ?? [])
      : [];
  const points: HistoryPoint[] = [];
  for (const run of list) {
    if (!isObject(run)) continue;
    const at = [run.at, run.time, run.generatedAt, run.started].find((v) => typeof v === 'string');
    if (typeof at !== 'string') continue;
    const counts = isObject(run.summary) ? run.summary : run;
    const point: HistoryPoint = { at };
    const drifted = num(counts.drifted);
    const drifts = num(counts.drifts);
    const unchecked = num(counts.unchecked);
    const hosts = num(counts.hosts);
    if (drifted !== undefined) point.drifted = drifted;
    if (drifts !== undefined) point.drifts = drifts;
    if (unchecked !== undefined) point.unchecked = unchecked;
    if (hosts !== undefined) point.hosts = hosts;
    const note = [run.note, run.event, run.kind].find((v) => typeof v === 'string');
    if (typeof note === 'string') point.note = note;
    points.push(point);
  }
  return points.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** A bar per run (height = drift items found) over a table of the runs. */
export function renderHistory(points: HistoryPoint[]): string {
  if (points.length === 0) return '<p class="muted">The history given holds no runs runstate can read.</p>';
  const shown = points.slice(-120);
  const max = Math.max(1, ...shown.map((p) => p.drifts ?? p.drifted ?? 0));
  const barW = 8;
  const h = 80;
  const bars = shown
    .map((p, i) => {
      const v = p.drifts ?? p.drifted ?? 0;
      const bh = Math.round((v / max) * (h - 10));
      const cls = (p.unchecked ?? 0) > 0 ? 'bar unchecked' : v > 0 ? 'bar drift' : 'bar ok';
      return `<rect class="${cls}" x="${i * (barW + 2)}" y="${h - bh - 1}" width="${barW}" height="${bh + 1}"><title>${esc(`${p.at}: ${v} drift`)}</title></rect>`;
    })
    .join('');
  const width = shown.length * (barW + 2);
  const rows = [...shown]
    .reverse()
    .map(
      (p) =>
        `<tr><td>${esc(p.at)}</td><td>${esc(p.drifted ?? '')}</td><td>${esc(p.drifts ?? '')}</td><td>${esc(p.unchecked ?? '')}</td><td>${esc(p.note ?? '')}</td></tr>`,
    )
    .join('');
  return `<svg class="history" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img" aria-label="drift over time">${bars}</svg>
<table><thead><tr><th>run</th><th>hosts drifted</th><th>drift items</th><th>unchecked</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>`;
}
