import { randomBytes } from 'node:crypto';
import { shellWord } from '../drivers/fragment.js';
import { ALL_DRIVERS, type Driver, initKinds, namesFor, type ObserveOptions } from '../drivers/index.js';
import type { ManagerKind } from '../model/desired.js';
import { KILL_TIMEOUT } from '../transport/command.js';
import { type ResourceRequest, resourcesFragment } from './resources.js';
import { watchFragment } from './watch.js';

export interface ScriptOptions extends ObserveOptions {
  /** The inventory's `runstate_init`: the host's init, not probed. */
  init?: ManagerKind;
  /** The opt-in resources section: only for hosts that declare thresholds (or facts --resources). */
  resources?: ResourceRequest;
}

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
 * PID 1's name keeps only safe characters; `tr` runs only when there is one to remove (every
 * process a host starts for observing costs more than the shell's own `read` and `case`). Its
 * path (`readlink /proc/1/exe`, a process) is no longer asked: no parser or probe read it.
 */
const PID1 = `rs_pid1=; { read -r rs_pid1 </proc/1/comm; } 2>/dev/null
case $rs_pid1 in *[!A-Za-z0-9._-]*) rs_pid1=$(printf '%s' "$rs_pid1" | tr -cd 'A-Za-z0-9._-') ;; esac`;

/**
 * Detection, from the drivers' probes (Driver.detection). Init drivers are tried in registration
 * order and the first whose probes hold wins; `rs_why` collects the evidence of those that held.
 * Drivers that run beside an init are probed on every host, each into `rs_on_<kind>` / `rs_why_<kind>`.
 * With `init` (the inventory's runstate_init) no init probe runs. Every probe is a test, so a
 * missing tool never stops the script.
 */
function detectScript(init: ManagerKind | undefined, drivers: readonly Driver[]): string {
  const lines = [PID1];
  if (init !== undefined) {
    if (!initKinds().includes(init)) throw new Error(`runstate_init ${JSON.stringify(init)} is not an init`);
    lines.push(`rs_init=${init}; rs_why=${shellWord(`inventory runstate_init=${init}`)}`);
  } else {
    lines.push('rs_init=unknown; rs_why=');
    for (const d of ALL_DRIVERS.filter((x) => x.detection.role === 'init')) {
      lines.push(
        'if [ "$rs_init" = unknown ]; then rs_e=',
        ...probeLines(d),
        `  if [ -n "$rs_e" ]; then rs_init=${d.kind}; rs_why=\${rs_e#, }; fi`,
        'fi',
      );
    }
  }
  for (const d of drivers.filter((x) => x.detection.role === 'beside')) {
    const v = shVar(d.kind);
    lines.push(
      `rs_on_${v}=no; rs_why_${v}=; rs_e=`,
      ...probeLines(d),
      `if [ -n "$rs_e" ]; then rs_on_${v}=yes; rs_why_${v}=\${rs_e#, }; fi`,
    );
  }
  return lines.join('\n');
}

function probeLines(d: Driver): string[] {
  return d.detection.probes.map((p) => `  if ${p.test}; then rs_e="$rs_e, "${shellWord(p.evidence)}; fi`);
}

/** A manager kind as part of a sh variable name. */
function shVar(kind: string): string {
  return kind.replace(/[^a-z0-9]/g, '_');
}

/** When a driver's section runs: its init is the host's (or one it lives under), or it was found. */
function sectionCondition(d: Driver): string {
  if (d.detection.role === 'beside') return `[ "$rs_on_${shVar(d.kind)}" = yes ]`;
  return [d.kind, ...(d.detection.alsoUnder ?? [])].map((k) => `[ "$rs_init" = ${k} ]`).join(' || ');
}

/** What the detect section prints: `init=`, `init-evidence=`, then `<kind>=yes|no` and `<kind>-evidence=`. */
function detectReport(drivers: readonly Driver[]): string[] {
  const fields: [string, string][] = [
    ['init', '$rs_init'],
    ['init-evidence', '$rs_why'],
  ];
  for (const d of drivers.filter((x) => x.detection.role === 'beside')) {
    fields.push([d.kind, `$rs_on_${shVar(d.kind)}`], [`${d.kind}-evidence`, `$rs_why_${shVar(d.kind)}`]);
  }
  fields.push(['pid1', '$rs_pid1']);
  return fields.map(([key, value]) => `printf '%s=%s\\n' ${key} "${value}"`);
}

/**
 * What a driver is asked for: the system services (user units are not among them, a system unit
 * of the same name is not theirs), and the user units only if it runs per-user managers.
 */
export function driverRequest<O extends ObserveOptions>(
  driver: Driver,
  services: readonly string[],
  opts: O,
): [string[], O] {
  const users = opts.users ?? {};
  const system = namesFor(
    driver,
    services.filter((s) => !Object.hasOwn(users, s)),
    opts,
  );
  if (driver.capabilities.userUnits || opts.users === undefined) return [system, opts];
  const { users: _users, ...rest } = opts;
  return [system, rest as O];
}

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
  opts: ScriptOptions = {},
): string {
  const marker = `@@runstate:${checkedNonce(nonce)}`;
  // A declaredOnly driver (docker) is neither probed nor run on a host that declares nothing for it.
  const drivers = ALL_DRIVERS.filter(
    (d) => !d.detection.declaredOnly || opts.discover || namesFor(d, services, opts).length > 0,
  );
  const sections = drivers.map((driver) => {
    const kind = driver.kind;
    const test = sectionCondition(driver);
    const fragment = driver.observeScript(...driverRequest(driver, services, opts));
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
    // see src/transport/command.ts) it already ran this script as KILL_TIMEOUT; elsewhere, probe
    // that form once. KILL, not timeout's default TERM: each `timeout` puts itself and its command in
    // a process group of their own, out of reach of the whole command's bound, so a status call
    // that ignores TERM would outlive both bounds and hold the host's observe until the client gave
    // up (test/e2e/observe-hang.test.ts). A status call has nothing to clean up.
    `rs_t=; if [ "\${RUNSTATE_TIMEOUT-}" = 1 ] || { command -v timeout >/dev/null 2>&1 && ${KILL_TIMEOUT} 5 true >/dev/null 2>&1; }; then rs_t='${KILL_TIMEOUT} 10'; fi; unset RUNSTATE_TIMEOUT`,
    detectScript(opts.init, drivers),
    `printf '%s\\n' '${marker}:begin:detect'`,
    ...detectReport(drivers),
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
    ...(opts.resources
      ? [
          `printf '%s\\n' '${marker}:begin:resources'`,
          '(',
          resourcesFragment(opts.resources),
          ')',
          `printf '%s:%s\\n' '${marker}:end:resources' "$?"`,
        ]
      : []),
    `printf '%s\\n' '${marker}:done'`,
    '} </dev/null',
    'exit 0',
    '',
  ].join('\n');
}
