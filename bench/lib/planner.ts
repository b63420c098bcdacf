/**
 * The planner rows: `bench/planner.ts` (the planner's own harness: synthetic fleet, 20 services
 * per host, offline from a snapshot) run as a child once per size and run; it prints one JSON line.
 * Until that file exists, each row says "not available".
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure.js';

export interface PlannerRow {
  hosts: number;
  available: boolean;
  runs: number;
  /** The harness's own figures (medians over runs): steps, afterEdges, planBytes, wallMs, … */
  figures?: Record<string, number>;
  problem?: string;
}

export async function plannerRows(root: string, sizes: number[], runs: number): Promise<PlannerRow[]> {
  const script = join(root, 'bench', 'planner.ts');
  if (!existsSync(script)) return sizes.map((hosts) => ({ hosts, available: false, runs: 0 }));
  const rows: PlannerRow[] = [];
  for (const hosts of sizes) {
    const got: Record<string, number>[] = [];
    let problem: string | undefined;
    for (let r = 0; r < runs && !problem; r++) {
      process.stderr.write(`bench: planner ${hosts} hosts run ${r + 1}/${runs}\n`);
      const res = spawnSync(process.execPath, ['--import', 'tsx', script, '--hosts', String(hosts)], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      });
      const line = res.stdout.trim().split('\n').pop() ?? '';
      try {
        if (res.status !== 0) throw new Error(`exit ${res.status}: ${res.stderr.trim().slice(-300)}`);
        got.push(JSON.parse(line) as Record<string, number>);
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    const keys = [...new Set(got.flatMap((g) => Object.keys(g)))];
    const figures = Object.fromEntries(
      keys.map((k) => [k, median(got.map((g) => Number(g[k])).filter((v) => Number.isFinite(v)))]),
    );
    rows.push({
      hosts,
      available: true,
      runs: got.length,
      ...(got.length ? { figures } : {}),
      ...(problem ? { problem } : {}),
    });
  }
  return rows;
}
