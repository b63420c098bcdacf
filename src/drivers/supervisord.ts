import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
import type { ChangeRequest, Driver, DriverFacts } from './driver.js';
import {
  capture,
  checkedName,
  checkedNames,
  linesOf,
  type ObserveOptions,
  readTagged,
  shellWord,
  systemdOnlyProblem,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';

/*
 * supervisord. One `supervisorctl status` lists every process ("name STATE description"; group
 * members as "group:name", numprocs as "prog:prog_00"). "Starts at boot" is the program's
 * `autostart` (default true), read from the config the running supervisord was started with (its
 * `-c` argument, else the first of the standard paths) and its [include] files. The combined
 * script's detection already asked `supervisorctl pid` (rs_p); alone, the fragment asks itself.
 *
 * A playbook name (no colons, per SPEC) means: the process of that name; else the group of that
 * name (all its processes, addressed as `group:*`); else the one process `anygroup:name`.
 * supervisorctl cannot enable or disable: `commands` returns [] and `unsupported` says why.
 */

const CONF_FUNCTIONS = `rs_sv_emit() {
  printf '#file %s\\n' "$1"
  grep -E '^[[:space:]]*(\\[|autostart[[:space:]]*[=:])' "$1"
}
rs_sv_conf() {
  [ -n "\${rs_p-}" ] || rs_p=$(${TIMEOUT} supervisorctl pid 2>/dev/null </dev/null)
  rs_m=
  case $rs_p in
    ''|*[!0-9]*) ;;
    *) rs_m=$(tr '\\000' '\\n' < "/proc/$rs_p/cmdline" 2>/dev/null | awk 'f { print; exit } $0 == "-c" { f = 1; next } /^--configuration=/ { sub(/^--configuration=/, ""); print; exit } /^-c./ { print substr($0, 3); exit }')
       case $rs_m in ''|/*) ;; *) rs_m=/proc/$rs_p/cwd/$rs_m ;; esac ;;
  esac
  if [ -z "$rs_m" ]; then
    for rs_f in /etc/supervisord.conf /etc/supervisor/supervisord.conf; do
      if [ -f "$rs_f" ]; then rs_m=$rs_f; break; fi
    done
  fi
  [ -f "$rs_m" ] || return 0
  rs_sv_emit "$rs_m"
  rs_d=\${rs_m%/*}
  for rs_g in $(awk -v here="$rs_d" '/^[[:space:]]*\\[/ { s = ($0 ~ /^[[:space:]]*\\[include\\]/) } s && /^[[:space:]]*files[[:space:]]*[=:]/ { sub(/^[^=:]*[=:]/, ""); sub(/[[:space:]];.*$/, ""); gsub(/%\\(here\\)s/, here); print }' "$rs_m"); do
    case $rs_g in /*) ;; *) rs_g=$rs_d/$rs_g ;; esac
    for rs_i in $rs_g; do [ -f "$rs_i" ] && rs_sv_emit "$rs_i"; done
  done
  return 0
}`;

function observeScript(_services: readonly string[], _opts?: ObserveOptions): string {
  // Every process is listed (discovery needs nothing more); the parser picks the requested ones,
  // so no name enters this fragment.
  return [
    CONF_FUNCTIONS,
    // stderr too: "Permission denied" on the socket is the one error worth reporting by name.
    `rs_o=$(${TIMEOUT} supervisorctl status 2>&1 </dev/null); rs_c=$?`,
    `[ -z "$rs_o" ] || printf '%s\\n' "$rs_o" | sed 's/^/status|/'`,
    'echo "status?$rs_c"',
    capture('conf', 'rs_sv_conf'),
  ].join('\n');
}

const DENIED = "permission denied on supervisord's socket";

const STATES: Record<string, ActiveState> = {
  RUNNING: 'active',
  STOPPED: 'inactive',
  EXITED: 'inactive',
  STARTING: 'activating',
  STOPPING: 'deactivating',
  // Exited too soon and is still being retried (startretries): on its way up, not given up on.
  BACKOFF: 'activating',
  FATAL: 'failed',
  UNKNOWN: 'unknown',
};

export interface ProcessStatus {
  name: string;
  state: string;
  description: string;
}

export function parseStatusLines(lines: readonly string[]): ProcessStatus[] {
  const out: ProcessStatus[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s+([A-Z]+)(?:\s+(.*?))?\s*$/.exec(line);
    if (m && (m[2] as string) in STATES) {
      out.push({ name: m[1] as string, state: m[2] as string, description: m[3] ?? '' });
    }
  }
  return out;
}

function truthy(value: string): boolean | undefined {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  return undefined;
}

/** [program:x] sections and their autostart (default true); undefined when no config was read. */
export function parseAutostart(lines: readonly string[]): Map<string, boolean> | undefined {
  if (!lines.some((l) => l.startsWith('#file '))) return undefined;
  const programs = new Map<string, boolean>();
  let program: string | undefined;
  for (const line of lines) {
    if (line.startsWith('#file ')) {
      program = undefined;
      continue;
    }
    const section = /^\s*\[([^\]]*)\]/.exec(line)?.[1]?.trim();
    if (section !== undefined) {
      program = section.startsWith('program:') ? section.slice('program:'.length).trim() : undefined;
      if (program && !programs.has(program)) programs.set(program, true);
      continue;
    }
    const value = /^\s*autostart\s*[=:]\s*(\S+)/.exec(line)?.[1];
    const flag = value === undefined ? undefined : truthy(value);
    if (program && flag !== undefined) programs.set(program, flag);
  }
  return programs;
}

