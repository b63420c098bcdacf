import { DRIVER_KNOWLEDGE } from '../drivers/index.js';
import type { DesiredHost, DesiredService, ManagerKind } from '../model/desired.js';
import type { ObservedService, ReachableHost } from '../model/observed.js';
import type { StepChange } from '../model/plan.js';
import { diffRunlevel } from './runlevel.js';
import {
  type Change,
  compareText,
  type DiffHooks,
  type ManagerKnowledge,
  type ObservedAddress,
  type PlanProblem,
} from './types.js';

export interface HostDiff {
  changes: Change[];
  problems: PlanProblem[];
}

/** The changes that bring one reachable host to its desired state (problems dropped). */
export function diffHost(desired: DesiredHost, observed: ReachableHost, hooks: DiffHooks = {}): Change[] {
  return diffHostDetailed(desired, observed, hooks).changes;
}

/** The drivers' knowledge, with a test's or caller's runlevel comparison in front. */
function knowledgeOf(hooks: DiffHooks): ManagerKnowledge {
  const base = hooks.knowledge ?? DRIVER_KNOWLEDGE;
  const observedRunlevel = hooks.observedRunlevelFor;
  return observedRunlevel ? { ...base, observedRunlevel } : base;
}

/** Changes plus what cannot become a change (masked, missing, static units). */
export function diffHostDetailed(
  desired: DesiredHost,
  observed: ReachableHost,
  hooks: DiffHooks = {},
): HostDiff {
  const host = desired.host;
  const knowledge = knowledgeOf(hooks);
  const out: HostDiff = { changes: [], problems: [] };
  if (desired.runlevel) {
    const rl = diffRunlevel(host, desired.runlevel, observed, knowledge);
    out.changes.push(...rl.changes);
    out.problems.push(...rl.problems);
  }
  const names = Object.keys(desired.services).sort(compareText);
  for (const name of names) {
    const want = desired.services[name];
    if (!want) continue;
    const missing = missingManager(host, want, observed) ?? userUnitsProblem(host, want, observed, knowledge);
    const found = missing
      ? { changes: [], problems: [missing] }
      : diffService(host, want, observed.services[want.name], knowledge);
    out.changes.push(...found.changes);
    out.problems.push(...found.problems);
  }
  out.changes.push(...reloads(host, desired, observed));
  return out;
}

/**
 * A manager declared for a service that the host does not run would send its commands to a host
 * without them (`systemctl: not found`): that is a problem of this host's plan, said up front.
 */
function missingManager(
  host: string,
  want: DesiredService,
  observed: ReachableHost,
): PlanProblem | undefined {
  if (want.manager === 'auto' || observed.managers.includes(want.manager)) return undefined;
  const has = observed.managers.length > 0 ? observed.managers.join(', ') : 'none found';
  return {
    host,
    service: want.name,
    message: `${host} has no ${want.manager} (init: ${observed.init})`,
    hint: `its managers: ${has}; declare manager: auto (or one of them) for ${want.name} there`,
    prevents: want.state === 'running' ? 'up' : 'down',
  };
}

/**
 * A user unit needs an init with per-user managers (systemd), and an observation of that user's
 * manager: a snapshot taken for the system unit (or another user) is not one, never used instead.
 */
function userUnitsProblem(
  host: string,
  want: DesiredService,
  observed: ReachableHost,
  knowledge: ManagerKnowledge,
): PlanProblem | undefined {
  const prevents = want.state === 'running' ? 'up' : 'down';
  if (want.user !== undefined) {
    const init = observed.init;
    if (init === 'unknown' || !knowledge.capabilities(init).userUnits) {
      return {
        host,
        service: want.name,
        message: `${host} runs no per-user service managers (init: ${init}): ${want.name} is declared as ${want.user}'s user unit`,
        hint: `drop user: to manage the system's ${want.name} there, or declare it only for hosts whose init has user units`,
        prevents,
      };
    }
  }
  const seen = observed.services[want.name];
  if (!seen || seen.user === want.user) return undefined;
  const as = (user: string | undefined) => (user === undefined ? 'a system unit' : `${user}'s user unit`);
  return {
    host,
    service: want.name,
    message: `${want.name} on ${host} was observed as ${as(seen.user)}, but is declared as ${as(want.user)}`,
    hint: 'observe again with this playbook (plan without --observed, or take a new snapshot with it)',
    prevents,
  };
}

/**
 * One reload per manager whose loaded copy of a declared service's definition is older than the
 * file on disk (systemd NeedDaemonReload): a host-wide step, so the order puts it before the
 * host's service steps, and each of them then acts on the definition the host has on disk.
 */
