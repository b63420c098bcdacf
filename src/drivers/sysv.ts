import type { ActiveState, EnabledState, ObservedRunlevel, ObservedService } from '../model/observed.js';
import type { ChangeRequest, Driver, DriverFacts } from './driver.js';
import {
  capture,
  checkedName,
  checkedNames,
  DISCOVER_SH,
  linesOf,
  numericLevel,
  type ObserveOptions,
  readTagged,
  setNames,
  shellWord,
  systemdOnlyProblem,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';

/*
 * SysV init (Debian's sysv-rc with update-rc.d; RHEL's chkconfig when update-rc.d is missing).
 * Status is the LSB exit code of `/etc/init.d/<svc> status` (its text is discarded: a script may
 * print anything); "starts at boot" is an S link in /etc/rc<level>.d.
 */

/**
 * Every rc link as `links|rc2.d/S01ssh`, then `links?0`; the parser picks the requested names.
 * Printed by the shell itself: a capture() would only add a subshell around the loop.
 */
const LINKS = [
  'for rs_d in /etc/rc[0-6S].d; do for rs_f in "$rs_d"/[SK]*; do',
  'if [ -e "$rs_f" ] || [ -h "$rs_f" ]; then',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  'printf \'links|%s\\n\' "${rs_d##*/}/${rs_f##*/}";',
  'fi; done; done; echo "links?0"',
].join(' ');

/**
 * `grep -E '^[^#]*:initdefault:' /etc/inittab` done by the shell (no process): the lines whose part
 * before any `#` holds `:initdefault:`, as `inittab|` lines, then `inittab?` 0 (found), 1 (none)
 * or 2 (no readable file), grep's codes.
 */
const INITTAB = [
  'if [ -r /etc/inittab ]; then rs_c=1',
  '  while IFS= read -r rs_line || [ -n "$rs_line" ]; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  '    case ${rs_line%%#*} in *:initdefault:*) printf \'inittab|%s\\n\' "$rs_line"; rs_c=0 ;; esac',
  '  done </etc/inittab',
  'else rs_c=2; fi',
  'echo "inittab?$rs_c"',
].join('\n');

/*
 * Discovery lists the services in /etc/init.d, the Debian/LSB way: an executable file with an
 * init header (`### BEGIN INIT INFO`, or RHEL's `# chkconfig:`), except
 *  - helpers and leftovers: README*, skeleton, rc, rcS, functions, *.dpkg-*, *.ucf-*, *.rpm*;
 *  - `*.sh`: Debian's boot-time one-shots (mountall.sh, hwclock.sh…), not services;
 *  - scripts whose LSB `Default-Start` names no level of a running system (2-5 or S): the
 *    shutdown and single-user switches (halt, reboot, umountfs, killprocs, single…).
 * `status` runs only on a script that handles it (a `status)` case, or Debian's init-d-script,
 * which does): what an unknown argument does is up to the script, and may be "start".
 * CLASSIFY_INIT_SCRIPT: one awk over a script (its last argument) printing skip / status / nostatus.
 */
export const CLASSIFY_INIT_SCRIPT = [
  "awk '/^### BEGIN INIT INFO/ || /^# chkconfig:/ { h = 1 }",
  '/^#[ \\t]*Default-Start:/ && !d { sub(/^[^:]*:/, ""); s = $0; d = 1 }',
  '/(^|[^A-Za-z0-9_-])status[ \\t]*[|)]/ || /init-d-script/ { st = 1 }',
  'END { if (!h || (d && s !~ /[2-5Ss]/)) print "skip"; else if (st) print "status"; else print "nostatus" }\'',
].join(' ');

const DISCOVER = [
  DISCOVER_SH,
  'for rs_s in /etc/init.d/*; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  '  rs_n=${rs_s##*/}',
  '  case $rs_n in README*|skeleton|rc|rcS|functions|*.sh|*.dpkg-*|*.ucf-*|*.rpm*) continue ;; esac',
  '  rs_ok "$rs_n" && [ -f "$rs_s" ] && [ -x "$rs_s" ] || continue',
  // Requested names were reported by the loop above.
  '  case " $* " in *" $rs_n "*) continue ;; esac',
  `  rs_k=$(${CLASSIFY_INIT_SCRIPT} "$rs_s" 2>/dev/null)`,
  '  case $rs_k in',
  `    status) ${TIMEOUT} "$rs_s" status >/dev/null 2>&1 </dev/null; rs_c=$? ;;`,
  '    nostatus) rs_c=nostatus ;;',
  '    *) continue ;;',
  '  esac',
  `  printf 'st|%s %s\\n' "$rs_n" "$rs_c"`,
  'done',
].join('\n');

/**
 * The requested scripts' status, at the cost of few processes (each costs a host more than the
 * shell work around it, docs/performance.md):
 *  - which scripts implement `status` is ONE awk over all of them (HAS_STATUS_ACTIONS), never
 *    asked of a script that does not (an unknown action may print usage, or start the service);
 *  - their status calls run in ONE `sh` under ONE timeout (the batch), printing `path=code;` as
 *    each returns. Only if that bound runs out (a hung script: rare) does each service the batch
 *    did not report get its own call under its own timeout, exactly as before: a hung script costs
 *    its own service (and one bound of the batch), every other service is still observed.
 * Output as before: `st|<name> <code>` per requested name, in the order asked.
 */
export const HAS_STATUS_ACTIONS = [
  "awk '(/(^|[^A-Za-z0-9_-])status[ \\t]*[|)]/ || /init-d-script/) && !(FILENAME in st)",
  '{ st[FILENAME] = 1; printf " %s ", FILENAME }\'',
].join(' ');

/** `rs_h`: the requested scripts that implement `status`, as ` path ` words (bench/lib/ablation.ts too). */
export const STATUS_CHECK = `rs_h=$(${HAS_STATUS_ACTIONS} $rs_q 2>/dev/null)`;

/** The batch: every script of `rs_h` asked for its status in one `sh` under one bound. */
export const STATUS_BATCH = `${TIMEOUT} sh -c 'for rs_s; do "$rs_s" status >/dev/null; echo "$rs_s=$?;"; done' sh $rs_h`;

const STATUS = [
  // Names arrive checked (no blank or glob character), so the path lists split back safely. Only
  // readable files go to awk (one awk stops at a file it cannot open); -x is checked below.
  'rs_q=; for rs_n; do rs_s=/etc/init.d/$rs_n; [ -f "$rs_s" ] && [ -r "$rs_s" ] && rs_q="$rs_q $rs_s"; done',
  // With no file at all, awk reads the script's stdin (/dev/null) and names nothing.
  STATUS_CHECK,
  // stdin is already /dev/null (the whole script's), stderr the batch's own /dev/null.
  `rs_g=; [ -z "$rs_h" ] || rs_g=$(${STATUS_BATCH} 2>/dev/null)`,
  'for rs_n; do rs_s=/etc/init.d/$rs_n',
  '  if [ ! -e "$rs_s" ]; then rs_c=missing',
  '  elif [ ! -x "$rs_s" ]; then rs_c=noexec',
  '  else case $rs_h in *" $rs_s "*) case $rs_g in',
  // A path (no name holds a /) followed by = is found only as the whole of its entry.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  '    *"$rs_s="*) rs_c=${rs_g#*"$rs_s="}; rs_c=${rs_c%%;*} ;;',
  // Not reported: the batch's bound ran out first. On its own, under its own bound, as before.
  `    *) ${TIMEOUT} "$rs_s" status >/dev/null 2>&1 </dev/null; rs_c=$? ;; esac ;;`,
  '  *) rs_c=nostatus ;; esac; fi',
  `  printf 'st|%s %s\\n' "$rs_n" "$rs_c"`,
  'done',
];

function observeScript(services: readonly string[], opts: ObserveOptions = {}): string {
  return [
    setNames(checkedNames(services)),
    'for rs_x in update-rc.d chkconfig; do command -v "$rs_x" >/dev/null 2>&1 && echo "tool|$rs_x"; done',
    // The current level is utmp's run-level record, which `runlevel` and `who -r` both read: with
    // no utmp there is none, and neither process is started (where `runlevel` is systemd's
    // systemctl, as on a Debian box whose PID 1 is not init, it is the costliest call here).
    // /var/run/utmp: the path on systems whose /var/run is /run, and on older ones where it is not.
    'if [ -s /var/run/utmp ]; then',
    capture('runlevel', 'runlevel'),
    // The parser reads `who -r` only when `runlevel` has no answer, so ask `who` only when there
    // is no `runlevel` to say "unknown" (exit 1) from it.
    'case $rs_c in 0|1) ;; *)',
    capture('whor', 'who -r'),
    ';; esac; fi',
    INITTAB,
    LINKS,
    ...STATUS,
    ...(opts.discover ? [DISCOVER] : []),
  ].join('\n');
}

/**
 * LSB 4.1 "status" exit codes, and what a wrapper adds: 137 from the observe script's
 * `timeout -s KILL` (124 from a plain `timeout`), sh's 126/127.
 */
export function lsbStatus(code: string): { active: ActiveState; detail: string } {
  switch (code) {
    case '0':
      return { active: 'active', detail: 'LSB 0: running' };
    case '1':
      return { active: 'failed', detail: 'LSB 1: dead, pid file exists' };
    case '2':
      return { active: 'failed', detail: 'LSB 2: dead, lock file exists' };
    case '3':
      return { active: 'inactive', detail: 'LSB 3: not running' };
    case '4':
      return { active: 'unknown', detail: 'LSB 4: status unknown' };
    case '124':
      return { active: 'unknown', detail: 'status timed out' };
    // SIGKILL: runstate's bound (or, rarely, something else on the host, such as the OOM killer).
    case '137':
      return { active: 'unknown', detail: 'status timed out (killed at the bound, exit 137)' };
    case '126':
    case '127':
    case 'noexec':
      return { active: 'unknown', detail: 'init script not executable' };
    case 'nostatus':
      return {
        active: 'unknown',
        detail: 'the init script has no status action, so runstate cannot tell whether it runs',
      };
    default:
      return { active: 'unknown', detail: `status exit ${code}: not an LSB status code` };
  }
}

/** `runlevel` prints "N 2"; "unknown" when there is no utmp record. */
export function currentLevel(
  runlevelLines: readonly string[],
  whoLines: readonly string[],
): string | undefined {
  const fromRunlevel = /^\s*\S+\s+([0-6Ss])\s*$/.exec(runlevelLines[0] ?? '')?.[1];
  if (fromRunlevel) return fromRunlevel.toUpperCase();
  const fromWho = whoLines.map((l) => /run-level\s+([0-6Ss])\b/.exec(l)?.[1]).find(Boolean);
  return fromWho?.toUpperCase();
}

export function defaultLevel(inittabLines: readonly string[]): string | undefined {
  for (const line of inittabLines) {
    const m = /^[^#:]*:([0-6Ss]):initdefault:/.exec(line);
    if (m) return (m[1] as string).toUpperCase();
  }
  return undefined;
}

/** `rc2.d/S01ssh` → links per service: level → 'S' | 'K'. */
export function linksByService(lines: readonly string[]): Map<string, Map<string, 'S' | 'K'>> {
  const out = new Map<string, Map<string, 'S' | 'K'>>();
  for (const line of lines) {
    const m = /^rc([0-6S])\.d\/([SK])\d\d(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, level, kind, svc] = m as unknown as [string, string, 'S' | 'K', string];
    let levels = out.get(svc);
    if (!levels) {
      levels = new Map();
      out.set(svc, levels);
    }
    // S wins over K in one directory: a stray K link does not stop an S link from starting it.
    if (levels.get(level) !== 'S') levels.set(level, kind);
  }
  return out;
}

function enabledFrom(startLevels: readonly string[], bootLevel: string | undefined): EnabledState {
  // rcS.d runs on every boot; booting into an unknown level, any multi-user level counts.
  const counted = ['S', ...(bootLevel && /^[1-5]$/.test(bootLevel) ? [bootLevel] : ['2', '3', '4', '5'])];
  return startLevels.some((l) => counted.includes(l)) ? 'enabled' : 'disabled';
}

interface HostFacts {
  links: Map<string, Map<string, 'S' | 'K'>>;
  bootLevel: string | undefined;
  tool: string | undefined;
}

function serviceFrom(name: string, code: string | undefined, host: HostFacts): ObservedService {
  if (code === undefined) {
    return { name, manager: 'sysv', active: 'unknown', enabled: 'unknown', detail: 'status not reported' };
  }
  if (code === 'missing') {
    return {
      name,
      manager: 'sysv',
      active: 'not-found',
      enabled: 'not-found',
      detail: 'no /etc/init.d script',
    };
  }
  const startLevels = [...(host.links.get(name) ?? new Map()).entries()]
    .filter(([, kind]) => kind === 'S')
    .map(([level]) => level)
    .sort();
  const { active, detail } = lsbStatus(code);
  const linkNote = startLevels.length > 0 ? `start links in ${startLevels.join(' ')}` : 'no start links';
  return {
    name,
    manager: 'sysv',
    active,
    enabled: enabledFrom(startLevels, host.bootLevel),
    detail: `${detail}; ${linkNote}${host.tool ? ` (${host.tool})` : ''}`,
    tool: host.tool,
    runlevels: startLevels,
  };
}

function parse(output: string, services: readonly string[], opts: ObserveOptions = {}): DriverFacts {
  const tagged = readTagged(output);
  const tools = linesOf(tagged, 'tool');
  const runlevel: ObservedRunlevel = {
    current: currentLevel(linesOf(tagged, 'runlevel'), linesOf(tagged, 'whor')),
    default: defaultLevel(linesOf(tagged, 'inittab')),
  };
  const host: HostFacts = {
    links: linksByService(linesOf(tagged, 'links')),
    bootLevel: runlevel.current ?? runlevel.default,
    tool: ['update-rc.d', 'chkconfig'].find((t) => tools.includes(t)),
  };
  const status = new Map<string, string>();
  for (const line of linesOf(tagged, 'st')) {
    const m = /^(\S+) (\S+)$/.exec(line);
    if (m && !status.has(m[1] as string)) status.set(m[1] as string, m[2] as string);
  }
  const found = checkedNames(services).map((name) => serviceFrom(name, status.get(name), host));
  if (!opts.discover) return { services: found, runlevel };
  // Only scripts the host found; a requested name that is missing stays a requested answer.
  const more = [...status]
    .filter(([, code]) => code !== 'missing')
    .map(([name, code]) => serviceFrom(name, code, host));
  return { services: withDiscovered(found, more), runlevel };
}

function bootLinkCommands(change: ChangeRequest, svc: string): string[][] {
  const chkconfig = change.observed?.tool === 'chkconfig';
  if (change.kind === 'enable') {
    return chkconfig
      ? [
          ['chkconfig', '--add', svc],
          ['chkconfig', svc, 'on'],
        ]
      : [
          ['update-rc.d', svc, 'defaults'],
          ['update-rc.d', svc, 'enable'],
        ];
  }
  return chkconfig ? [['chkconfig', svc, 'off']] : [['update-rc.d', svc, 'disable']];
}

function unsupported(change: ChangeRequest): string | undefined {
  const systemdOnly = systemdOnlyProblem(change, 'SysV init');
  if (systemdOnly) return systemdOnly;
  if (
    (change.kind === 'set-runlevel' || change.kind === 'set-default-runlevel') &&
    !numericLevel(change.target)
  ) {
    return `a SysV init host takes a runlevel 1-5, not ${JSON.stringify(change.target)}`;
  }
  return undefined;
}

function commands(change: ChangeRequest): string[][] {
  if (unsupported(change)) return [];
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart':
      return [[`/etc/init.d/${checkedName(change.service, change.kind)}`, change.kind]];
    case 'enable':
    case 'disable':
      return bootLinkCommands(change, checkedName(change.service, change.kind));
    case 'mask':
    case 'unmask':
    case 'daemon-reload':
      return [];
    case 'set-runlevel':
      return [['telinit', change.target as string]];
    case 'set-default-runlevel':
      // No tool owns initdefault; rewrite the one line in place (the level is a checked digit).
      return [
        [
          'sed',
          '-i',
          '-e',
          `s/^\\([^#:]*\\):[0-6Ss]*:initdefault:/\\1:${change.target}:initdefault:/`,
          '/etc/inittab',
        ],
      ];
  }
}

export const sysvDriver: Driver = {
  kind: 'sysv',
  // Probed last: most inits keep /etc/init.d. Upstart hosts run the scripts that are not jobs.
  detection: {
    role: 'init',
    probes: [
      {
        test: '[ -d /etc/init.d ] && command -v runlevel >/dev/null 2>&1',
        evidence: '/etc/init.d and runlevel present',
      },
    ],
    alsoUnder: ['upstart'],
  },
  capabilities: { bootDefault: true, masking: false },
  observeScript,
  parse,
  commands,
  unsupported,
  observedRunlevel: (target) => target,
  // LSB scripts keep no record runstate can ask: the conventional pidfile, where there is one.
  resourceSource: (service) => {
    const name = checkedName(service, 'resources');
    return `for rs_f in ${shellWord(`/run/${name}.pid`)} ${shellWord(`/var/run/${name}.pid`)}; do if [ -r "$rs_f" ]; then echo "pid $(head -n 1 "$rs_f")"; break; fi; done`;
  },
};
