import { healKey } from '../apply/heal-limit.js';
import type { DriftReport } from '../model/drift.js';
import { ALERT_VERSION, type AlertField, type AlertPayload, ITEM_STATES, type ItemState } from './types.js';

/** What the state file remembers per item: the state last alerted, and since when. */
export interface NotifyState {
  version: 1;
  items: Record<string, { state: ItemState; since: string }>;
}

export const EMPTY_STATE: NotifyState = { version: 1, items: {} };

/** What the run knows beyond the drift report: items whose heal failed, flapping or fighting ones. */
export interface RunFindings {
  /** Keys ("host:service") whose heal failed in this run (watch --heal). */
  healFailed?: string[];
  /** Hook for flapping/fighting detection (drift-a, issue 10): keys of items found so in this run. */
  flapping?: string[];
  fighting?: string[];
}

interface Current {
  state: ItemState;
  host: string;
  service?: string;
  fields: AlertField[];
}

/**
 * Each checked item's state now. Items of unchecked hosts are absent *and* not known: `known`
 * lists the hosts whose items are all in this map or in sync, so only those can recover.
 */
export function currentStates(
  report: DriftReport,
  findings: RunFindings,
): { items: Map<string, Current>; known: Set<string> } {
  const items = new Map<string, Current>();
  const known = new Set<string>();
  for (const [host, h] of Object.entries(report.hosts)) {
    if (h.status === 'unchecked') continue;
    known.add(host);
    for (const item of h.items) {
      if (item.inSync || (item as { waived?: unknown }).waived !== undefined) continue;
      const key = healKey(host, item.service);
      const entry = items.get(key) ?? {
        state: 'drift' as ItemState,
        host,
        ...(item.service !== undefined ? { service: item.service } : {}),
        fields: [],
      };
      entry.fields.push({ field: item.field, desired: item.desired, observed: item.observed });
      items.set(key, entry);
    }
  }
  const raise = (keys: string[] | undefined, state: ItemState) => {
    for (const key of keys ?? []) {
      const e = items.get(key) ?? { state, ...splitKey(key), fields: [] };
      if (rank(state) < rank(e.state)) e.state = state;
      items.set(key, e);
    }
  };
  raise(findings.healFailed, 'heal-failed');
  raise(findings.flapping, 'flapping');
  raise(findings.fighting, 'fighting');
  return { items, known };
}

const rank = (s: ItemState): number => ITEM_STATES.indexOf(s);

function splitKey(key: string): { host: string; service?: string } {
  const colon = key.indexOf(':');
  if (colon < 0) return { host: key.replace(/ \(runlevel\)$/, '') };
  return { host: key.slice(0, colon), service: key.slice(colon + 1) };
}

/**
 * One alert per item whose state changed since the last alert: a new or different bad state, or
 * `recovered` for a remembered item of a checked host that is fine now. Pure: the caller saves
 * `next` only for what was delivered, so an undelivered change is tried again on the next run.
 */
export function stateChanges(
  previous: NotifyState,
  report: DriftReport,
  findings: RunFindings,
  meta: { time: string; source: string },
): { alerts: AlertPayload[]; next: NotifyState } {
  const { items, known } = currentStates(report, findings);
  const alerts: AlertPayload[] = [];
  const next: NotifyState = { version: 1, items: { ...previous.items } };
  for (const key of [...items.keys()].sort()) {
    const now = items.get(key) as Current;
    const before = previous.items[key];
    if (before?.state === now.state) continue;
    next.items[key] = { state: now.state, since: meta.time };
    alerts.push({
      version: ALERT_VERSION,
      kind: now.state,
      item: key,
      host: now.host,
      ...(now.service !== undefined ? { service: now.service } : {}),
      ...(before ? { previous: before.state } : {}),
      since: meta.time,
      time: meta.time,
      message: messageFor(key, now),
      fields: now.fields,
      source: meta.source,
    });
  }
  for (const key of Object.keys(previous.items).sort()) {
    const before = previous.items[key];
    const { host, service } = splitKey(key);
    if (!before || items.has(key) || !known.has(host)) continue;
    delete next.items[key];
    alerts.push({
      version: ALERT_VERSION,
      kind: 'recovered',
      item: key,
      host,
      ...(service !== undefined ? { service } : {}),
      previous: before.state,
      since: before.since,
      time: meta.time,
      message: `${key} is back in its declared state (was ${before.state} since ${before.since})`,
      fields: [],
      source: meta.source,
    });
  }
  return { alerts, next };
}

function messageFor(key: string, c: Current): string {
  const fields = c.fields.map((f) => `${f.field} observed ${f.observed}, want ${f.desired}`).join('; ');
  switch (c.state) {
    case 'drift':
      return `${key} drifted: ${fields}`;
    case 'heal-failed':
      return `${key}: heal failed${fields ? ` (${fields})` : ''}`;
    case 'flapping':
      return `${key} is flapping (drifts again and again)${fields ? `: ${fields}` : ''}`;
    case 'fighting':
      return `${key}: something else is managing it (healed, drifted back)${fields ? `: ${fields}` : ''}`;
  }
}

/** Reads the state file; a missing file is a first run; a broken one is started over (said so). */
export function parseState(text: string | undefined): { state: NotifyState; problem?: string } {
  if (text === undefined) return { state: EMPTY_STATE };
  try {
    const v: unknown = JSON.parse(text);
    const items = (v as { items?: unknown }).items;
    if ((v as { version?: unknown }).version !== 1 || typeof items !== 'object' || items === null)
      return { state: EMPTY_STATE, problem: 'not a runstate notify state (version 1)' };
    const out: NotifyState['items'] = {};
    for (const [k, e] of Object.entries(items)) {
      const s = (e as { state?: unknown }).state;
      const since = (e as { since?: unknown }).since;
      if ((ITEM_STATES as readonly unknown[]).includes(s) && typeof since === 'string')
        out[k] = { state: s as ItemState, since };
    }
    return { state: { version: 1, items: out } };
  } catch (err) {
    return { state: EMPTY_STATE, problem: (err as Error).message };
  }
}
