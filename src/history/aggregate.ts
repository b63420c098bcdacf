import type { DriftField } from '../model/drift.js';
import type { HistoryRecord } from '../model/history.js';
import type { WaiverNote } from '../model/waiver.js';

export interface AggregateOptions {
  /** The end of the window (the clock, injected). */
  now: Date;
  windowMs: number;
  /** Drift episodes that started within the window at or above which an item is flapping. */
  flapThreshold: number;
  /** Successful corrective heals of a service within the window after which drifting back is fighting. */
  fightThreshold: number;
}

/** One item (a field of a service on a host, or of a host) over the window. */
export interface ItemHistory {
  host: string;
  service?: string;
  field: DriftField;
  /** Out of sync as last seen. */
  driftingNow: boolean;
  /** When the current drift began (the first check that found it). */
  since?: string;
  desired: string;
  /** Last value seen out of sync. */
  observed: string;
  waived?: WaiverNote;
  /** Drift episodes that began within the window (a heal or a check finding it in sync ends one). */
  episodes: number;
  /** Episodes that ended within the window, and how long they took on average (mean time to recover). */
  recovered: number;
  mttrMs?: number;
  flapping: boolean;
  /** Successful corrective heals of its service within the window. */
  heals: number;
  fighting: boolean;
}

export interface HistorySummary {
  from: string;
  to: string;
  /** Records read within the window (older ones still tell since when something drifts). */
  runs: number;
  items: ItemHistory[];
}

interface State {
  item: ItemHistory;
  start?: number;
  starts: number[];
  durations: { end: number; ms: number }[];
}

const keyOf = (host: string, service: string | undefined, field: string) =>
  `${host}\t${service ?? ''}\t${field}`;
const serviceKey = (host: string, service: string | undefined) => `${host}\t${service ?? ''}`;

/**
 * Folds history records (any order; sorted here) into per-item answers: drifting now and since
 * when, how many drift episodes began within the window, their mean time to recover, flapping and
 * fighting. An episode begins at the first check that finds the item out of sync and ends at the
 * first later check of its host that finds it in sync, or at a successful change runstate made to
 * its service (a heal), whichever comes first. Pure: the clock is `opts.now`.
 */
export function aggregateHistory(records: readonly HistoryRecord[], opts: AggregateOptions): HistorySummary {
  const to = opts.now.getTime();
  const from = to - opts.windowMs;
  const sorted = [...records].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const states = new Map<string, State>();
  const byService = new Map<string, Set<State>>();
  const heals = new Map<string, number[]>();
  let runs = 0;
  const end = (s: State, at: number) => {
    if (s.start === undefined) return;
    s.durations.push({ end: at, ms: at - s.start });
    s.start = undefined;
    s.item.driftingNow = false;
    delete s.item.since;
  };
  for (const r of sorted) {
    const at = Date.parse(r.at);
    if (Number.isNaN(at) || at > to) continue;
    if (at >= from) runs++;
    const seen = new Set<string>();
    for (const d of r.drifts) {
      const key = keyOf(d.host, d.service, d.field);
      seen.add(key);
      let s = states.get(key);
      if (!s) {
        s = { item: newItem(d.host, d.service, d.field), starts: [], durations: [] };
        states.set(key, s);
        const sk = serviceKey(d.host, d.service);
        const set = byService.get(sk) ?? new Set<State>();
        set.add(s);
        byService.set(sk, set);
      }
      Object.assign(s.item, { desired: d.desired, observed: d.observed });
      if (d.waived) s.item.waived = d.waived;
      else delete s.item.waived;
      if (s.start === undefined) {
        s.start = at;
        s.starts.push(at);
        s.item.driftingNow = true;
        s.item.since = r.at;
      }
    }
    // A checked host whose item is not among this run's drifts: that item is back in sync.
    for (const [key, s] of states) {
      if (s.start === undefined || seen.has(key)) continue;
      const status = r.hosts[s.item.host];
      if (status === 'in-sync' || status === 'drift') end(s, at);
    }
    for (const c of r.changes) {
      if (c.outcome !== 'ok') continue;
      const cAt = Date.parse(c.at);
      const sk = serviceKey(c.host, c.service);
      for (const s of byService.get(sk) ?? []) end(s, Number.isNaN(cAt) ? at : cAt);
      if (c.label === 'corrective') heals.set(sk, [...(heals.get(sk) ?? []), Number.isNaN(cAt) ? at : cAt]);
    }
  }
  const items: ItemHistory[] = [];
  for (const s of states.values()) {
    const episodes = s.starts.filter((t) => t >= from).length;
    const done = s.durations.filter((d) => d.end >= from);
    const healed = (heals.get(serviceKey(s.item.host, s.item.service)) ?? []).filter((t) => t >= from);
    const lastHeal = healed[healed.length - 1];
    const item: ItemHistory = {
      ...s.item,
      episodes,
      recovered: done.length,
      ...(done.length > 0 ? { mttrMs: done.reduce((n, d) => n + d.ms, 0) / done.length } : {}),
      flapping: episodes >= opts.flapThreshold,
      heals: healed.length,
      // Healed that often, and out of sync again since the last heal: something puts it back.
      fighting:
        healed.length >= opts.fightThreshold && lastHeal !== undefined && s.starts.some((t) => t >= lastHeal),
    };
    // Only what drifted within the window, or drifts still.
    if (item.episodes > 0 || item.driftingNow || item.recovered > 0) items.push(item);
  }
  items.sort(
    (a, b) =>
      Number(b.driftingNow) - Number(a.driftingNow) ||
      cmp(a.host, b.host) ||
      cmp(a.service ?? '', b.service ?? '') ||
      cmp(a.field, b.field),
  );
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), runs, items };
}

function newItem(host: string, service: string | undefined, field: DriftField): ItemHistory {
  return {
    host,
    ...(service !== undefined ? { service } : {}),
    field,
    driftingNow: false,
    desired: '',
    observed: '',
    episodes: 0,
    recovered: 0,
    flapping: false,
    heals: 0,
    fighting: false,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