function reloads(host: string, desired: DesiredHost, observed: ReachableHost): Change[] {
  // Keyed by manager and, for user units, the login: each user's manager loads its own copies.
  const stale = new Map<string, { manager: ManagerKind; user?: Change['user']; units: string[] }>();
  for (const name of Object.keys(desired.services).sort(compareText)) {
    const seen = observed.services[name];
    if (!seen?.reloadNeeded) continue;
    const user = userOf(seen);
    const key = user ? `${seen.manager} ${user.name}` : seen.manager;
    const entry = stale.get(key) ?? { manager: seen.manager, ...(user ? { user } : {}), units: [] };
    entry.units.push(seen.unit ?? name);
    stale.set(key, entry);
  }
  return [...stale.values()].map(({ manager, user, units }) => {
    const who = user ? `${user.name}'s ${manager} --user` : manager;
    return {
      host,
      kind: 'daemon-reload',
      manager,
      ...(user ? { user } : {}),
      reason: `changed on disk since ${who} loaded ${units.length === 1 ? 'it' : 'them'}: ${units.join(', ')}`,
      change: { field: 'definitions', before: 'changed on disk', after: 'reloaded' },
    };
  });
}

/** The login a user unit was observed for, with its uid: what its commands need. */
function userOf(seen: ObservedService): Change['user'] | undefined {
  return seen.user !== undefined && seen.uid !== undefined ? { name: seen.user, uid: seen.uid } : undefined;
}

function diffService(
  host: string,
  want: DesiredService,
  seen: ObservedService | undefined,
  knowledge: ManagerKnowledge,
): HostDiff {
  const name = want.name;
  const wantsUp = want.state === 'running' || want.enabled === true;
  if (!seen) {
    // Live observation reports every requested name, so only a snapshot (--observed) lacks one.
    if (!wantsUp) return { changes: [], problems: [] };
    return {
      changes: [],
      problems: [
        {
          host,
          service: name,
          message: `service ${name} is not in the snapshot of ${host}`,
          hint: 'take the snapshot with this playbook (runstate facts -i INVENTORY PLAYBOOK --format json), or plan without --observed',
          prevents: 'up',
        },
      ],
    };
  }
  if (seen.problem) {
    return {
      changes: [],
      problems: [
        {
          host,
          service: name,
          message: `cannot observe ${name} on ${host}: ${seen.problem}`,
          ...(seen.problemHint ? { hint: seen.problemHint } : {}),
          prevents: want.state === 'running' ? 'up' : 'down',
        },
      ],
    };
  }
  if (seen.active === 'not-found') {
    if (!wantsUp) return { changes: [], problems: [] };
    const manager = want.manager !== 'auto' ? want.manager : seen.manager;
    return {
      changes: [],
      problems: [
        {
          host,
          service: name,
          ...(seen.user === undefined
            ? {
                message: `service ${name} not found on ${host} (${manager})`,
                hint: 'install it or fix the name',
              }
            : {
                message: `${seen.user}'s user unit ${name} not found on ${host} (${manager} --user)`,
                hint: `install it for ${seen.user} (e.g. in ~${seen.user}/.config/systemd/user/), or fix the name or user:`,
              }),
          prevents: 'up',
        },
      ],
    };
  }
  const manager = want.manager !== 'auto' ? want.manager : seen.manager;
  const address = addressOf(seen);
  const watched = want.restart?.onChange ?? [];
  const user = userOf(seen);
  const base: ChangeBase = { host, service: name, manager };
  if (user) base.user = user;
  if (address) base.observed = address;
  if (watched.length > 0) base.watchPaths = watched;
  const changes: Change[] = [];
  const problems: PlanProblem[] = [];
  if (seen.warning && (wantsUp || want.masked)) {
    problems.push({ host, service: name, message: `${name} on ${host}: ${seen.warning}`, warning: true });
  }

  // A masked service that has to start (or start at boot) is unmasked first, in the same plan.
  const needsUp = (want.state === 'running' && seen.active !== 'active') || want.enabled === true;
  let enabled = seen.enabled;
  if (seen.enabled === 'masked' && wantsUp && !want.masked) {
    if (!needsUp) {
      problems.push({
        host,
        service: name,
        message: `${name} is masked on ${host}: it runs now but nothing can start it again`,
        warning: true,
        hint: 'set enabled: true to unmask and enable it, or masked: true to keep the mask',
      });
    } else if (knowledge.capabilities(manager).masking) {
      changes.push(
        made(base, {
          kind: 'unmask',
          ...observedChange('enabled', 'masked', 'unmasked', want.state),
        }),
      );
      // What the unit's links say once the mask is gone is unknown: enable or disable as declared.
      enabled = want.enabled === undefined ? 'unknown' : want.enabled ? 'disabled' : 'enabled';
    } else {
      return {
        changes: [],
        problems: [
          {
            host,
            service: name,
            message: `${name} is masked on ${host}`,
            hint:
              knowledge.hints(manager).masked?.(name) ?? `${manager} cannot unmask it: lift the mask by hand`,
            prevents: 'up',
          },
        ],
      };
    }
  }

  if (want.state === 'running' && seen.active !== 'active') {
    changes.push(
      made(base, {
        kind: 'start',
        ...observedChange('state', seen.active, 'running', 'running'),
        health: want.health,
      }),
    );
  } else if (want.state === 'stopped' && (seen.active === 'active' || seen.active === 'activating')) {
    changes.push(
      made(base, {
        kind: 'stop',
        ...observedChange('state', seen.active, 'stopped', 'stopped'),
      }),
    );
  } else if (want.state === 'stopped' && seen.crashed) {
    // Its manager still records it as started: until that record is reset it cannot start again.
    const reason = 'observed crashed (its manager still records it as started), want stopped';
    changes.push(
      made(base, {
        kind: 'stop',
        reason,
        change: { field: 'state', before: 'crashed', after: 'stopped' },
      }),
    );
  } else if (want.state === 'running' && watched.length > 0 && seen.watch) {
    const reason = restartReason(seen.watch);
    const before = seen.watch.recorded === null ? 'not recorded' : 'changed';
    const change = { field: 'watched_files' as const, before, after: 'restarted with them' };
    if (reason) changes.push(made(base, { kind: 'restart', reason, change }));
  }

  if (want.masked) {
    // Masked supersedes disabled: the loader refuses enabled: true with it.
    if (seen.enabled !== 'masked') {
      changes.push(
        made(base, {
          kind: 'mask',
          ...observedChange('enabled', seen.enabled, 'masked', 'masked'),
        }),
      );
    }
    return { changes, problems };
  }
  if (want.enabled === true && enabled === 'disabled') {
    changes.push(
      made(base, {
        kind: 'enable',
        ...observedChange('enabled', seen.enabled, 'enabled', 'enabled'),
      }),
    );
  } else if (want.enabled === false && enabled === 'enabled') {
    changes.push(
      made(base, {
        kind: 'disable',
        ...observedChange('enabled', seen.enabled, 'disabled', 'disabled'),
      }),
    );
  } else if (want.enabled === false && enabled === 'static') {
    // A static unit has no [Install] section: only another unit pulls it in, nothing to disable.
    problems.push({
      host,
      service: name,
      message: `${name} is static on ${host}: it cannot be disabled`,
      hint: knowledge.hints(manager).staticUnit?.(name) ?? 'drop enabled: false',
    });
  }
  return { changes, problems };
}

