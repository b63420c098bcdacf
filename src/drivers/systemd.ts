import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
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
  TIMEOUT,
  withDiscovered,
} from './fragment.js';

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

const PROPS =
  '-p Id,Names,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath --no-pager';

/*
 * Second looks, in the same round trip, where `show` alone is not the truth:
 * - `@` instances: systemd before v238 reported the template's UnitFileState for an instance
 *   (systemd PR #8038), so `is-enabled` confirms each requested instance;
 * - `alias`: the state of the unit the alias file points to (its FragmentPath resolved);
 * - `indirect` units with only `Also=` in [Install]: `enable` enables those units and leaves this
 *   one `indirect`, so whether it is enabled is whether they are — their states are shown too.
 * Each prints `tag|<unit> <words>` lines; units found on the host reach systemctl as arguments
 * after `--`, split with globbing off, never as shell text.
 */
const SECOND_LOOK = [
  'rs_show=$rs_o rs_more=',
  'for rs_u in "$@"; do case $rs_u in *@*)',
  `  printf 'isen|%s %s\\n' "$rs_u" "$(${TIMEOUT} systemctl is-enabled -- "$rs_u" 2>/dev/null | head -n 1)" ;;`,
  'esac; done',
  'set -f',
  // state|Id|FragmentPath of each alias or indirect block (the extra blank line ends the last one).
  `for rs_b in $(printf '%s\\n\\n' "$rs_show" | awk -F= '/^$/ { if (s == "alias" || s == "indirect") print s "|" i "|" f; s = i = f = "" } $1 == "Id" { i = $2 } $1 == "UnitFileState" { s = $2 } $1 == "FragmentPath" { f = substr($0, 14) }'); do`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
  '  rs_u=${rs_b#*|}; rs_f=${rs_u#*|}; rs_u=${rs_u%%|*}',
  '  case $rs_b in',
  `  alias*) rs_a=$(readlink -f -- "$rs_f" 2>/dev/null); rs_a=\${rs_a##*/}; printf 'aliasof|%s %s\\n' "$rs_u" "$rs_a" ;;`,
  `  *) rs_a=$(${TIMEOUT} systemctl cat -- "$rs_u" 2>/dev/null | awk '/^\\[/ { s = /^\\[Install\\]/; next } s && /^Also *=/ { sub(/^[^=]*=/, ""); a = a " " $0 } END { print a }'); printf 'also|%s%s\\n' "$rs_u" "$rs_a" ;;`,
  '  esac',
  '  rs_more="$rs_more $rs_a"',
  'done',
  'if [ -n "$rs_more" ]; then',
  capture('more', `${TIMEOUT} systemctl show ${PROPS} -- $rs_more`),
  'fi',
  'set +f',
].join('\n');

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
      SECOND_LOOK,
      ...(opts.discover ? ['fi'] : []),
    );
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

type Props = Record<string, string>;

/** `systemctl show` prints one `Key=value` block per unit, blocks separated by an empty line. */
export function parseShowBlocks(lines: readonly string[]): Props[] {
  const blocks: Props[] = [];
  let current: Props | undefined;
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (line.trim() === '' || eq <= 0) {
      current = undefined;
      continue;
    }
    if (!current) {
      current = {};
      blocks.push(current);
    }
    current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return blocks;
}

function blockFor(blocks: readonly Props[], unit: string): Props | undefined {
  return blocks.find((b) => b.Id === unit || (b.Names ?? '').split(' ').includes(unit));
}

const ACTIVE: Record<string, ActiveState> = {
  active: 'active',
  reloading: 'active',
  refreshing: 'active',
  inactive: 'inactive',
  failed: 'failed',
  activating: 'activating',
  deactivating: 'deactivating',
};

/**
 * UnitFileState → "starts at boot". Only links in /etc (or /usr, for `static`) survive a reboot:
 * - `enabled-runtime`, `linked-runtime`: links in /run, gone at reboot — not enabled at boot, and
 *   `enable` adds the /etc links (then systemd reports `enabled`);
 * - `indirect`: an [Install] section that reaches other units (`Also=`), or a name linked under
 *   another one: it can be enabled and is not — unless every `Also=` unit is (see SECOND_LOOK);
 * - `static`, `generated`, `transient`: nothing to flip, another unit or a generator pulls it in;
 * - `alias`: resolved through the unit the alias points to; unresolved it stays unknown.
 */
const ENABLED: Record<string, EnabledState> = {
  enabled: 'enabled',
  'enabled-runtime': 'disabled',
  disabled: 'disabled',
  linked: 'disabled',
  'linked-runtime': 'disabled',
  indirect: 'disabled',
  static: 'static',
  generated: 'static',
  transient: 'static',
  masked: 'masked',
  'masked-runtime': 'masked',
};

/** What the second looks found, by unit id. */
export interface SecondLook {
  /** `systemctl is-enabled` of each requested `@` instance. */
  isEnabled: Map<string, string>;
  /** alias → the unit its file points to. */
  aliasOf: Map<string, string>;
  /** indirect unit → its `Also=` units. */
  also: Map<string, string[]>;
  /** show blocks of those targets and `Also=` units. */
  more: Props[];
}

