import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe } from 'vitest';

/** The real hosts test/bed/up brought up: name, init kind, SSH port (all on 127.0.0.1). */
export const BED_HOSTS = [
  { name: 'bed-systemd', init: 'systemd', port: 2221, group: 'database' },
  { name: 'bed-sysv', init: 'sysv', port: 2222, group: 'app' },
  { name: 'bed-openrc', init: 'openrc', port: 2223, group: 'network' },
  { name: 'bed-supervisord', init: 'supervisord', port: 2224, group: 'main' },
] as const;
export type BedHostName = (typeof BED_HOSTS)[number]['name'];

const REPO = resolve(import.meta.dirname, '../../..');
export const BED_DIR = process.env.RUNSTATE_BED_DIR ?? join(REPO, '.bed');
export const BED_INVENTORY = currentSpelling(join(BED_DIR, 'inventory.yml'));

/**
 * A bed brought up by an older test/bed/up wrote runstate's known_hosts variable unprefixed,
 * which runstate now leaves to the user; read such a bed through a copy with today's spelling.
 */
function currentSpelling(file: string): string {
  if (!existsSync(file)) return file;
  const text = readFileSync(file, 'utf8');
  if (!/^ {4}known_hosts:/m.test(text)) return file;
  const copy = join(mkdtempSync(join(tmpdir(), 'runstate-e2e-inv-')), 'inventory.yml');
  writeFileSync(copy, text.replace(/^ {4}known_hosts:/m, '    runstate_known_hosts:'));
  return copy;
}
const CLI = join(REPO, 'bin', 'runstate.js');

/**
 * Bed e2e suites: skipped — loudly — only where test/run-all.sh found the machine cannot boot
 * containers; otherwise a missing or failed bed fails every test with a message saying why.
 */
