import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
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
  systemdOnlyProblem,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';
import { currentLevel } from './sysv.js';

/*
 * Upstart (Ubuntu 10.04-14.04, RHEL 6). State from one `initctl list` ("job goal/state[, process
 * N]", instances as "job (inst) goal/state"); "starts at boot" from the job files: a `manual`
 * stanza in /etc/init/<job>.override (or the .conf) disables it, a job without `start on` is static.
 */

const MANUAL = "'^[[:space:]]*manual[[:space:]]*(#.*)?$'";

/**
 * Discovery: the job files too, so a job that is not loaded (or whose `initctl list` failed) is
 * still listed; jobs `initctl list` shows are listed by the parser. Jobs in subdirectories
 * (`/etc/init/foo/bar.conf`) have a `/` in their name, which SPEC's names cannot hold.
 */
const DISCOVER = [
  DISCOVER_SH,
  'for rs_f in /etc/init/*.conf; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  '  rs_n=${rs_f##*/}; [ -f "$rs_f" ] && rs_add "${rs_n%.conf}"',
  'done',
  'set -- "$@" $rs_new',
].join('\n');

function observeScript(services: readonly string[], opts: ObserveOptions = {}): string {
  return [
    setNames(checkedNames(services)),
    ...(opts.discover ? [DISCOVER] : []),
    capture('version', `${TIMEOUT} initctl version`),
    capture('list', `${TIMEOUT} initctl list`),
    capture('runlevel', 'runlevel'),
    capture('default', "grep -E '^[[:space:]]*env[[:space:]]+DEFAULT_RUNLEVEL=' /etc/init/rc-sysinit.conf"),
    'for rs_n in "$@"; do',
    '  rs_f=/etc/init/$rs_n; rs_a=0; rs_b=0; rs_m=0; rs_s=0',
    '  [ -f "$rs_f.conf" ] && rs_a=1',
    `  grep -qsE ${MANUAL} "$rs_f.override" && rs_b=1`,
    `  grep -qsE ${MANUAL} "$rs_f.conf" && rs_m=1`,
    `  grep -qsE '^[[:space:]]*start[[:space:]]+on' "$rs_f.conf" && rs_s=1`,
    `  printf 'job|%s conf=%s override-manual=%s conf-manual=%s start-on=%s\\n' "$rs_n" $rs_a $rs_b $rs_m $rs_s`,
    'done',
  ].join('\n');
}

export interface JobState {
  job: string;
  instance?: string;
  goal: 'start' | 'stop';
  state: string;
}

/** `initctl list` / `initctl status` lines; indented per-process lines are skipped. */
export function parseJobLines(lines: readonly string[]): JobState[] {
  const out: JobState[] = [];
  for (const line of lines) {
    const m = /^(\S+)(?: \(([^)]*)\))? (start|stop)\/([a-z-]+)(?:, process \d+)?\s*$/.exec(line);
    if (!m) continue;
    out.push({ job: m[1] as string, instance: m[2], goal: m[3] as 'start' | 'stop', state: m[4] as string });
  }
  return out;
}

/** goal/state → active. A start goal in a stopping state is a respawn, so still "activating". */
export function upstartActive(goal: 'start' | 'stop', state: string): ActiveState {
  if (goal === 'start') return state === 'running' ? 'active' : 'activating';
  return state === 'waiting' ? 'inactive' : 'deactivating';
}

/** An instance job is as up as its least settled instance; any running one makes it active. */
function combined(states: readonly JobState[]): ActiveState {
  const each = states.map((s) => upstartActive(s.goal, s.state));
  for (const s of ['active', 'activating', 'deactivating'] as const) if (each.includes(s)) return s;
  return 'inactive';
}

interface JobFiles {
  conf: boolean;
  overrideManual: boolean;
  confManual: boolean;
  startOn: boolean;
}

function parseJobFiles(lines: readonly string[]): Map<string, JobFiles> {
  const out = new Map<string, JobFiles>();
  for (const line of lines) {
    const m = /^(\S+) conf=([01]) override-manual=([01]) conf-manual=([01]) start-on=([01])$/.exec(line);
    if (!m || out.has(m[1] as string)) continue;
    out.set(m[1] as string, {
      conf: m[2] === '1',
      overrideManual: m[3] === '1',
      confManual: m[4] === '1',
      startOn: m[5] === '1',
    });
  }
  return out;
}

function enabledFrom(files: JobFiles): EnabledState {
  if (!files.conf) return 'unknown';
  if (files.overrideManual || files.confManual) return 'disabled';
  return files.startOn ? 'enabled' : 'static';
}

