import { quote } from 'shell-quote';
import type { HealthCheck } from '../model/desired.js';

/**
 * A POSIX sh script that runs ON the target host and polls the gate once a second until it
 * passes (exit 0) or its timeout runs out (exit 1) — one SSH channel for the whole wait, and
 * the check sees what the host sees (Monit-style). Every value from the manifest is quoted.
 */
export function healthScript(check: HealthCheck): string {
  return [
    `deadline=$(( $(date +%s) + ${Math.max(1, Math.floor(check.timeoutSec))} ))`,
    checkFunction(check),
    'while :; do',
    '  if check >/dev/null 2>&1; then echo healthy; exit 0; fi',
    '  if [ "$(date +%s)" -ge "$deadline" ]; then echo unhealthy; exit 1; fi',
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

/** The sh function `check` the gate polls (exported so tests can run one probe). */
export function checkFunction(check: HealthCheck): string {
  switch (check.kind) {
    case 'tcp': {
      const args = quote([check.host, String(check.port)]);
      // Whichever probe the host has: bash's /dev/tcp (Debian: bash is essential), nc, busybox nc.
      return [
        'check() {',
        `  if command -v bash >/dev/null 2>&1; then timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${args} && return 0; fi`,
        `  if command -v nc >/dev/null 2>&1; then nc -z -w 2 ${args} && return 0; fi`,
        `  if command -v busybox >/dev/null 2>&1; then busybox nc -z -w 2 ${args} && return 0; fi`,
        '  return 1',
        '}',
      ].join('\n');
    }
    case 'http': {
      const url = quote([check.url]);
      return [
        'check() {',
        `  if command -v curl >/dev/null 2>&1; then curl -fsS -m 5 -o /dev/null ${url}; return $?; fi`,
        `  if command -v wget >/dev/null 2>&1; then wget -q -T 5 -O /dev/null ${url}; return $?; fi`,
        // Debian 12's busybox wget crashes when given -T, so coreutils' timeout bounds it instead.
        `  if command -v busybox >/dev/null 2>&1; then timeout 5 busybox wget -q -O /dev/null ${url}; return $?; fi`,
        '  return 1',
        '}',
      ].join('\n');
    }
    case 'command':
      return ['check() {', `  ${quote(check.argv)}`, '}'].join('\n');
  }
}
