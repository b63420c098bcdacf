import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
import type { ChangeRequest, Driver, DriverFacts } from './driver.js';
import {
  capture,
  checkedName,
  checkedNames,
  checkedTarget,
  linesOf,
  type ObserveOptions,
  readTagged,
  runlevelProblem,
  setNames,
  shellWord,
  stripAnsi,
  systemdOnlyProblem,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';

/*
 * OpenRC. Status is the exit code of `rc-service <svc> status` (openrc-run's status codes) with the
 * "status: <word>" text as a fallback; "starts at boot" is membership of a boot runlevel in
 * `rc-update show`. SysV levels 2-5 map to the OpenRC runlevel `default`. Level 1 is refused: its
 * OpenRC name differs by distribution (`single` on Gentoo/Alpine, `recovery` on Debian, whose
 * shutdown runlevel is `off`), so a playbook names it.
 */

function observeScript(services: readonly string[], opts: ObserveOptions = {}): string {
  return [
    // Discovery: every service with OpenRC's own record of its state (`[  started  ]`), read from
    // its state directory in one call: no init script runs, so none can hang or misread `status`.
    ...(opts.discover ? [capture('all', `${TIMEOUT} rc-status --servicelist`)] : []),
    setNames(checkedNames(services)),
    capture('runlevel', `${TIMEOUT} rc-status --runlevel`),
    capture('update', `${TIMEOUT} rc-update show`),
    'for rs_n in "$@"; do',
    '  if rc-service -e "$rs_n" >/dev/null 2>&1 </dev/null; then',
    `    rs_o=$(${TIMEOUT} rc-service "$rs_n" status 2>&1 </dev/null); rs_c=$?`,
    // Only the status word leaves the host: a custom status() may print anything else.
    `    rs_w=$(printf '%s\\n' "$rs_o" | sed -n 's/.*status: *\\([a-z]*\\).*/\\1/p' | head -n 1)`,
    '  else rs_c=missing; rs_w=',
    '  fi',
    `  printf 'st|%s %s %s\\n' "$rs_n" "$rs_c" "$rs_w"`,
    // "started" may be only OpenRC's record: is the process in the pidfile it saved still there?
    '  if [ "$rs_c" = 0 ]; then',
    `    rs_f=$(head -n 1 "${OPTIONS_DIR}/$rs_n/pidfile" 2>/dev/null)`,
    '    if [ -z "$rs_f" ]; then rs_l=none',
    '    elif [ ! -e "$rs_f" ]; then rs_l=dead',
    '    elif rs_p=$(tr -cd \'0-9\' < "$rs_f" 2>/dev/null) && [ -n "$rs_p" ]; then',
    '      if [ -d "/proc/$rs_p" ]; then rs_l=alive; else rs_l=dead; fi',
    '    else rs_l=unknown',
    '    fi',
    `    printf 'pid|%s %s\\n' "$rs_n" "$rs_l"`,
    '  fi',
    'done',
  ].join('\n');
}

/**
 * Where OpenRC keeps what start-stop-daemon was given per started service (`pidfile`, `command`).
 * Debian builds OpenRC against dpkg's start-stop-daemon, which records no daemons, so a service
 * whose process died still reads `status: started` (exit 0); its saved pidfile tells the truth.
 */
const OPTIONS_DIR = '/run/openrc/options';

/** openrc-run's status(): 0 started, 3 stopped, 4 stopping, 8 starting, 16 inactive, 32 crashed. */
const BY_CODE: Record<string, ActiveState> = {
  '0': 'active',
  '3': 'inactive',
  '4': 'deactivating',
  '8': 'activating',
  // "inactive" is OpenRC's started-but-waiting (a net service without a carrier).
  '16': 'activating',
  '32': 'failed',
  '64': 'failed',
};

const BY_WORD: Record<string, ActiveState> = {
  started: 'active',
  stopped: 'inactive',
  stopping: 'deactivating',
  starting: 'activating',
  inactive: 'activating',
  // rc-status: waiting for a service it needs before it can start.
  scheduled: 'activating',
  crashed: 'failed',
  failed: 'failed',
  unsupervised: 'failed',
};

/** Runlevels whose services start on every boot; a service in any of them is enabled. */
const BOOT_RUNLEVELS = ['sysinit', 'boot', 'default'];

/** Runlevels that never start a service at boot (Gentoo/Alpine and Debian spellings). */
const NOT_BOOT_RUNLEVELS = new Set(['shutdown', 'reboot', 'off', 'single', 'recovery']);

/** ` sshd | boot default` (rc-update show: `%20s |` then the runlevels it is in). */
export function runlevelsByService(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of lines) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const name = line.slice(0, bar).trim();
    if (name)
      out.set(
        name,
        line
          .slice(bar + 1)
          .trim()
          .split(/\s+/)
          .filter(Boolean),
      );
  }
  return out;
}

