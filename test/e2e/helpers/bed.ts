import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
export const BED_INVENTORY = join(BED_DIR, 'inventory.yml');
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
