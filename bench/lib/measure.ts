/**
 * One measured run of a tool: wall time, CPU of its whole process tree, peak RSS of the tree, and
 * the SSH connections the bench sshd accepted meanwhile.
 *
 * CPU comes from GNU time (wait4's rusage: the tool and every descendant it waited for). Processes
 * that leave the tree without being waited for — Ansible's ControlPersist ssh masters — are found
 * afterwards by a marker in their command line (`orphanMarker`), their CPU is added from /proc and
 * they are ended by PID. RSS is the tree's sum, sampled from /proc (GNU time's maximum is only the
 * largest single process); a scan of /proc is slow on this kind of machine, so the interval grows
 * with its cost to keep the sampler's own load small.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Sample {
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
  connections: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunSpec {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text in the command line of processes the tool leaves behind (e.g. a ControlPath directory). */
  orphanMarker?: string;
}

const PAGE_KB = 4;
const TICK_MS = 10; // CLK_TCK = 100 on Linux

interface Proc {
  pid: number;
  ppid: number;
  rssKB: number;
  cpuMs: number;
}

function readProc(pid: string): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid: Number(pid),
      ppid: Number(f[1]),
      cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
      rssKB: Number(f[21]) * PAGE_KB,
    };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    const p = readProc(d);
    if (p) out.push(p);
  }
  return out;
}

/** Sum of RSS of `root` and its descendants, from one scan. */
function treeRssKB(procs: Proc[], root: number): number {
  const children = new Map<number, Proc[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  let sum = 0;
  const stack = procs.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const p = stack.pop() as Proc;
    sum += p.rssKB;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return sum;
}

function orphansOf(marker: string): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
    } catch {
      continue;
    }
    const p = readProc(d);
    if (p) out.push(p);
  }
  return out;
}

/** Ends (by PID) what a stopped run left behind, e.g. Ansible's ssh masters on a Ctrl-C. */
export function endOrphans(marker: string): void {
  for (const p of orphansOf(marker)) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

export async function measure(spec: RunSpec, connections: () => number, timeFile: string): Promise<Sample> {
  const before = connections();
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, spec.cmd, ...spec.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  let peakKB = 0;
  let exited = false;
  const sampler = (async () => {
    while (!exited) {
      const t0 = Date.now();
      const procs = allProcs();
      if (child.pid !== undefined) peakKB = Math.max(peakKB, treeRssKB(procs, child.pid));
      const cost = Date.now() - t0;
      await new Promise((r) => setTimeout(r, Math.max(100, cost * 5)));
    }
  })();
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  exited = true;
  await sampler;
  // sshd logs the connection from its session child; give the last lines a moment to arrive.
  await new Promise((r) => setTimeout(r, 300));
  const [, user, sys, maxKB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ') ?? [];
  let cpuMs = (Number(user) + Number(sys)) * 1000;
  peakKB = Math.max(peakKB, Number(maxKB) || 0);
  if (spec.orphanMarker) {
    for (const p of orphansOf(spec.orphanMarker)) {
      cpuMs += p.cpuMs;
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  rmSync(timeFile, { force: true });
  return {
    wallMs,
    cpuMs,
    peakRssMB: peakKB / 1024,
    connections: connections() - before,
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function timeFilePath(dir: string): string {
  return join(dir, 'time.out');
}
