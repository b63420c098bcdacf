import type { PlannerRow } from './planner.js';

export interface Row {
  n: number;
  id: string;
  label: string;
  result: {
    runs: number;
    wallMs: number;
    cpuMs: number;
    peakRssMB: number;
    connections: number;
    problem?: string;
  };
}

const secs = (ms: number): string => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));

/** Markdown tables: every measured row, then the planner rows. */
export function renderTables(rows: Row[], planner: PlannerRow[]): string {
  const out = [
    '| N | tool | wall s | CPU s | peak RSS MB | SSH conns | ÷ ssh2 status | runs |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const base = rows.find((b) => b.n === r.n && b.id === 'ssh2-status' && !b.result.problem);
    const x = r.result;
    if (x.runs === 0) {
      out.push(
        `| ${r.n} | ${r.label} | failed: ${(x.problem ?? '').replace(/\|/g, '/').slice(0, 120)} | | | | | 0 |`,
      );
      continue;
    }
    const ratio = base && base.result.runs > 0 ? `${(x.wallMs / base.result.wallMs).toFixed(2)}×` : '';
    out.push(
      `| ${r.n} | ${r.label} | ${secs(x.wallMs)} | ${secs(x.cpuMs)} | ${x.peakRssMB.toFixed(0)} | ${x.connections} | ${ratio} | ${x.runs} |`,
    );
  }
  out.push(
    '',
    '| planner hosts × 20 services | steps | after edges | plan MB | wall s | peak RSS MB | validate s | runs |',
  );
  out.push('|---|---|---|---|---|---|---|---|');
  for (const p of planner) {
    const f = p.figures;
    if (!p.available) out.push(`| ${p.hosts} | not available (bench/planner.ts is missing) | | | | | | 0 |`);
    else if (!f)
      out.push(
        `| ${p.hosts} | failed: ${(p.problem ?? '').replace(/\|/g, '/').slice(0, 120)} | | | | | | 0 |`,
      );
    else {
      const num = (k: string, d = 0, scale = 1): string =>
        Number.isFinite(f[k]) ? ((f[k] as number) / scale).toFixed(d) : '';
      out.push(
        `| ${p.hosts} | ${num('steps')} | ${num('afterEdges')} | ${num('planBytes', 1, 2 ** 20)} | ${num('wallMs', 2, 1000)} | ${num('peakRssMB')} | ${num('validateMs', 2, 1000)} | ${p.runs} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
