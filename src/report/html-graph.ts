import type { Plan } from '../model/plan.js';
import { clip, esc } from './html-escape.js';

const COL_W = 230;
const NODE_W = 190;
const ROW_H = 28;
const NODE_H = 22;
const PAD = 12;
/** Past this many steps the graph is left out (the wave list still has every step). */
export const GRAPH_MAX_STEPS = 600;

interface Placed {
  x: number;
  y: number;
}

/**
 * The plan's dependency graph as inline SVG, laid out from the waves: one column per wave, steps
 * stacked in wave order, barriers as small diamonds just right of the last wave they wait on,
 * one edge per `after` entry. Work and output are linear in steps + after entries.
 */
export function renderPlanGraph(plan: Plan): string {
  if (plan.steps.length === 0) return '<p class="muted">No steps: nothing to draw.</p>';
  if (plan.steps.length > GRAPH_MAX_STEPS) {
    return `<p class="muted">The graph is drawn for plans of up to ${GRAPH_MAX_STEPS} steps; this one has ${plan.steps.length}. The waves above list every step.</p>`;
  }
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const placed = new Map<string, Placed>();
  let rows = 0;
  plan.waves.forEach((wave, col) => {
    wave.forEach((id, row) => {
      placed.set(id, { x: PAD + col * COL_W, y: PAD + row * ROW_H });
    });
    rows = Math.max(rows, wave.length);
  });
  // A barrier sits after the latest wave it waits on; barriers may wait on barriers (memoised).
  const barriers = new Map((plan.barriers ?? []).map((b) => [b.id, b]));
  const barrierCol = new Map<string, number>();
  const colOf = (id: string, depth = 0): number => {
    const step = byId.get(id);
    if (step) return step.wave - 1;
    const known = barrierCol.get(id);
    if (known !== undefined) return known;
    const b = barriers.get(id);
    barrierCol.set(id, 0);
    const col = b && depth < 64 ? Math.max(0, ...b.after.map((a) => colOf(a, depth + 1))) : 0;
    barrierCol.set(id, col);
    return col;
  };
  const perCol = new Map<number, number>();
  for (const id of barriers.keys()) {
    const col = colOf(id);
    const n = perCol.get(col) ?? 0;
    perCol.set(col, n + 1);
    placed.set(id, { x: PAD + col * COL_W + NODE_W + 14, y: PAD + n * ROW_H });
    rows = Math.max(rows, n + 1);
  }
  const width = PAD * 2 + Math.max(1, plan.waves.length) * COL_W;
  const height = PAD * 2 + rows * ROW_H;
  const edges: string[] = [];
  const edgeFrom = (from: string, to: string) => {
    const a = placed.get(from);
    const b = placed.get(to);
    if (!a || !b) return;
    const x1 = a.x + (byId.has(from) ? NODE_W : 8);
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    edges.push(`<path class="edge" d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}"/>`);
  };
  for (const s of plan.steps) for (const a of s.after) edgeFrom(a, s.id);
  for (const b of barriers.values()) for (const a of b.after) edgeFrom(a, b.id);
  const nodes: string[] = [];
  for (const s of plan.steps) {
    const p = placed.get(s.id);
    if (!p) continue;
    const label = `${s.host} ${s.kind} ${s.service ?? s.target ?? ''}`.trim();
    const cls = s.blockedBy ? 'node blocked' : `node k-${esc(s.kind)}`;
    nodes.push(
      `<g class="${cls}" data-step="${esc(s.id)}"><title>${esc(`${s.id}: ${s.reason}`)}</title><rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="4"/><text x="${p.x + 6}" y="${p.y + 15}">${esc(clip(label, 30))}</text></g>`,
    );
  }
  for (const b of barriers.values()) {
    const p = placed.get(b.id);
    if (!p) continue;
    nodes.push(
      `<g class="barrier"><title>${esc(`${b.id}: ${b.reason}`)}</title><path d="M${p.x} ${p.y + NODE_H / 2} l8 -8 l8 8 l-8 8 z"/></g>`,
    );
  }
  const heads = plan.waves
    .map((_, i) => `<text class="wave-head" x="${PAD + i * COL_W}" y="${height + 8}">wave ${i + 1}</text>`)
    .join('');
  return `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 14}" viewBox="0 0 ${width} ${height + 14}" role="img" aria-label="dependency graph of the plan">${edges.join('')}${nodes.join('')}${heads}</svg>`;
}
