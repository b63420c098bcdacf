import type { ObservedService } from '../model/observed.js';
import type { ChangeRequest, Driver, DriverFacts } from './driver.js';
import {
  capture,
  checkedName,
  checkedNames,
  checkedTarget,
  DISCOVER_SH,
  linesOf,
  numericLevel,
  type ObserveOptions,
  readTagged,
  runlevelProblem,
  setNames,
  shellWord,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';
import {
  blockFor,
  type Props,
  parseShowBlocks,
  readSecondLook,
  type SecondLook,
  serviceFromShow,
} from './systemd-show.js';
import { parseUserUnits, userSystemctl, userUnitsScript } from './systemd-user.js';

const UNIT_TYPES = new Set([
  'service',
  'socket',
  'target',
  'timer',
  'path',
  'mount',
  'automount',
  'swap',
  'slice',
  'scope',
  'device',
]);

/** `foo` means `foo.service` (so does `crm-worker@1`); a name with a unit type suffix is kept. */
export function systemdUnit(service: string): string {
  const dot = service.lastIndexOf('.');
  return dot > 0 && UNIT_TYPES.has(service.slice(dot + 1)) ? service : `${service}.service`;
}

export const PROPS =
  '-p Id,Names,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath --no-pager';

/*
 * Second looks, in the same round trip, where `show` alone is not the truth:
 * - `@` instances: systemd before v238 reported the template's UnitFileState for an instance
 *   (systemd PR #8038), so `is-enabled` confirms each requested instance;
 * - `alias`: the state of the unit the alias file points to (its FragmentPath resolved);
 * - `indirect` units with only `Also=` in [Install]: `enable` enables those units and leaves this
 *   one `indirect`, so whether it is enabled is whether they are — their states are shown too.
 * Each prints `<tag>|<unit> <words>` lines; units found on the host reach systemctl as arguments
 * after `--`, split with globbing off, never as shell text. `sc` is how systemctl is run (the
 * system manager's, or a user's through runuser) and `tag` prefixes every tag (`u0-` per user).
 */
export function secondLook(sc: string, tag = ''): string {
  return [
    'rs_show=$rs_o rs_more=',
    'for rs_u in "$@"; do case $rs_u in *@*)',
    `  printf '${tag}isen|%s %s\\n' "$rs_u" "$(${TIMEOUT} ${sc} is-enabled -- "$rs_u" 2>/dev/null | head -n 1)" ;;`,
    'esac; done',
    'set -f',
    // state|Id|FragmentPath of each alias or indirect block (the extra blank line ends the last one).
    `for rs_b in $(printf '%s\\n\\n' "$rs_show" | awk -F= '/^$/ { if (s == "alias" || s == "indirect") print s "|" i "|" f; s = i = f = "" } $1 == "Id" { i = $2 } $1 == "UnitFileState" { s = $2 } $1 == "FragmentPath" { f = substr($0, 14) }'); do`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
    '  rs_u=${rs_b#*|}; rs_f=${rs_u#*|}; rs_u=${rs_u%%|*}',
    '  case $rs_b in',
    `  alias*) rs_a=$(readlink -f -- "$rs_f" 2>/dev/null); rs_a=\${rs_a##*/}; printf '${tag}aliasof|%s %s\\n' "$rs_u" "$rs_a" ;;`,
    `  *) rs_a=$(${TIMEOUT} ${sc} cat -- "$rs_u" 2>/dev/null | awk '/^\\[/ { s = /^\\[Install\\]/; next } s && /^Also *=/ { sub(/^[^=]*=/, ""); a = a " " $0 } END { print a }'); printf '${tag}also|%s%s\\n' "$rs_u" "$rs_a" ;;`,
    '  esac',
    '  rs_more="$rs_more $rs_a"',
    'done',
    'if [ -n "$rs_more" ]; then',
    capture(`${tag}more`, `${TIMEOUT} ${sc} show ${PROPS} -- $rs_more`),
    'fi',
    'set +f',
  ].join('\n');
}

/** The targets that stand for runlevels, most "up" first: the current one is the first active. */
const RUNLEVEL_TARGETS = ['graphical.target', 'multi-user.target', 'rescue.target', 'emergency.target'];

/** What `get-default` / `list-units` call a SysV level. */
export function targetForLevel(level: string): string {
  if (level === '1') return 'rescue.target';
  if (level === '5') return 'graphical.target';
  return 'multi-user.target';
}

function targetName(target: string): string {
  const level = numericLevel(target);
  if (level) return targetForLevel(level);
  const alias = /^runlevel([1-5])(?:\.target)?$/.exec(target);
  if (alias) return targetForLevel(alias[1] as string);
  return target.includes('.') ? target : `${target}.target`;
}

/**
 * Discovery: every service unit systemd has loaded (`list-units --all`: instances such as
 * `getty@tty1` live only there) or has a file for (`list-unit-files`: installed but never loaded).
 * No `--plain`: awk takes the first word ending in `.service`, which also skips the bullet older
 * versions print before a failed unit. Templates (`foo@.service`) are not services; aliases are
 * kept here and fold into their real unit through the `Id` that `show` answers with.
 */
const DISCOVER = [
  DISCOVER_SH,
  'set -f',
  `for rs_u in $({ ${TIMEOUT} systemctl list-units --type=service --all --no-legend --no-pager; ${TIMEOUT} systemctl list-unit-files --type=service --no-legend --no-pager; } 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /[.]service$/) { print $i; break } }'); do`,
  '  case $rs_u in *@.service) ;; *.service) rs_add "$rs_u" ;; esac',
  'done',
  'set +f',
  'set -- "$@" $rs_new',
].join('\n');

function observeScript(services: readonly string[], opts: ObserveOptions = {}): string {
  const units = checkedNames(services).map(systemdUnit);
  const parts = [setNames(units)];
  if (opts.discover) parts.push(DISCOVER);
  if (units.length > 0 || opts.discover) {
    // One call for every unit. If it fails as a whole (an old systemd refusing one odd name),
    // ask per unit so the other units are still observed. `show` without units would describe
    // the manager itself, hence the test when the list is only known on the host.
    parts.push(
      ...(opts.discover ? ['if [ "$#" -gt 0 ]; then'] : []),
      capture('show', `${TIMEOUT} systemctl show ${PROPS} -- "$@"`),
      'if [ "$rs_c" -ne 0 ]; then',
      capture('each', `for rs_u in "$@"; do ${TIMEOUT} systemctl show ${PROPS} -- "$rs_u"; echo; done`),
      'fi',
      secondLook('systemctl'),
      ...(opts.discover ? ['fi'] : []),
    );
  }
  if (opts.users && Object.keys(opts.users).length > 0) {
    parts.push(userUnitsScript(opts.users, PROPS, systemdUnit, secondLook));
  }
  parts.push(
    capture('default', `${TIMEOUT} systemctl get-default`),
    capture(
      'targets',
      `${TIMEOUT} systemctl list-units --type=target --state=active --no-legend --plain --no-pager`,
    ),
  );
  return parts.join('\n');
}

/**
 * The name a discovered unit is reported under: `ssh.service` → `ssh`; the full id when the
 * short name would mean another unit (`foo.socket.service`), so the name always leads back to it.
 */
export function serviceNameOf(unitId: string): string {
  const short = unitId.slice(0, -'.service'.length);
  return systemdUnit(short) === unitId ? short : unitId;
}

/** Every real service in the show blocks: loaded or with a unit file, never a mere reference. */
function discovered(blocks: readonly Props[], look: SecondLook): ObservedService[] {
  return blocks
    .filter((b) => /[^@]\.service$/.test(b.Id ?? '') && b.LoadState !== 'not-found')
    .map((b) => serviceFromShow(serviceNameOf(b.Id as string), b, look));
}

function parse(output: string, services: readonly string[], opts: ObserveOptions = {}): DriverFacts {
  const tagged = readTagged(output);
  const names = checkedNames(services);
  const show = parseShowBlocks(linesOf(tagged, 'show'));
  const each = parseShowBlocks(linesOf(tagged, 'each'));
  const code = tagged.get('show')?.code;
  const look = readSecondLook(tagged);
  const found = names.map((name) => {
    const unit = systemdUnit(name);
    // Matched by Id/Names, not position: an alias answers with its real Id but lists the alias.
    const block = blockFor(show, unit) ?? blockFor(each, unit);
    if (block) return serviceFromShow(name, block, look);
    const why =
      code === undefined ? 'systemctl show did not run' : `systemctl show gave nothing (exit ${code})`;
    return { name, manager: 'systemd', active: 'unknown', enabled: 'unknown', detail: why, unit } as const;
  });
  const defaultTarget = linesOf(tagged, 'default')[0]?.trim();
  const active = new Set(linesOf(tagged, 'targets').map((l) => l.trim().split(/\s+/)[0]));
  const users = opts.users ? parseUserUnits(tagged, opts.users, systemdUnit) : [];
  return {
    services: [
      ...(opts.discover ? withDiscovered(found, discovered([...show, ...each], look)) : found),
      ...users,
    ],
    runlevel: {
      current: RUNLEVEL_TARGETS.find((t) => active.has(t)),
      default: defaultTarget || undefined,
    },
  };
}

/**
 * Units whose activation stops, reboots or suspends the machine. A name is only a name on the host
 * (ctrl-alt-del.target is a link to reboot.target; anyone can add an alias), so before isolating
 * or making a target the default, the host is asked for its real Id and what it pulls in.
 */
const SHUTDOWN_UNITS = [
  'poweroff.target',
  'halt.target',
  'reboot.target',
  'soft-reboot.target',
  'kexec.target',
  'ctrl-alt-del.target',
  'exit.target',
  'shutdown.target',
  'final.target',
  'umount.target',
  'sleep.target',
  'suspend.target',
  'hibernate.target',
  'hybrid-sleep.target',
  'suspend-then-hibernate.target',
  'runlevel0.target',
  'runlevel6.target',
  'systemd-poweroff.service',
  'systemd-halt.service',
  'systemd-reboot.service',
  'systemd-soft-reboot.service',
  'systemd-kexec.service',
  'systemd-exit.service',
  'systemd-suspend.service',
  'systemd-hibernate.service',
  'systemd-hybrid-sleep.service',
  'systemd-suspend-then-hibernate.service',
];

/**
 * Runs as its own command before `isolate`/`set-default` (target as $1): fails, and so fails the
 * step before anything changed, when the target is not loaded or its Id or a unit it requires or
 * wants is in the shutdown family. The text is a constant; the target is an argument.
 */
export const TARGET_GUARD_SH = [
  'set -f',
  `rs_bad=' ${SHUTDOWN_UNITS.join(' ')} '`,
  'rs_p=$(systemctl show -p Id,LoadState,Requires,Requisite,BindsTo,Wants,Upholds,OnSuccess -- "$1") || { echo "runstate: cannot resolve $1 on this host" >&2; exit 1; }',
  'case $rs_p in *LoadState=loaded*) ;; *) echo "runstate: $1 is not a loaded unit on this host" >&2; exit 1 ;; esac',
  `for rs_w in $(printf '%s\\n' "$rs_p" | sed -n 's/^[A-Za-z]*=//p'); do`,
  '  case $rs_bad in *" $rs_w "*) echo "runstate: refusing $1: it is or pulls in $rs_w, which stops, reboots or suspends the host" >&2; exit 1 ;; esac',
  'done',
].join('\n');

function targetGuard(unit: string): string[] {
  return ['sh', '-c', TARGET_GUARD_SH, 'sh', unit];
}

/** What only systemd refuses: OpenRC names, the shutdown family by name, units that are no services. */
function unsupported(change: ChangeRequest): string | undefined {
  const problem = runlevelProblem(change);
  if (problem) return problem;
  if (change.user && (change.kind === 'set-runlevel' || change.kind === 'set-default-runlevel')) {
    return `runlevels are the system manager's, not ${change.user.name}'s`;
  }
  if (change.kind === 'set-runlevel' || change.kind === 'set-default-runlevel') {
    const target = change.target as string;
    if (!numericLevel(target) && !target.endsWith('.target')) {
      return `a systemd host takes a runlevel 1-5 or a .target, not the OpenRC runlevel ${JSON.stringify(target)}`;
    }
    if (SHUTDOWN_UNITS.includes(targetName(target))) return `${targetName(target)} stops or reboots the host`;
    return undefined;
  }
  const unit = change.observed?.unit ?? (change.service ? systemdUnit(change.service) : undefined);
  const type = unit?.slice(unit.lastIndexOf('.') + 1);
  if (type && !SERVICE_LIKE.has(type)) return `${unit} is a ${type} unit, not a service`;
  return undefined;
}

/** Unit types a declared service may resolve to; targets, mounts, slices… are refused. */
const SERVICE_LIKE = new Set(['service', 'socket', 'timer', 'path']);

function commands(change: ChangeRequest): string[][] {
  if (unsupported(change)) return [];
  if (change.user) {
    const sc = userSystemctl(change.user);
    return systemCommands(change).map(([tool, ...words]) => {
      if (tool !== 'systemctl') throw new Error(`${change.kind} has no user-manager form`);
      return [...sc, ...words];
    });
  }
  return systemCommands(change);
}

/*
 * `[[systemctl <kind> -- <unit>]]`, one frozen list per kind and unit, shared by every step that
 * runs it: a fleet declares the same services on many hosts, and at 10,000 hosts × 20 services the
 * 400,000 copies were 1.2 million arrays and strings kept to the end (and copied by every
 * scavenge). Frozen, so nothing can change one step's commands through another's. Bounded, for
 * `watch`.
 */
const UNIT_COMMANDS = new Map<string, string[][]>();
const UNIT_COMMANDS_MAX = 4096;

function unitCommands(kind: string, unit: string): string[][] {
  const key = `${kind} ${unit}`;
  let commands = UNIT_COMMANDS.get(key);
  if (commands === undefined) {
    if (UNIT_COMMANDS.size >= UNIT_COMMANDS_MAX) UNIT_COMMANDS.clear();
    commands = Object.freeze([Object.freeze(['systemctl', kind, '--', unit])]) as string[][];
    UNIT_COMMANDS.set(key, commands);
  }
  return commands;
}

/** The system manager's commands; a user unit's are the same words after the user's systemctl. */
function systemCommands(change: ChangeRequest): string[][] {
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart':
    case 'enable':
    case 'disable':
    case 'mask': {
      const unit = change.observed?.unit ?? systemdUnit(checkedName(change.service, change.kind));
      return unitCommands(change.kind, unit);
    }
    case 'unmask': {
      // A plain unmask leaves a mask in /run (masked-runtime) in place; both succeed when there is none.
      const unit = change.observed?.unit ?? systemdUnit(checkedName(change.service, change.kind));
      return [
        ['systemctl', 'unmask', '--', unit],
        ['systemctl', 'unmask', '--runtime', '--', unit],
      ];
    }
    case 'daemon-reload':
      return [['systemctl', 'daemon-reload']];
    case 'set-runlevel': {
      const target = checkedTarget(change.target);
      const level = numericLevel(target);
      const unit = level ? `runlevel${level}.target` : targetName(target);
      return [targetGuard(unit), ['systemctl', 'isolate', unit]];
    }
    case 'set-default-runlevel': {
      // The canonical name, not the runlevelN.target alias: get-default reports the canonical one.
      const unit = targetName(checkedTarget(change.target));
      return [targetGuard(unit), ['systemctl', 'set-default', unit]];
    }
  }
}

