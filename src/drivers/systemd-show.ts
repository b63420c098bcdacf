import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
import { linesOf, type readTagged } from './fragment.js';

/*
 * Reading `systemctl show` blocks (and the systemd fragment's second looks) into observed
 * services: what each ActiveState and UnitFileState means for "runs now" and "starts at boot".
 */

export type Props = Record<string, string>;

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

export function blockFor(blocks: readonly Props[], unit: string): Props | undefined {
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

/** What `secondLook(sc, tag)` printed, read back under the same tag prefix. */
export function readSecondLook(tagged: ReturnType<typeof readTagged>, tag = ''): SecondLook {
  const first = (m: Map<string, string[]>) =>
    new Map([...m].filter(([, w]) => w[0] !== undefined).map(([u, w]) => [u, w[0] as string]));
  return {
    isEnabled: first(wordsByUnit(linesOf(tagged, `${tag}isen`))),
    aliasOf: first(wordsByUnit(linesOf(tagged, `${tag}aliasof`))),
    also: wordsByUnit(linesOf(tagged, `${tag}also`)),
    more: parseShowBlocks(linesOf(tagged, `${tag}more`)),
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