const NO_SECOND_LOOK: SecondLook = { isEnabled: new Map(), aliasOf: new Map(), also: new Map(), more: [] };

/** `tag|<unit> <words…>` lines → unit → words. */
function wordsByUnit(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of lines) {
    const [unit, ...words] = line.trim().split(/\s+/);
    if (unit && !out.has(unit)) out.set(unit, words);
  }
  return out;
}

export function readSecondLook(tagged: ReturnType<typeof readTagged>): SecondLook {
  const first = (m: Map<string, string[]>) =>
    new Map([...m].filter(([, w]) => w[0] !== undefined).map(([u, w]) => [u, w[0] as string]));
  return {
    isEnabled: first(wordsByUnit(linesOf(tagged, 'isen'))),
    aliasOf: first(wordsByUnit(linesOf(tagged, 'aliasof'))),
    also: wordsByUnit(linesOf(tagged, 'also')),
    more: parseShowBlocks(linesOf(tagged, 'more')),
  };
}

/** The UnitFileState that decides, and what the second look added to it (for the detail). */
function unitFileState(b: Props, look: SecondLook): { file: string; enabled?: EnabledState; note?: string } {
  const id = b.Id ?? '';
  const shown = b.UnitFileState ?? '';
  const confirmed = look.isEnabled.get(id);
  const file = confirmed && confirmed !== shown ? confirmed : shown;
  const note = file !== shown ? `is-enabled says ${file}` : undefined;
  if (file === 'alias') {
    const target = look.aliasOf.get(id);
    const state = target ? blockFor(look.more, target)?.UnitFileState : undefined;
    if (!target || !state || state === 'alias')
      return { file, enabled: 'unknown', note: 'alias, target not read' };
    return { file: state, note: `alias of ${target}` };
  }
  if (file === 'indirect') {
    const also = look.also.get(id) ?? [];
    const states = also.map((u) => blockFor(look.more, u)?.UnitFileState ?? '');
    if (also.length > 0 && states.every((st) => st === 'enabled'))
      return { file, enabled: 'enabled', note: `enabled through Also= ${also.join(' ')}` };
    if (also.length > 0) return { file, note: `Also= ${also.join(' ')}` };
  }
  return note ? { file, note } : { file };
}

/** Words the plan passes on as a warning: what is true now but not after the next reboot. */
const AT_REBOOT: Record<string, string> = {
  'linked-runtime': 'its unit file is linked only in /run: systemd forgets the unit at reboot',
  'masked-runtime': 'it is masked only in /run: the mask is gone at reboot',
};

export function serviceFromShow(name: string, b: Props, look: SecondLook = NO_SECOND_LOOK): ObservedService {
  const load = b.LoadState ?? '';
  const { file, enabled: decided, note } = unitFileState(b, look);
  const shown = b.UnitFileState ?? '';
  const words = [shown, note].filter(Boolean).join('; ');
  const detail = `${load || '?'} ${b.ActiveState || '?'}/${b.SubState || '?'}${words ? `, ${words}` : ''}`;
  const unit = b.Id || undefined;
  if (load === 'not-found') {
    return { name, manager: 'systemd', active: 'not-found', enabled: 'not-found', detail, unit };
  }
  const active = ACTIVE[b.ActiveState ?? ''] ?? 'unknown';
  const enabled: EnabledState = load === 'masked' ? 'masked' : (decided ?? ENABLED[file] ?? 'unknown');
  const warning = AT_REBOOT[file];
  return {
    name,
    manager: 'systemd',
    active,
    enabled,
    detail,
    unit,
    ...(b.NeedDaemonReload === 'yes' ? { reloadNeeded: true } : {}),
    ...(warning ? { warning } : {}),
  };
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
  return {
    services: opts.discover ? withDiscovered(found, discovered([...show, ...each], look)) : found,
    runlevel: {
      current: RUNLEVEL_TARGETS.find((t) => active.has(t)),
      default: defaultTarget || undefined,
    },
  };
}

function commands(change: ChangeRequest): string[][] {
  if (runlevelProblem(change)) return [];
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart':
    case 'enable':
    case 'disable':
    case 'mask': {
      const unit = change.observed?.unit ?? systemdUnit(checkedName(change.service, change.kind));
      return [['systemctl', change.kind, '--', unit]];
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
      return [['systemctl', 'isolate', level ? `runlevel${level}.target` : targetName(target)]];
    }
    case 'set-default-runlevel':
      // The canonical name, not the runlevelN.target alias: get-default reports the canonical one.
      return [['systemctl', 'set-default', targetName(checkedTarget(change.target))]];
  }
}

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
  capabilities: { bootDefault: true, masking: true },
  hints: {
    staticUnit: (service) => `drop enabled: false, or set masked: true to keep ${service} from being started`,
  },
  describeRunlevel: (value) => (/^[1-5]$/.test(value) ? `runlevel ${value} (${targetName(value)})` : value),
  observeScript,
  parse,
  commands,
  unsupported: runlevelProblem,
  observedRunlevel: targetName,
};
