import { quote } from 'shell-quote';
import type { HealthCheck } from '../model/desired.js';

/** Lines of the last probe's output the report keeps: enough for "connection refused" or a 404. */
const OUTPUT_LINES = 5;
const OUTPUT_CHARS = 400;

export interface HealthScriptOptions {
  /** One attempt (bounded by the gate's timeout) instead of retrying until the timeout: drift's "now". */
  once?: boolean;
}

/**
 * A POSIX sh script that runs ON the target host and polls the gate once a second until it
 * passes (exit 0) or its timeout runs out (exit 1) — one SSH channel for the whole wait, and
 * the check sees what the host sees (Monit-style). Every value from the manifest is quoted.
 *
 * Each attempt runs under `timeout -s KILL <seconds left>` (coreutils kills the attempt's whole
 * process group), so a probe that hangs (`command: "sleep 40"`) ends at the gate's deadline
 * instead of at the SSH command's backstop; no new attempt starts within a second of the
 * deadline. On failure it prints `unhealthy` and the last attempt's output as `out|` lines.
 */
export function healthScript(check: HealthCheck, opts: HealthScriptOptions = {}): string {
  const timeoutSec = Math.max(1, Math.floor(check.timeoutSec));
  return [
    `rs_probe=${quote([probeScript(check)])}`,
    `rs_deadline=$(( $(date +%s) + ${timeoutSec} ))`,
    `rs_once=${opts.once ? 'yes' : 'no'}`,
    'rs_to=; if command -v timeout >/dev/null 2>&1; then rs_to=yes; fi',
    'while :; do',
    '  rs_left=$(( rs_deadline - $(date +%s) )); [ "$rs_left" -ge 1 ] || rs_left=1',
    '  if [ -n "$rs_to" ]; then rs_out=$(timeout -s KILL "$rs_left" sh -c "$rs_probe" 2>&1 </dev/null); rs_c=$?',
    '  else rs_out=$(sh -c "$rs_probe" 2>&1 </dev/null); rs_c=$?; fi',
    '  if [ "$rs_c" -eq 0 ]; then echo healthy; exit 0; fi',
    '  if [ -n "$rs_to" ] && [ "$rs_c" -eq 137 ]; then',
    `    rs_out=$(printf '%s\\n%s' "$rs_out" "probe still running after \${rs_left}s: killed at the gate's deadline")`,
    '  fi',
    '  if [ "$rs_once" = yes ] || [ $(( $(date +%s) + 1 )) -ge "$rs_deadline" ]; then',
    '    echo unhealthy',
    `    [ -z "$rs_out" ] || printf '%s\\n' "$rs_out" | tail -n ${OUTPUT_LINES} | sed 's/^/out|/'`,
    '    echo "exit|$rs_c"',
    '    exit 1',
    '  fi',
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

/**
 * The probe of one attempt, as sh code run by `sh -c`. tcp and http use the first tool the host
 * has (so the output is that tool's own words: "Connection refused", "404 Not Found").
 */
export function probeScript(check: HealthCheck): string {
  switch (check.kind) {
    case 'tcp': {
      const args = quote([check.host, String(check.port)]);
      // Debian: bash is essential and has /dev/tcp; else nc, else busybox nc.
      return [
        `if command -v bash >/dev/null 2>&1; then exec bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${args}; fi`,
        `if command -v nc >/dev/null 2>&1; then exec nc -z -w 2 ${args}; fi`,
        `if command -v busybox >/dev/null 2>&1; then exec busybox nc -z -w 2 ${args}; fi`,
        'echo "no tcp probe on this host (bash, nc or busybox)"; exit 1',
      ].join('\n');
    }
    case 'http': {
      const url = quote([check.url]);
      return [
        `if command -v curl >/dev/null 2>&1; then exec curl -fsS -m 5 -o /dev/null ${url}; fi`,
        `if command -v wget >/dev/null 2>&1 && ! wget --help 2>&1 | grep -qi busybox; then exec wget -nv -T 5 -O /dev/null ${url}; fi`,
        // Debian 12's busybox wget crashes when given -T; the attempt's own timeout bounds it.
        `if command -v busybox >/dev/null 2>&1; then exec busybox wget -q -O /dev/null ${url}; fi`,
        'echo "no http probe on this host (curl, wget or busybox)"; exit 1',
      ].join('\n');
    }
    case 'command':
      return `exec ${quote(check.argv)}`;
  }
}

export type HealthResult = { ok: true } | { ok: false; output: string };

/** Reads the script's stdout: `healthy`, or `unhealthy` with the last attempt's output. */
export function parseHealthOutput(stdout: string, code: number | null): HealthResult {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  if (code === 0 && lines.includes('healthy')) return { ok: true };
  const out = lines
    .filter((l) => l.startsWith('out|'))
    .map((l) => l.slice(4).trim())
    .filter(Boolean);
  const exit = lines.find((l) => l.startsWith('exit|'))?.slice(5);
  const text = out.length > 0 ? out.join('\n') : exit ? `the probe exited ${exit} and printed nothing` : '';
  return { ok: false, output: printable(text).slice(-OUTPUT_CHARS) };
}

/** Probe output goes into reports: no control characters (colour codes, carriage returns). */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
}

/** `tcp 127.0.0.1:5432`, `http URL`, `command pg_isready -q`: the gate in a few words. */
export function gateText(h: HealthCheck): string {
  switch (h.kind) {
    case 'tcp':
      return `tcp ${h.host}:${h.port}`;
    case 'http':
      return `http ${h.url}`;
    case 'command':
      return `command ${h.argv.join(' ')}`;
  }
}