/** "grp:prog" is program prog; "pool:pool_00" (numprocs) is program pool. */
function programOf(process: string, programs: Map<string, boolean>): string {
  const colon = process.indexOf(':');
  if (colon < 0) return process;
  const member = process.slice(colon + 1);
  return programs.has(member) ? member : process.slice(0, colon);
}

function combinedActive(procs: readonly ProcessStatus[]): ActiveState {
  const each = new Set(procs.map((p) => STATES[p.state] ?? 'unknown'));
  if (each.size === 1) return [...each][0] as ActiveState;
  for (const s of ['failed', 'activating', 'deactivating'] as const) if (each.has(s)) return s;
  // Some running, some stopped: neither "running" nor "stopped" is true of the group.
  return 'unknown';
}

function combinedEnabled(
  procs: readonly ProcessStatus[],
  programs: Map<string, boolean> | undefined,
): EnabledState {
  if (!programs) return 'unknown';
  const flags = new Set(procs.map((p) => programs.get(programOf(p.name, programs))));
  if (flags.size !== 1 || flags.has(undefined)) return 'unknown';
  return flags.has(true) ? 'enabled' : 'disabled';
}

/** Stable words only (no pid, uptime or date), so an unchanged host observes identically. */
function describe(procs: readonly ProcessStatus[]): string {
  if (procs.length === 1) {
    const p = procs[0] as ProcessStatus;
    return p.state === 'FATAL' || p.state === 'BACKOFF' ? `${p.state}: ${p.description}` : p.state;
  }
  const counts = new Map<string, number>();
  for (const p of procs) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state} ${n}/${procs.length}`).join(', ');
}

/**
 * The names discovery reports: a process without a group under its own name; a group (`grp:a`,
 * `grp:b`, or numprocs' `pool:pool_00`) under the group's name, which a playbook uses to mean all
 * of its processes — names with a colon are not SPEC names.
 */
export function discoveredNames(procs: readonly ProcessStatus[]): string[] {
  return [...new Set(procs.map((p) => p.name.split(':')[0] as string))];
}

function serviceFor(
  name: string,
  procs: readonly ProcessStatus[],
  programs: Map<string, boolean> | undefined,
  answered: boolean,
  silence: string,
  denied = false,
): ObservedService {
  const exact = procs.filter((p) => p.name === name);
  const group = procs.filter((p) => p.name.startsWith(`${name}:`));
  const member = procs.filter((p) => p.name.endsWith(`:${name}`));
  let chosen: ProcessStatus[];
  let unit: string;
  if (exact.length > 0) [chosen, unit] = [exact, name];
  else if (group.length > 0) [chosen, unit] = [group, `${name}:*`];
  else if (member.length === 1) [chosen, unit] = [member, (member[0] as ProcessStatus).name];
  else if (denied) {
    return {
      name,
      manager: 'supervisord',
      active: 'unknown',
      enabled: 'unknown',
      detail: DENIED,
      problem: `${DENIED}; connect as root, set become: true, or give the user the socket (chown= in [unix_http_server])`,
    };
  } else if (!answered) {
    return {
      name,
      manager: 'supervisord',
      active: 'unknown',
      enabled: 'unknown',
      detail: silence,
    };
  } else {
    const detail =
      member.length > 1 ? `ambiguous: ${member.map((p) => p.name).join(' ')}` : 'no such program';
    return { name, manager: 'supervisord', active: 'not-found', enabled: 'not-found', detail };
  }
  return {
    name,
    manager: 'supervisord',
    active: combinedActive(chosen),
    enabled: combinedEnabled(chosen, programs),
    detail: describe(chosen),
    unit,
  };
}

function parse(output: string, services: readonly string[], opts: ObserveOptions = {}): DriverFacts {
  const tagged = readTagged(output);
  const procs = parseStatusLines(linesOf(tagged, 'status'));
  const code = tagged.get('status')?.code;
  // supervisorctl exits 3 when some process is not running. No process line is no answer, even with
  // exit 0: supervisor 3 prints "unix:///var/run/supervisor.sock no such file" to stdout and exits 0.
  const answered = procs.length > 0;
  const silence = unreadable(linesOf(tagged, 'status'), code);
  // supervisorctl as a user who may not open the socket: "error: <class 'PermissionError'>, [Errno 13] Permission denied: …".
  const denied = !answered && linesOf(tagged, 'status').some((l) => /Permission denied/i.test(l));
  const programs = parseAutostart(linesOf(tagged, 'conf'));
  const found = checkedNames(services).map((name) =>
    serviceFor(name, procs, programs, answered, silence, denied),
  );
  if (!opts.discover) return { services: found };
  const more = discoveredNames(procs).map((name) =>
    serviceFor(name, procs, programs, answered, silence, denied),
  );
  return { services: withDiscovered(found, more) };
}

/** Why no process was listed, with supervisorctl's own first words when it printed any. */
function unreadable(lines: readonly string[], code: number | undefined): string {
  const said = lines.map((l) => l.trim()).find((l) => l !== '');
  const exit = code === undefined ? 'did not run' : `exit ${code}`;
  return said
    ? `could not read supervisord (${exit}): ${said.slice(0, 200)}`
    : `could not read supervisord: supervisorctl status listed no process (${exit})`;
}

function unsupported(change: ChangeRequest): string | undefined {
  switch (change.kind) {
    case 'mask':
    case 'unmask':
    case 'daemon-reload':
      return systemdOnlyProblem(change, 'supervisord');
    case 'enable':
    case 'disable':
      return "supervisorctl cannot change start at boot; set autostart= in the program's config";
    case 'set-runlevel':
    case 'set-default-runlevel':
      return 'supervisord has no runlevels';
    default:
      return undefined;
  }
}

function commands(change: ChangeRequest): string[][] {
  if (unsupported(change)) return [];
  const unit = change.observed?.unit ?? checkedName(change.service, change.kind);
  if (!/^[A-Za-z0-9][A-Za-z0-9@._+-]*(:([A-Za-z0-9@._+-]+|\*))?$/.test(unit)) {
    throw new Error(`bad supervisor name ${JSON.stringify(unit)}`);
  }
  return [['supervisorctl', change.kind, unit]];
}

export const supervisordDriver: Driver = {
  kind: 'supervisord',
  // Runs beside any init; `rs_p` (its pid) is reused by the fragment to find its config.
  detection: {
    role: 'beside',
    probes: [
      {
        test: "command -v supervisorctl >/dev/null 2>&1 && rs_p=$($rs_t supervisorctl pid 2>/dev/null </dev/null) && case $rs_p in ''|*[!0-9]*) false ;; esac",
        evidence: 'supervisorctl pid answered',
      },
      {
        // supervisord runs but this user may not use its socket: the fragment says so per service.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
        test: "command -v supervisorctl >/dev/null 2>&1 && case ${rs_p-} in ''|*[!0-9]*) $rs_t supervisorctl pid 2>&1 </dev/null | grep -q 'Permission denied' ;; *) false ;; esac",
        evidence: 'supervisorctl pid: permission denied on its socket',
      },
    ],
  },
  capabilities: { bootDefault: false, masking: false },
  observeScript,
  parse,
  commands,
  unsupported,
  resourceSource: (service) =>
    `echo "pid $(${TIMEOUT} supervisorctl pid ${shellWord(checkedName(service, 'resources'))} 2>/dev/null </dev/null)"`,
};
