/**
 * `npm run bench:ablation`: what each safety property of the observe script costs, measured as the
 * bench measures everything else — the bare ssh2 fan-out (bench/ssh2-fanout.mjs) of N inventory
 * aliases of the bench's loopback sshd, 3 SysV services each, median of R runs, the variants
 * interleaved run by run (bench/lib/ablation.ts says what each one takes away). Needs root.
 *
 *   npm run bench:ablation                 N = 100, 5 runs
 *   npm run bench:ablation -- --n 50 --runs 3 --out FILE   (JSON of every run)
 *
 * Why: the target "observe within 1.2× of the bare status calls" is a statement about the
 * host-side script; this says which of its properties the remaining gap is made of.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ablationVariants } from './lib/ablation.js';
import { option } from './lib/args.js';
import { ssh2FanoutArgs } from './lib/columns.js';
import { startLoopback } from './lib/loopback.js';
import { measure, median, type Sample, timeFilePath } from './lib/measure.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const n = Number(option('n', '100'));
const runs = Number(option('runs', '5'));
const out = option('out', '');
if (!Number.isInteger(n) || n < 1 || n > 100 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: observe-ablation [--n 1..100] [--runs R] [--out FILE]\n');
  process.exit(2);
}
const connectS = 120;

const lb = await startLoopback(1);
const samples = new Map<string, Sample[]>();
let failed = false;
try {
  const variants = ablationVariants(600);
  // Each variant's stdin as a file, for bench/ssh2-fanout.mjs.
  const stdinFile = new Map<string, string>();
  for (const v of variants) {
    if (v.stdin === undefined) continue;
    const file = join(lb.dir, `ablation-${v.id}.sh`);
    writeFileSync(file, v.stdin);
    stdinFile.set(v.id, file);
  }
  for (let r = 1; r <= runs; r++) {
    for (const v of variants) {
      process.stderr.write(`ablation: run ${r}/${runs} ${v.id}\n`);
      const s = await measure(
        {
          cmd: process.execPath,
          args: ssh2FanoutArgs(ROOT, lb, n, connectS, v.command, stdinFile.get(v.id)),
          env: { ...process.env, SSH_AUTH_SOCK: '' },
        },
        lb.connections,
        timeFilePath(lb.dir),
      );
      if (s.code !== 0) {
        // A failed run is said and left out of the medians, as bench/run.ts does.
        process.stderr.write(`ablation: ${v.id} failed (exit ${s.code}): ${s.stderr.trim().slice(-300)}\n`);
        failed = true;
        continue;
      }
      samples.set(v.id, [...(samples.get(v.id) ?? []), s]);
    }
  }
  const base = median((samples.get('status') ?? []).map((s) => s.wallMs));
  const lines = [
    `N = ${n} aliases of one loopback sshd, 3 SysV services each, median of ${runs} interleaved runs`,
    '',
    '| variant | wall s | CPU s (fan-out) | ÷ bare status calls |',
    '|---|---|---|---|',
  ];
  for (const v of variants) {
    const got = samples.get(v.id) ?? [];
    if (got.length === 0) {
      lines.push(`| ${v.label} | failed | | |`);
      continue;
    }
    const wall = median(got.map((s) => s.wallMs));
    const cpu = median(got.map((s) => s.cpuMs));
    lines.push(
      `| ${v.label} | ${(wall / 1000).toFixed(2)} | ${(cpu / 1000).toFixed(2)} | ${(wall / base).toFixed(2)}× |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (out) {
    const json = Object.fromEntries(
      [...samples].map(([id, list]) => [
        id,
        list.map(({ wallMs, cpuMs, peakRssMB, code }) => ({ wallMs, cpuMs, peakRssMB, code })),
      ]),
    );
    writeFileSync(out, `${JSON.stringify({ n, runs, samples: json }, null, 2)}\n`);
  }
} finally {
  await lb.stop();
}
process.exitCode = failed ? 1 : 0;