export function describeBed(name: string, fn: () => void): void {
  const skip = process.env.RUNSTATE_BED_SKIP;
  if (skip) {
    console.warn(`SKIPPED e2e suite "${name}": ${skip}`);
    describe.skip(name, fn);
    return;
  }
  describe(name, () => {
    if (!existsSync(BED_INVENTORY)) {
      throw new Error(`the test bed is not up (${BED_INVENTORY} is missing): run test/bed/up, or npm test`);
    }
    fn();
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (compiled, as a user would) with a private audit log. */
export function runstate(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: stateDir(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 240_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

let state: string | undefined;
function stateDir(): string {
  state ??= mkdtempSync(join(tmpdir(), 'runstate-e2e-state-'));
  return state;
}

/** Runs a shell command on a bed host with OpenSSH — the test's own eyes, independent of runstate. */
export function onHost(host: BedHostName, command: string): Promise<string> {
  const port = BED_HOSTS.find((h) => h.name === host)?.port;
  return new Promise((done, fail) => {
    execFile(
      'ssh',
      [
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=5',
        '-o',
        `UserKnownHostsFile=${join(BED_DIR, 'known_hosts')}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'LogLevel=ERROR',
        '-i',
        join(BED_DIR, 'id_ed25519'),
        '-p',
        String(port),
        'root@127.0.0.1',
        command,
      ],
      { timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? fail(new Error(`${host}: ${command}: ${stderr || err.message}`)) : done(stdout),
    );
  });
}

/** Puts every CRM service back to stopped/disabled and empties the event logs. */
export function resetBed(...hosts: BedHostName[]): void {
  execFileSync('bash', [join(REPO, 'test/bed/reset'), ...hosts], { stdio: 'pipe', timeout: 120_000 });
}

/** `<epoch-ns> <service> start|stop` lines each service appends when it starts or stops. */
export interface BedEvent {
  ns: bigint;
  host: BedHostName;
  service: string;
  what: string;
}

export async function events(host: BedHostName): Promise<BedEvent[]> {
  const text = await onHost(host, 'cat /var/log/runstate-bed/events.log 2>/dev/null || true');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ns, service, what] = line.split(' ');
      return { ns: BigInt(ns ?? '0'), host, service: service ?? '', what: what ?? '' };
    });
}

/** A playbook written to a temp file, for scenarios the committed examples do not cover. */
export function tempPlaybook(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runstate-e2e-pb-'));
  const file = join(dir, 'playbook.yml');
  writeFileSync(file, yaml);
  return file;
}

// ---- helpers for the apply / drift / watch suites ----

/** A fresh XDG_STATE_HOME, so a run's audit log holds only that run's commands. */
export function freshStateHome(): string {
  return mkdtempSync(join(tmpdir(), 'runstate-e2e-state-'));
}

/** The port a CRM service listens on when it runs on that host (the inventory's crm_ports). */
export function crmPort(host: BedHostName, service: string): number {
  const text = readFileSync(BED_INVENTORY, 'utf8');
  const block = text.slice(text.indexOf(`${host}:`));
  const m = new RegExp(`\\n\\s+"?${service.replace(/[.@]/g, '\\$&')}"?: (\\d+)`).exec(block);
  if (!m?.[1]) throw new Error(`no crm_ports entry for ${service} on ${host} in ${BED_INVENTORY}`);
  return Number(m[1]);
}

export interface PlaybookService {
  state: 'running' | 'stopped';
  enabled?: boolean;
  masked?: boolean;
  tier?: 'database' | 'app' | 'network' | 'main';
  manager?: 'auto' | 'systemd' | 'sysv' | 'openrc' | 'supervisord';
  requires?: string[];
  health?: Record<string, string | number>;
}

/** A playbook built from a value: `{ 'bed-sysv': { runlevel: 3, services: { 'crm-app': {...} } } }`. */
export function playbookOf(
  hosts: Record<
    string,
    { runlevel?: string | number; stack?: string; services?: Record<string, PlaybookService> }
  >,
): string {
  const doc = {
    version: 1,
    hosts: Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, { services: {}, ...v }])),
  };
  // JSON is YAML: no YAML writer needed, and every name stays quoted.
  return tempPlaybook(`${JSON.stringify(doc, null, 2)}\n`);
}

/** A copy of the bed inventory with edits (e.g. a host's port where nothing listens). */
export function inventoryWith(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runstate-e2e-inv-'));
  const file = join(dir, 'inventory.yml');
  writeFileSync(file, edit(readFileSync(BED_INVENTORY, 'utf8')));
  return file;
}

/** The same CLI as runstate(), as a child the test can signal; `result` settles when it exits. */
export function spawnRunstate(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; result: Promise<CliResult>; output: () => CliResult } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: stateDir(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const result = new Promise<CliResult>((done) =>
    child.on('close', (code, signal) => done({ code: code ?? (signal ? -1 : -2), stdout, stderr })),
  );
  return { child, result, output: () => ({ code: child.exitCode ?? -1, stdout, stderr }) };
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One line of the JSON Lines audit log apply writes. */
export interface AuditEntry {
  run: string;
  host: string;
  user: string | null;
  step: string;
  argv: string[];
  started: string;
  ended: string;
  exit: number | null;
  timedOut: boolean;
}

/** The audit log a run named on stderr ("audit log: PATH"), parsed. */
export function auditOf(stderr: string): { path: string; entries: AuditEntry[] } {
  const path = /^audit log: (.+)$/m.exec(stderr)?.[1];
  if (!path) throw new Error(`no "audit log:" line in stderr:\n${stderr}`);
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry & { event?: string; what?: string })
    // A command's "end" record: the log also has the run's "open" and each command's "start".
    .filter((e) => e.event === 'end' && e.what === 'command');
  return { path, entries };
}

/** Events of several hosts in the order they happened (the containers share one clock). */
export async function allEvents(...hosts: BedHostName[]): Promise<BedEvent[]> {
  const lists = await Promise.all(hosts.map((h) => events(h)));
  return lists.flat().sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}

/** `runstate facts --format json` of a playbook's services: the observed state, as a value. */
export async function factsJson(playbook: string, inventory = BED_INVENTORY): Promise<unknown> {
  const r = await runstate(['facts', '-i', inventory, playbook, '--format', 'json']);
  if (r.code !== 0) throw new Error(`facts failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Puts the runlevels tests change back as `up` left them (reset does not): runlevel 2 (current and
 * inittab default) on the SysV host, graphical.target (current and default) on the systemd host.
 */
export async function restoreRunlevels(): Promise<void> {
  await onHost('bed-sysv', '[ "$(runlevel | cut -d" " -f2)" = 2 ] || telinit 2');
  // runlevel: N on SysV also sets inittab's boot default (id:N:initdefault:).
  await onHost('bed-sysv', "sed -i 's/^id:[0-6]:initdefault:/id:2:initdefault:/' /etc/inittab");
  await onHost(
    'bed-systemd',
    '[ "$(systemctl get-default)" = graphical.target ] || systemctl set-default graphical.target; ' +
      'systemctl is-active --quiet graphical.target || systemctl isolate graphical.target',
  );
}

/** A JSON file a run wrote (healthcheck file, report), as the type the caller names. */
export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