const NO_FILES: JobFiles = { conf: false, overrideManual: false, confManual: false, startOn: false };

function jobFrom(
  name: string,
  jobs: readonly JobState[],
  files: Map<string, JobFiles>,
  listed: boolean,
): ObservedService {
  const states = jobs.filter((j) => j.job === name);
  const f = files.get(name) ?? NO_FILES;
  if (states.length === 0 && !f.conf && listed) {
    return { name, manager: 'upstart', active: 'not-found', enabled: 'not-found', detail: 'no such job' };
  }
  if (states.length === 0) {
    const why = listed ? 'job file present but not loaded' : 'initctl list failed';
    return { name, manager: 'upstart', active: 'unknown', enabled: enabledFrom(f), detail: why };
  }
  const words = [...new Set(states.map((s) => `${s.goal}/${s.state}`))].join(', ');
  const instances = states.some((s) => s.instance !== undefined) ? ` (${states.length} instances)` : '';
  return {
    name,
    manager: 'upstart',
    active: combined(states),
    enabled: enabledFrom(f),
    detail: words + instances,
  };
}

function parse(output: string, services: readonly string[], opts: ObserveOptions = {}): DriverFacts {
  const tagged = readTagged(output);
  const jobs = parseJobLines(linesOf(tagged, 'list'));
  const files = parseJobFiles(linesOf(tagged, 'job'));
  const listed = tagged.get('list')?.code === 0;
  const found = checkedNames(services).map((name) => jobFrom(name, jobs, files, listed));
  const def = linesOf(tagged, 'default')
    .map((l) => /DEFAULT_RUNLEVEL=([0-6Ss])/.exec(l)?.[1])
    .find(Boolean);
  const runlevel = { current: currentLevel(linesOf(tagged, 'runlevel'), []), default: def };
  if (!opts.discover) return { services: found, runlevel };
  // Every loaded job, and every job file (a job file whose name is not valid is dropped).
  const names = new Set([
    ...jobs.map((j) => j.job),
    ...[...files].filter(([, f]) => f.conf).map(([name]) => name),
  ]);
  const more = [...names].map((name) => jobFrom(name, jobs, files, listed));
  return { services: withDiscovered(found, more), runlevel };
}

function unsupported(change: ChangeRequest): string | undefined {
  const systemdOnly = systemdOnlyProblem(change, 'Upstart');
  if (systemdOnly) return systemdOnly;
  if (
    (change.kind === 'set-runlevel' || change.kind === 'set-default-runlevel') &&
    !numericLevel(change.target)
  ) {
    return `an Upstart host takes a runlevel 1-5, not ${JSON.stringify(change.target)}`;
  }
  return undefined;
}

function commands(change: ChangeRequest): string[][] {
  if (unsupported(change)) return [];
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart':
      return [['initctl', change.kind, checkedName(change.service, change.kind)]];
    case 'enable': {
      const job = checkedName(change.service, 'enable');
      return [['sed', '-i', '/^[[:space:]]*manual[[:space:]]*$/d', `/etc/init/${job}.override`]];
    }
    case 'disable': {
      // Appending needs a redirection; the script is a constant and the path its $1 — the name
      // is an argument, never part of the shell text.
      const job = checkedName(change.service, 'disable');
      const append = 'grep -qsx manual "$1" || echo manual >> "$1"';
      return [['sh', '-c', append, 'sh', `/etc/init/${job}.override`]];
    }
    case 'mask':
    case 'unmask':
    case 'daemon-reload':
      return [];
    case 'set-runlevel':
      return [['telinit', change.target as string]];
    case 'set-default-runlevel':
      return [
        [
          'sed',
          '-i',
          '-e',
          `s/^\\([[:space:]]*env[[:space:]]\\{1,\\}DEFAULT_RUNLEVEL=\\).*/\\1${change.target}/`,
          '/etc/init/rc-sysinit.conf',
        ],
      ];
  }
}

export const upstartDriver: Driver = {
  kind: 'upstart',
  detection: {
    role: 'init',
    probes: [
      {
        test: 'command -v initctl >/dev/null 2>&1 && $rs_t initctl version 2>/dev/null | grep -q upstart',
        evidence: 'initctl version says upstart',
      },
    ],
  },
  // The boot default is rc-sysinit.conf's DEFAULT_RUNLEVEL.
  capabilities: { bootDefault: true, masking: false },
  observeScript,
  parse,
  commands,
  unsupported,
  observedRunlevel: (target) => target,
};
