import { randomBytes } from 'node:crypto';
import { driverFor, type ObserveOptions } from '../drivers/index.js';
import type { ManagerKind } from '../model/desired.js';
import { watchFragment } from './watch.js';

/** Random per run: a section marker can only come from this script, never from a service's output. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

const NONCE_RE = /^[0-9a-f]{16,64}$/;

export function checkedNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce))
    throw new Error(`observe nonce must be 16-64 hex digits, got ${JSON.stringify(nonce)}`);
  return nonce;
}

/**
 * Which init system runs the host. systemd: PID 1 is systemd or /run/systemd/system exists (what
 * sd_booted checks). OpenRC: /run/openrc, or its tools. Upstart: initctl says so. SysV: init
 * scripts and `runlevel`. Everything is a test, so a missing tool never stops the script.
 * PID 1's name and path keep only safe characters; `tr` runs only when there is one to remove
 * (every process a host starts for observing costs more than the shell's own `read` and `case`).
 */
const DETECT = `rs_pid1=; { read -r rs_pid1 </proc/1/comm; } 2>/dev/null
case $rs_pid1 in *[!A-Za-z0-9._-]*) rs_pid1=$(printf '%s' "$rs_pid1" | tr -cd 'A-Za-z0-9._-') ;; esac
rs_exe=$(readlink /proc/1/exe 2>/dev/null)
case $rs_exe in *[!A-Za-z0-9._/-]*) rs_exe=$(printf '%s' "$rs_exe" | tr -cd 'A-Za-z0-9._/-') ;; esac
rs_init=unknown
if [ -d /run/systemd/system ] || [ "$rs_pid1" = systemd ]; then rs_init=systemd
elif [ -d /run/openrc ] || [ "$rs_pid1" = openrc-init ] || { command -v openrc >/dev/null 2>&1 && command -v rc-status >/dev/null 2>&1; }; then rs_init=openrc
elif command -v initctl >/dev/null 2>&1 && $rs_t initctl version 2>/dev/null | grep -q upstart; then rs_init=upstart
elif [ -d /etc/init.d ] && command -v runlevel >/dev/null 2>&1; then rs_init=sysv
fi
rs_sup=no
if command -v supervisorctl >/dev/null 2>&1; then
  rs_p=$($rs_t supervisorctl pid 2>/dev/null)
  case $rs_p in
    ''|*[!0-9]*) case $($rs_t supervisorctl pid 2>&1) in *'Permission denied'*) rs_sup=denied ;; esac ;;
    *) rs_sup=yes ;;
  esac
fi`;

/** Which drivers run for a detected init: Upstart hosts keep SysV scripts for what is not a job. */
export const CONDITIONS: ReadonlyArray<[ManagerKind, string]> = [
  ['systemd', '[ "$rs_init" = systemd ]'],
  ['openrc', '[ "$rs_init" = openrc ]'],
  ['upstart', '[ "$rs_init" = upstart ]'],
  ['sysv', '[ "$rs_init" = sysv ] || [ "$rs_init" = upstart ]'],
  // denied: supervisord runs but this user may not use its socket; the driver says so per service.
  ['supervisord', '[ "$rs_sup" = yes ] || [ "$rs_sup" = denied ]'],
];

/**
 * ONE POSIX sh script observing a host: detect the init system (and supervisord), then run each
 * applicable driver's fragment, each framed by `@@runstate:<nonce>:begin:<kind>` and
 * `@@runstate:<nonce>:end:<kind>:<exit>`, and end with `@@runstate:<nonce>:done`.
 *
 * The body is one `{ …; } </dev/null` group: the shell reads all of it before running any of it
 * (the script arrives on stdin of `sh -s`, so no command can eat the rest of it, and a script cut
 * short in transit does not run half-way), and no init script can wait on the terminal.
 * Read-only; no `set -e`, so a missing service, tool or socket is printed as a fact.
 *
 * With `discover`, each driver also lists every service its manager knows on the host (in the
 * same sections; parse with the same option). `services` may then be empty.
 */
export function buildObserveScript(
  services: readonly string[],
  nonce: string,
  watches: Readonly<Record<string, readonly string[]>> = {},
  opts: ObserveOptions = {},
): string {
  const marker = `@@runstate:${checkedNonce(nonce)}`;
  const sections = CONDITIONS.map(([kind, test]) => {
    const fragment = driverFor(kind).observeScript(services, opts);
    return [
      `if ${test}; then`,
      `printf '%s\\n' '${marker}:begin:${kind}'`,
      '(',
      fragment,
      ')',
      `printf '%s:%s\\n' '${marker}:end:${kind}' "$?"`,
      'fi',
    ].join('\n');
  });
  return [
    '# runstate observe: read-only, one round trip',
    '{',
    'LC_ALL=C; export LC_ALL',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}; export PATH',
    'SYSTEMD_COLORS=0; export SYSTEMD_COLORS',
    'EINFO_COLOR=NO; export EINFO_COLOR',
    // A working `timeout` bounds each status call. Under runstate's command line (RUNSTATE_TIMEOUT,
    // see src/transport/command.ts) it already ran this script; elsewhere, probe it once.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
    'rs_t=; if [ "${RUNSTATE_TIMEOUT-}" = 1 ] || { command -v timeout >/dev/null 2>&1 && timeout 5 true >/dev/null 2>&1; }; then rs_t=\'timeout 10\'; fi; unset RUNSTATE_TIMEOUT',
    DETECT,
    `printf '%s\\n' '${marker}:begin:detect'`,
    `printf 'init=%s\\nsupervisord=%s\\npid1=%s\\npid1-exe=%s\\n' "$rs_init" "$rs_sup" "$rs_pid1" "$rs_exe"`,
    `printf '%s\\n' '${marker}:end:detect:0'`,
    ...sections,
    ...(Object.keys(watches).length > 0
      ? [
          `printf '%s\\n' '${marker}:begin:watch'`,
          '(',
          watchFragment(watches),
          ')',
          `printf '%s:%s\\n' '${marker}:end:watch' "$?"`,
        ]
      : []),
    `printf '%s\\n' '${marker}:done'`,
    '} </dev/null',
    'exit 0',
    '',
  ].join('\n');
}
