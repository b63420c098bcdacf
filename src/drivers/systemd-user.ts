import { LOGIN_NAME_RE } from '../model/desired.js';
import type { ObservedService } from '../model/observed.js';
import { capture, checkedNames, linesOf, type readTagged, setNames, shellWord, TIMEOUT } from './fragment.js';
import { blockFor, parseShowBlocks, readSecondLook, serviceFromShow } from './systemd-show.js';

/*
 * systemd user units: each login's own manager (user@UID.service, `systemd --user`), asked in the
 * host's one observe round trip and changed with the same words.
 *
 * How to reach it, as found on Debian 12's systemd 252 (the bed): `systemctl --user` run AS the
 * user (runuser, from util-linux, on every Debian/RHEL host) with XDG_RUNTIME_DIR=/run/user/UID
 * talks to the manager's private socket $XDG_RUNTIME_DIR/systemd/private, so it needs neither a
 * D-Bus user bus (dbus-user-session) nor a login session. The other ways fail there: root with
 * XDG_RUNTIME_DIR set is refused by the manager ("Failed to connect to bus: Operation not
 * permitted"), and `systemctl --user -M alice@` goes through systemd-machined (systemd-container)
 * to the user's D-Bus bus. The manager itself runs only while the user is logged in, or always
 * when lingering is on (`loginctl enable-linger`, a file in /var/lib/systemd/linger); starting it
 * takes pam_systemd (libpam-systemd), without which user@UID.service fails at once.
 */

export interface UserLogin {
  name: string;
  uid: number;
}

function checkedLogin(name: string): string {
  if (!LOGIN_NAME_RE.test(name))
    throw new Error(`invalid login name reached a driver: ${JSON.stringify(name)}`);
  return name;
}

/** argv prefix running the user's own systemctl; the uid comes from observe, so is the host's. */
export function userSystemctl(user: UserLogin): string[] {
  if (!Number.isInteger(user.uid) || user.uid < 0) throw new Error(`bad uid ${user.uid} for ${user.name}`);
  return [
    'runuser',
    '-u',
    checkedLogin(user.name),
    '--',
    'env',
    `XDG_RUNTIME_DIR=/run/user/${user.uid}`,
    'systemctl',
    '--user',
  ];
}

/** The same in the observe script, where the login and its runtime dir are sh variables. */
const USER_SC = 'runuser -u "$rs_uu" -- env XDG_RUNTIME_DIR="$rs_xdg" systemctl --user';

/** Declared user units grouped by login, logins sorted: the order of the `u<N>-` tags. */
function byLogin(users: Readonly<Record<string, string>>): [string, string[]][] {
  const out = new Map<string, string[]>();
  for (const [service, login] of Object.entries(users)) {
    checkedLogin(login);
    out.set(login, [...(out.get(login) ?? []), service]);
  }
  return [...out]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([l, s]) => [l, checkedNames(s).sort()]);
}

/**
 * Per login: `u<N>-who|<uid> <linger yes|no> <manager up yes|no>` (or `absent`), then, when its
 * manager is up, the same `show` and second looks as for system units, tagged `u<N>-`.
 * `show` may fail as a whole for one odd name (then per unit) or because the manager did not
 * answer: its stderr is kept (`u<N>-err`) for the plan to quote.
 */
