/**
 * Planner benchmark (issue 15): a synthetic fleet planned offline by the real CLI.
 *
 *   node --import tsx bench/planner.ts --hosts 1000 [--keep]
 *
 * The fleet: 40 groups, 20 services per host, 30 % of the services requiring another (4 on the same
 * host, 2 across hosts), every service drifted (inactive and disabled, wanted running and enabled),
 * so each host has 40 steps. Writes an inventory, a playbook and an `--observed` snapshot into a
 * temp dir, runs `runstate plan --observed … --format json` and, on the same fleet with group-wide
 * requires (`all:s00`, `gNN:s18`), `runstate validate`, each as a child process, and prints one JSON
 * line. Peak RSS comes from `/usr/bin/time -f %M` (null where that tool is missing). Needs the
 * built CLI (`npx tsc -p tsconfig.build.json`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './lib/args.js';

const GROUPS = 40;
const SERVICES = 20;
const TIERS = ['database', 'app', 'network', 'main'] as const;
/** Same-host requires: service → the one it requires (4 of 20). */
const LOCAL_REQUIRES: Record<number, number> = { 3: 1, 6: 4, 13: 11, 16: 14 };
/** Across hosts: s09 and s19 require a service of the next host (2 of 20: 30 % in all). */
const REMOTE_REQUIRES: Record<number, number> = { 9: 8, 19: 18 };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'runstate.js');

const hostName = (i: number): string => `h${String(i).padStart(5, '0')}`;
const groupName = (g: number): string => `g${String(g).padStart(2, '0')}`;
const svcName = (k: number): string => `s${String(k).padStart(2, '0')}`;

function inventory(hosts: number): string {
  const lines = ['all:', '  vars:', '    ansible_connection: local', '  children:'];
  for (let g = 0; g < GROUPS; g++) {
    lines.push(`    ${groupName(g)}:`, '      hosts:');
    for (let i = g; i < hosts; i += GROUPS) lines.push(`        ${hostName(i)}: {}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `groupWide`: instead of naming the next host, s09 requires all:s00 and s19 the next group's s18. */
function playbook(hosts: number, groupWide: boolean): string {
  const lines = ['version: 1', 'hosts:'];
  const groups = Math.min(GROUPS, hosts);
  for (let g = 0; g < groups; g++) {
    lines.push(`  ${groupName(g)}:`, '    services:');
    for (let k = 0; k < SERVICES; k++) {
      const local = LOCAL_REQUIRES[k];
      let requires = local === undefined ? '' : `, requires: [${svcName(local)}]`;
      if (groupWide && k === 9) requires = ', requires: ["all:s00"]';
      if (groupWide && k === 19) requires = `, requires: ["${groupName((g + 1) % groups)}:s18"]`;
      const tier = TIERS[k % TIERS.length];
      lines.push(`      ${svcName(k)}: { state: running, enabled: true, tier: ${tier}${requires} }`);
    }
  }
  if (!groupWide) {
    for (let i = 0; i < hosts; i++) {
      const next = hostName((i + 1) % hosts);
      lines.push(`  ${hostName(i)}:`, '    services:');
      for (const [k, r] of Object.entries(REMOTE_REQUIRES)) {
        const tier = TIERS[Number(k) % TIERS.length];
        lines.push(
          `      ${svcName(Number(k))}: { state: running, enabled: true, tier: ${tier}, requires: ["${next}:${svcName(r)}"] }`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function snapshot(hosts: number): string {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < hosts; i++) {
    const services: Record<string, unknown> = {};
    for (let k = 0; k < SERVICES; k++) {
      const name = svcName(k);
      services[name] = { name, manager: 'systemd', active: 'inactive', enabled: 'disabled' };
    }
    const host = hostName(i);
    out[host] = {
      status: 'ok',
      host,
      init: 'systemd',
      managers: ['systemd'],
      runlevel: { current: 'multi-user.target', default: 'multi-user.target' },
      services,
    };
  }
  return JSON.stringify({ version: 1, hosts: out });
}

interface Run {
  code: number | null;
  wallMs: number;
  peakRssMB: number | null;
  /** user + system CPU of the child: on a shared machine wall time also counts others' work. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child; /usr/bin/time writes its max RSS (KiB) and CPU seconds as stderr's last line. */
function runCli(args: string[]): Promise<Run> {
  const timed = existsSync('/usr/bin/time');
  const [cmd, argv] = timed
    ? ['/usr/bin/time', ['-f', '%M %U %S', process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Math.round(performance.now() - started);
      let stderr = Buffer.concat(err).toString('utf8');
      let peakRssMB: number | null = null;
      let cpuMs: number | null = null;
      if (timed) {
        const lines = stderr.trimEnd().split('\n');
        const [kib, user, sys] = (lines.pop() ?? '').split(' ').map(Number);
        stderr = lines.join('\n');
        if (kib !== undefined && Number.isFinite(kib)) peakRssMB = Math.round(kib / 1024);
        if (user !== undefined && sys !== undefined && Number.isFinite(user + sys))
          cpuMs = Math.round((user + sys) * 1000);
      }
      resolve({ code, wallMs, peakRssMB, cpuMs, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

async function main(): Promise<void> {
  const hosts = Number(option('hosts', '1000'));
  if (!Number.isInteger(hosts) || hosts < 1) throw new Error('--hosts needs a positive whole number');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: build the CLI first (npx tsc -p tsconfig.build.json)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'runstate-bench-planner-'));
  try {
    const inv = join(dir, 'inventory.yml');
    const site = join(dir, 'site.yml');
    const wide = join(dir, 'group-wide.yml');
    const observed = join(dir, 'observed.json');
    const planFile = join(dir, 'plan.json');
    await writeFile(inv, inventory(hosts));
    await writeFile(site, playbook(hosts, false));
    await writeFile(wide, playbook(hosts, true));
    await writeFile(observed, snapshot(hosts));

    // --validate-only: for fleets too large for the planner before issue 15.
    const plan = process.argv.includes('--validate-only')
      ? { code: 0, wallMs: null, peakRssMB: null, cpuMs: null, stdout: '{"steps":[]}', stderr: '' }
      : await runCli(['plan', '-i', inv, site, '--observed', observed, '--format', 'json']);
    if (plan.code !== 0) throw new Error(`plan exited ${plan.code}: ${plan.stderr.slice(-2000)}`);
    await writeFile(planFile, plan.stdout);
    const parsed = JSON.parse(plan.stdout) as {
      steps: { after: string[] }[];
      barriers?: { after: string[] }[];
    };
    const afterEdges =
      parsed.steps.reduce((n, s) => n + s.after.length, 0) +
      (parsed.barriers ?? []).reduce((n, b) => n + b.after.length, 0);

    const validate = await runCli(['validate', '-i', inv, wide]);
    if (validate.code !== 0)
      throw new Error(`validate exited ${validate.code}: ${validate.stderr.slice(-2000)}`);

    const line = {
      hosts,
      services: SERVICES,
      steps: parsed.steps.length,
      barriers: parsed.barriers?.length ?? 0,
      afterEdges,
      planBytes: (await stat(planFile)).size,
      wallMs: plan.wallMs,
      cpuMs: plan.cpuMs,
      peakRssMB: plan.peakRssMB,
      validateMs: validate.wallMs,
      validateCpuMs: validate.cpuMs,
      validatePeakRssMB: validate.peakRssMB,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    if (process.argv.includes('--keep')) process.stderr.write(`fleet kept in ${dir}\n`);
  } finally {
    if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/planner: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
