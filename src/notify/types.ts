/** Bumped only when the payload changes incompatibly (schemas/alert.v1.schema.json describes v1). */
export const ALERT_VERSION = 1;

/**
 * The state of one item (a service or a host's runlevel) as alerts see it. Worst first: an item
 * that is fighting is also drifting, and is reported as fighting.
 */
export const ITEM_STATES = ['fighting', 'flapping', 'heal-failed', 'drift'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** What an alert is about: the item's new state, or `recovered` when it is back in sync. */
export type AlertKind = ItemState | 'recovered';

/** One drifted field of the item, as the drift report names it. */
export interface AlertField {
  field: string;
  desired: string;
  observed: string;
}

/** The JSON body POSTed to each --notify URL and given on stdin to each --notify-command. */
export interface AlertPayload {
  version: typeof ALERT_VERSION;
  kind: AlertKind;
  /** "host:service", or "host (runlevel)". */
  item: string;
  host: string;
  service?: string;
  /** The state before this change (absent: none known, the item was fine). */
  previous?: ItemState;
  /** When the item entered its previous state (for `recovered`) or this one. */
  since: string;
  time: string;
  /** "crm-app on app1: state observed inactive, want running". */
  message: string;
  fields: AlertField[];
  /** The command that noticed: drift or watch. */
  source: string;
}

/** Where alerts go: a webhook URL or a local command (run with sh -c, the payload on stdin). */
export type AlertTarget = { kind: 'url'; url: string } | { kind: 'command'; command: string };

export function targetText(t: AlertTarget): string {
  return t.kind === 'url' ? t.url : `command ${JSON.stringify(t.command)}`;
}