/*
 * "observed X, want Y" and its field change, one frozen pair per distinct wording, shared by every
 * step that makes it: a fleet has few (inactive → running, disabled → enabled…), and at 10,000
 * hosts × 20 services each step's own copies were 800,000 strings and objects kept to the end,
 * each copied by the scavenges on the way. Bounded, for `watch`.
 */
type ObservedChange = Readonly<{ reason: string; change: StepChange }>;
const OBSERVED_CHANGES = new Map<string, ObservedChange>();
const OBSERVED_CHANGES_MAX = 1024;

function observedChange(
  field: 'state' | 'enabled',
  before: string,
  after: string,
  want: string,
): ObservedChange {
  const key = `${field} ${before} ${after} ${want}`;
  let pair = OBSERVED_CHANGES.get(key);
  if (pair === undefined) {
    if (OBSERVED_CHANGES.size >= OBSERVED_CHANGES_MAX) OBSERVED_CHANGES.clear();
    const change = Object.freeze({ field, before, after });
    pair = Object.freeze({ reason: `observed ${before}, want ${want}`, change });
    OBSERVED_CHANGES.set(key, pair);
  }
  return pair;
}

/** What every change of one service shares. */
type ChangeBase = Pick<Change, 'host' | 'service' | 'manager' | 'user' | 'observed' | 'watchPaths'>;

/**
 * One service's change: the shared part copied field by field (a `{ ...base }` spread of an object
 * with optional keys was the slowest line of the diff at 400,000 changes).
 */
function made(base: ChangeBase, own: Pick<Change, 'kind' | 'reason' | 'change' | 'health'>): Change {
  const c: Change = { host: base.host, kind: own.kind, manager: base.manager, reason: own.reason };
  if (base.service !== undefined) c.service = base.service;
  if (base.user !== undefined) c.user = base.user;
  if (base.observed !== undefined) c.observed = base.observed;
  if (base.watchPaths !== undefined) c.watchPaths = base.watchPaths;
  if (own.change !== undefined) c.change = own.change;
  if (own.health !== undefined) c.health = own.health;
  return c;
}

function addressOf(seen: ObservedService): ObservedAddress | undefined {
  const address: ObservedAddress = {
    ...(seen.unit !== undefined ? { unit: seen.unit } : {}),
    ...(seen.tool !== undefined ? { tool: seen.tool } : {}),
    ...(seen.runlevels !== undefined ? { runlevels: [...seen.runlevels] } : {}),
    ...(seen.crashed ? { crashed: true } : {}),
  };
  return Object.keys(address).length > 0 ? address : undefined;
}

/**
 * restart.on_change: restart when the watched files' checksum differs from the one recorded at
 * the service's last (re)start by runstate. With no record yet (the watch is new, or something
 * else started it) it restarts once, so from then on the record says what it runs with.
 */
function restartReason(watch: NonNullable<ObservedService['watch']>): string | undefined {
  if (watch.recorded === null)
    return 'no record of its watched files at its last start: restart once to record them';
  if (watch.current !== watch.recorded) return 'watched files changed since its last (re)start';
  return undefined;
}