export function userUnitsScript(
  users: Readonly<Record<string, string>>,
  props: string,
  unitOf: (service: string) => string,
  secondLook: (sc: string, tag: string) => string,
): string {
  return byLogin(users)
    .map(([login, services], i) => {
      const t = `u${i}-`;
      return [
        `rs_uu=${shellWord(login)}; rs_uid=$(id -u -- "$rs_uu" 2>/dev/null)`,
        'case $rs_uid in',
        `'' | *[!0-9]*) printf '%s\\n' '${t}who|absent' ;;`,
        '*)',
        'rs_xdg=/run/user/$rs_uid',
        'rs_lg=no; [ -e "/var/lib/systemd/linger/$rs_uu" ] && rs_lg=yes',
        'rs_up=no; [ -S "$rs_xdg/systemd/private" ] && rs_up=yes',
        `printf '${t}who|%s %s %s\\n' "$rs_uid" "$rs_lg" "$rs_up"`,
        'if [ "$rs_up" = yes ]; then',
        setNames(services.map(unitOf)),
        capture(`${t}show`, `${TIMEOUT} ${USER_SC} show ${props} -- "$@"`),
        'rs_sc=$rs_c',
        secondLook(USER_SC, t),
        'if [ "$rs_sc" -ne 0 ]; then',
        capture(
          `${t}each`,
          `for rs_u in "$@"; do ${TIMEOUT} ${USER_SC} show ${props} -- "$rs_u"; echo; done`,
        ),
        capture(`${t}err`, `{ ${TIMEOUT} ${USER_SC} show -p Id -- "$@" 2>&1 >/dev/null; }`),
        'fi',
        'fi ;;',
        'esac',
      ].join('\n');
    })
    .join('\n');
}

type Tagged = ReturnType<typeof readTagged>;

/** One entry per declared user unit, from what `userUnitsScript` printed. */
export function parseUserUnits(
  tagged: Tagged,
  users: Readonly<Record<string, string>>,
  unitOf: (service: string) => string,
): ObservedService[] {
  return byLogin(users).flatMap(([login, services], i) => {
    const t = `u${i}-`;
    const who = linesOf(tagged, `${t}who`)[0]?.trim().split(/\s+/);
    const blocks = [
      ...parseShowBlocks(linesOf(tagged, `${t}show`)),
      ...parseShowBlocks(linesOf(tagged, `${t}each`)),
    ];
    const look = readSecondLook(tagged, t);
    const err = linesOf(tagged, `${t}err`).join(' ').trim();
    return services.map((name): ObservedService => {
      const unit = unitOf(name);
      const base = {
        name,
        manager: 'systemd',
        active: 'unknown',
        enabled: 'unknown',
        unit,
        user: login,
      } as const;
      if (!who) return { ...base, problem: `the observe script did not reach ${login}'s user units` };
      if (who[0] === 'absent') {
        return {
          ...base,
          problem: `there is no login ${login} on this host`,
          problemHint: `create it (useradd ${login}), or fix user: for ${name}`,
        };
      }
      const uid = Number(who[0]);
      const lingering = who[1] === 'yes';
      if (who[2] !== 'yes') return { ...base, uid, ...managerDown(login, uid, lingering) };
      const block = blockFor(blocks, unit);
      if (!block) {
        const code = tagged.get(`${t}show`)?.code;
        const why = err || (code === undefined ? 'systemctl --user show did not run' : `exit ${code}`);
        return { ...base, uid, problem: `could not ask ${login}'s systemd --user about ${unit}: ${why}` };
      }
      const seen = serviceFromShow(name, block, look);
      const warnings = [seen.warning, lingering ? undefined : notLingering(login)].filter(Boolean);
      return {
        ...seen,
        detail: `${login}'s ${seen.detail ?? ''}`.trim(),
        user: login,
        uid,
        ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}),
      };
    });
  });
}

function notLingering(login: string): string {
  return `lingering is off for ${login}: ${login}'s manager and its units stop at ${login}'s last logout and do not start at boot (loginctl enable-linger ${login})`;
}

function managerDown(
  login: string,
  uid: number,
  lingering: boolean,
): Pick<ObservedService, 'problem' | 'problemHint'> {
  if (!lingering) {
    return {
      problem: `${login}'s systemd user manager (user@${uid}.service) is not running: ${login} is not logged in and lingering is off`,
      problemHint: `run loginctl enable-linger ${login}: it starts the manager now and at every boot`,
    };
  }
  return {
    problem: `${login}'s systemd user manager (user@${uid}.service) is not running although lingering is on`,
    problemHint: `see journalctl -u user@${uid}.service (it needs pam_systemd: libpam-systemd), then systemctl start user@${uid}.service`,
  };
}