export { parseShowBlocks, serviceFromShow } from './systemd-show.js';

export const systemdDriver: Driver = {
  kind: 'systemd',
  // What sd_booted() checks, plus PID 1's name (a container may lack /run/systemd/system early).
  detection: {
    role: 'init',
    probes: [
      { test: '[ "$rs_pid1" = systemd ]', evidence: '/proc/1/comm=systemd' },
      { test: '[ -d /run/systemd/system ]', evidence: '/run/systemd/system present' },
    ],
  },
  capabilities: { bootDefault: true, masking: true, userUnits: true },
  hints: {
    staticUnit: (service) => `drop enabled: false, or set masked: true to keep ${service} from being started`,
  },
  describeRunlevel: (value) => (/^[1-5]$/.test(value) ? `runlevel ${value} (${targetName(value)})` : value),
  observeScript,
  parse,
  commands,
  unsupported,
  observedRunlevel: targetName,
  // The unit's cgroup (empty while it is stopped): all of its processes, as systemd counts them.
  resourceSource: (service) =>
    `rs_g=$(${TIMEOUT} systemctl show -p ControlGroup --value -- ${shellWord(systemdUnit(checkedName(service, 'resources')))} 2>/dev/null); [ -z "$rs_g" ] || echo "cgroup $rs_g"`,
};