export function levelToRunlevel(target: string): string {
  return /^[2-5]$/.test(target) ? 'default' : target;
}

/** ` sshd        [  started  ]` (rc-status --servicelist); newer versions add an uptime after the word. */
export function parseServiceList(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^\s*(\S+)\s+\[\s*([a-z]+)/.exec(stripAnsi(line));
    if (m && !out.has(m[1] as string)) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

interface Status {
  /** Exit code of `rc-service <svc> status`, or "missing"; absent when only rc-status listed it. */
  code?: string;
  word: string;
  /** For a started service: whether the process of its saved pidfile is alive (`none`: no pidfile). */
  process?: string;
}

function serviceFrom(
  name: string,
  st: Status | undefined,
  inRunlevels: Map<string, string[]>,
  bootRunlevels: Set<string>,
): ObservedService {
  if (!st)
    return {
      name,
      manager: 'openrc',
      active: 'unknown',
      enabled: 'unknown',
      detail: 'status not reported',
    };
  if (st.code === 'missing') {
    return {
      name,
      manager: 'openrc',
      active: 'not-found',
      enabled: 'not-found',
      detail: 'no such service',
    };
  }
  const runlevels = inRunlevels.get(name) ?? [];
  const enabled: EnabledState = runlevels.some((r) => bootRunlevels.has(r)) ? 'enabled' : 'disabled';
  const where = runlevels.length > 0 ? `in runlevel ${runlevels.join(' ')}` : 'in no runlevel';
  if (st.process === 'dead') {
    return {
      name,
      manager: 'openrc',
      active: 'failed',
      enabled,
      detail: `status: ${st.word || 'started'}, but the process of its pidfile is gone (crashed); ${where}`,
      runlevels,
      crashed: true,
    };
  }
  const active = (st.code === undefined ? undefined : BY_CODE[st.code]) ?? BY_WORD[st.word] ?? 'unknown';
  return {
    name,
    manager: 'openrc',
    active,
    enabled,
    detail: `status: ${st.word || `exit ${st.code}`}; ${where}`,
    runlevels,
  };
}

function parse(output: string, services: readonly string[], opts: ObserveOptions = {}): DriverFacts {
  const tagged = readTagged(output);
  const current = stripAnsi(linesOf(tagged, 'runlevel')[0] ?? '').trim() || undefined;
  const inRunlevels = runlevelsByService(linesOf(tagged, 'update'));
  const status = new Map<string, Status>();
  for (const line of linesOf(tagged, 'st')) {
    const m = /^(\S+) (\S+) ?([a-z]*)$/.exec(line);
    if (m && !status.has(m[1] as string))
      status.set(m[1] as string, { code: m[2] as string, word: m[3] as string });
  }
  for (const line of linesOf(tagged, 'pid')) {
    const m = /^(\S+) (alive|dead|none|unknown)$/.exec(line);
    const st = m ? status.get(m[1] as string) : undefined;
    if (st && st.process === undefined) st.process = m?.[2];
  }
  const bootRunlevels = new Set([...BOOT_RUNLEVELS, ...(current ? [current] : [])]);
  const found = checkedNames(services).map((name) =>
    serviceFrom(name, status.get(name), inRunlevels, bootRunlevels),
  );
  if (!opts.discover) return { services: found, runlevel: { current } };
  const listed = [...parseServiceList(linesOf(tagged, 'all'))].map(([name, word]) =>
    serviceFrom(name, { word }, inRunlevels, bootRunlevels),
  );
  return { services: withDiscovered(found, listed), runlevel: { current } };
}

function unsupported(change: ChangeRequest): string | undefined {
  const systemdOnly = systemdOnlyProblem(change, 'OpenRC');
  if (systemdOnly) return systemdOnly;
  if (change.kind === 'set-default-runlevel') {
    return "OpenRC's boot runlevel is chosen by the init (inittab, softlevel=), not by an OpenRC command";
  }
  if (change.kind === 'set-runlevel' && change.target === '1') {
    return 'name the OpenRC runlevel instead of level 1 (single on Gentoo/Alpine, recovery on Debian)';
  }
  if (change.kind === 'set-runlevel' && change.target?.endsWith('.target')) {
    return `an OpenRC host has runlevels, not the systemd target ${JSON.stringify(change.target)}`;
  }
  if (
    change.kind === 'set-runlevel' &&
    ['shutdown', 'sysinit', 'reboot', 'off'].includes(change.target ?? '')
  ) {
    return `the OpenRC runlevel ${JSON.stringify(change.target)} halts, reboots or is a boot stage`;
  }
  return runlevelProblem(change);
}

function commands(change: ChangeRequest): string[][] {
  if (unsupported(change)) return [];
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart': {
      const name = checkedName(change.service, change.kind);
      // A crashed service is still recorded as started: `stop` fails ("none killed") and `start`
      // does nothing until `zap` resets the record; for a wanted stop, the reset is the stop.
      if (!change.observed?.crashed) return [['rc-service', name, change.kind]];
      if (change.kind === 'stop') return [['rc-service', name, 'zap']];
      return [
        ['rc-service', name, 'zap'],
        ['rc-service', name, 'start'],
      ];
    }
    case 'enable':
      return [['rc-update', 'add', checkedName(change.service, 'enable'), 'default']];
    case 'disable': {
      // Out of every runlevel that starts it (observed), so the next observe says disabled.
      const from = (change.observed?.runlevels ?? []).filter((r) => !NOT_BOOT_RUNLEVELS.has(r));
      return [
        [
          'rc-update',
          'del',
          checkedName(change.service, 'disable'),
          ...(from.length > 0 ? from : ['default']),
        ],
      ];
    }
    case 'set-runlevel':
      return [['openrc', levelToRunlevel(checkedTarget(change.target))]];
    case 'set-default-runlevel':
    case 'mask':
    case 'unmask':
    case 'daemon-reload':
      return [];
  }
}

export const openrcDriver: Driver = {
  kind: 'openrc',
  detection: {
    role: 'init',
    probes: [
      { test: '[ -d /run/openrc ]', evidence: '/run/openrc present' },
      { test: '[ "$rs_pid1" = openrc-init ]', evidence: '/proc/1/comm=openrc-init' },
      {
        test: 'command -v openrc >/dev/null 2>&1 && command -v rc-status >/dev/null 2>&1',
        evidence: 'openrc and rc-status installed',
      },
    ],
  },
  // The boot runlevel belongs to the init that runs OpenRC (inittab, softlevel=), see unsupported.
  capabilities: { bootDefault: false, masking: false },
  observeScript,
  parse,
  commands,
  unsupported,
  observedRunlevel: levelToRunlevel,
  // The pidfile OpenRC saved for the started service (as the crash check reads it).
  resourceSource: (service) =>
    `rs_f=$(head -n 1 ${shellWord(`${OPTIONS_DIR}/${checkedName(service, 'resources')}/pidfile`)} 2>/dev/null); [ -z "$rs_f" ] || echo "pid $(head -n 1 "$rs_f" 2>/dev/null)"`,
};
