/**
 * `npm run bench`: runstate against Ansible, OpenSSH and bare ssh2 on one loopback sshd, plus the
 * planner at fleet scale. Prints a table and writes bench/results.json. Needs root (it adds a
 * login user and runs its own sshd) and a built CLI (it runs `npm run build` first).
 *
 *   npm run bench                      N = 10, 50, 100, 500; 3 runs; Ansible up to N = 100
 *   npm run bench -- --quick           N = 5, planner at 1,000 hosts, 1 run, no Ansible (the CI smoke)
 *   options: --sizes 10,50 --runs 5 --peers-max 50 --no-ansible --planner-hosts 100,1000
 *            --connect-timeout 120 --no-build --out FILE --columns plan,ssh2-status (ids: see bench/lib/columns.ts)
 *
 * No timing is asserted anywhere: the numbers are for docs/performance.md and for people.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Column, columns } from './lib/columns.js';
import { writeFixtures } from './lib/fixtures.js';
import { ALIASES_PER_SSHD, type Loopback, startLoopback } from './lib/loopback.js';
import { endOrphans, measure, median, type Sample, timeFilePath } from './lib/measure.js';
import { type PlannerRow, plannerRows } from './lib/planner.js';
import { type Row, renderTables } from './lib/table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  sizes: number[];
  runs: number;
  peersMax: number;
  ansible: boolean;
  plannerHosts: number[];
  build: boolean;
  out: string;
  quick: boolean;
  connectTimeoutS: number;
  /** Column ids to run (default all), e.g. ansible,ansible-mitogen,ssh2-status. */
  columns?: string[];
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const opts: Options = {
    sizes: quick ? [5] : [10, 50, 100, 500],
    runs: quick ? 1 : 3,
    peersMax: 100,
    ansible: !quick,
    plannerHosts: quick ? [1000] : [100, 1000, 10000],
    build: true,
    out: join(ROOT, 'bench', 'results.json'),
    quick,
    connectTimeoutS: 120,
  };
  const list = (v: string | undefined): number[] =>
    (v ?? '')
      .split(',')
      .map(Number)
      .filter((x) => x > 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string | undefined => argv[++i];
    if (a === '--sizes') opts.sizes = list(next());
    else if (a === '--runs') opts.runs = Math.max(1, Number(next()));
    else if (a === '--peers-max') opts.peersMax = Number(next());
    else if (a === '--no-ansible') opts.ansible = false;
    else if (a === '--planner-hosts') opts.plannerHosts = list(next());
    else if (a === '--no-build') opts.build = false;
    else if (a === '--out') opts.out = next() ?? opts.out;
    else if (a === '--connect-timeout') opts.connectTimeoutS = Math.max(1, Number(next()));
    else if (a === '--columns') opts.columns = (next() ?? '').split(',').filter(Boolean);
    else if (a !== '--quick') throw new Error(`bench: unknown option ${a} (see the top of bench/run.ts)`);
  }
  return opts;
}

function ensureAnsible(): boolean {
  if (spawnSync('sh', ['-c', 'command -v ansible-playbook'], { stdio: 'ignore' }).status === 0) {
    return existsSync('/usr/lib/python3/dist-packages/ansible_mitogen');
  }
  process.stderr.write('bench: installing Debian ansible-core and ansible-mitogen (apt-get)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const res = spawnSync(
    'apt-get',
    ['install', '-y', '--no-install-recommends', 'ansible-core', 'ansible-mitogen'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    },
  );
  return res.status === 0;
}

function summarize(samples: Sample[], problem: string | undefined): Row['result'] {
  const ok = samples.filter((s) => s !== undefined);
  return {
    runs: ok.length,
    wallMs: median(ok.map((s) => s.wallMs)),
    cpuMs: median(ok.map((s) => s.cpuMs)),
    peakRssMB: median(ok.map((s) => s.peakRssMB)),
    connections: median(ok.map((s) => s.connections)),
    ...(problem ? { problem } : {}),
  };
}

async function benchSize(lb: Loopback, n: number, cols: Column[], opts: Options): Promise<Row[]> {
  const fx = writeFixtures(lb, n, opts.connectTimeoutS);
  const samples = new Map<string, Sample[]>(cols.map((c) => [c.id, []]));
  const problems = new Map<string, string>();
  // Runs interleave the columns, so a burst of load on the machine hits all of them alike.
  for (let run = 0; run < opts.runs; run++) {
    for (const col of cols) {
      if (problems.has(col.id)) continue;
      const spec = col.spec(lb, fx, n);
      process.stderr.write(`bench: N=${n} run ${run + 1}/${opts.runs} ${col.label}\n`);
      const s = await measure(spec, lb.connections, timeFilePath(lb.dir));
      const problem = col.check(s, n);
      if (problem) {
        problems.set(col.id, problem);
        process.stderr.write(`bench: ${col.label} at N=${n}: ${problem}\n`);
      } else samples.get(col.id)?.push(s);
    }
  }
  return cols.map((c) => ({
    n,
    id: c.id,
    label: c.label,
    result: summarize(samples.get(c.id) ?? [], problems.get(c.id)),
  }));
}

function machine(): Record<string, unknown> {
  const sh = (cmd: string): string => {
    try {
      return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: sh('. /etc/os-release && echo "$PRETTY_NAME"'),
    kernel: sh('uname -r'),
    node: process.version,
    openssh: sh('ssh -V 2>&1'),
    ansible: sh('ansible-playbook --version 2>/dev/null | head -1') || 'not installed',
    load: sh('cat /proc/loadavg'),
  };
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: run as root (it adds a login user and runs its own sshd on 127.0.0.1)\n');
    return 1;
  }
  if (opts.build) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const ansible = opts.ansible && ensureAnsible();
  if (opts.ansible && !ansible)
    process.stderr.write('bench: Ansible is not available; its columns are skipped\n');

  // One sshd per ALIASES_PER_SSHD aliases, as N real hosts have N sshds (see loopback.ts).
  const lb = await startLoopback(Math.ceil(Math.max(...opts.sizes, 1) / ALIASES_PER_SSHD));
  const stop = (): void => {
    endOrphans(`${lb.dir}/cp/`);
    lb.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const rows: Row[] = [];
  let planner: PlannerRow[] = [];
  const started = Date.now();
  // Written after every size too, so a long run that is stopped still leaves what it measured.
  const save = (): void => {
    const results = {
      version: 1,
      date: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      // Relative, so a committed results.json names no directory of the machine it ran on.
      options: { ...opts, out: relative(ROOT, opts.out) },
      durationS: Math.round((Date.now() - started) / 1000),
      observe: rows,
      planner,
    };
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  };
  try {
    for (const n of opts.sizes) {
      const cols = columns(ROOT, lb, opts.connectTimeoutS)
        .filter((c) => !c.ansible || (ansible && n <= opts.peersMax))
        .filter((c) => !opts.columns || opts.columns.includes(c.id));
      rows.push(...(await benchSize(lb, n, cols, opts)));
      save();
    }
  } finally {
    await lb.stop();
  }
  planner = await plannerRows(ROOT, opts.plannerHosts, opts.runs);
  save();
  process.stdout.write(renderTables(rows, planner));
  process.stdout.write(`\nwrote ${opts.out}\n`);
  const failed = rows.filter((r) => r.result.problem).length + planner.filter((p) => p.problem).length;
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
