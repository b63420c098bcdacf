import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import type { Io } from '../cli/context.js';
import { writeFileAtomic } from '../cli/output-files.js';
import type { EventSink } from '../events/types.js';
import type { DriftReport } from '../model/drift.js';
import { UserError } from '../model/source.js';
import { DEFAULT_RETRY, type Delivery, type RetryPolicy, realSleep, withRetry } from './retry.js';
import { postJson, runAlertCommand } from './send.js';
import { type NotifyState, parseState, type RunFindings, stateChanges } from './state.js';
import { type AlertPayload, type AlertTarget, targetText } from './types.js';

export interface NotifyOptions {
  notify?: string[];
  notifyCommand?: string[];
  notifyState?: string;
}

/** Where the item states last alerted are kept, unless --notify-state says. */
export function defaultNotifyStatePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'runstate', 'notify-state.json');
}

export interface Alerter {
  /** Alerts the item state changes of one run; failures are reported, never thrown. */
  afterRun(report: DriftReport, findings: RunFindings, sink?: EventSink): Promise<AlertPayload[]>;
}

/** undefined without --notify / --notify-command; bad URLs are refused before any host is contacted. */
export function alerterFor(
  opts: NotifyOptions & { source?: string },
  io: Io,
  deps: { policy?: RetryPolicy; sleep?: (ms: number) => Promise<void>; now?: () => Date } = {},
): Alerter | undefined {
  const targets: AlertTarget[] = [
    ...(opts.notify ?? []).map((url): AlertTarget => ({ kind: 'url', url: checkedUrl(url) })),
    ...(opts.notifyCommand ?? []).map((command): AlertTarget => ({ kind: 'command', command })),
  ];
  if (targets.length === 0) return undefined;
  const file = opts.notifyState ?? defaultNotifyStatePath(io.env);
  const policy = deps.policy ?? DEFAULT_RETRY;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? (() => new Date());
  return {
    async afterRun(report, findings, sink) {
      const previous = readState(file, io);
      const time = now().toISOString();
      const { alerts, next } = stateChanges(previous, report, findings, {
        time,
        source: opts.source ?? 'drift',
      });
      const limit = pLimit(4);
      const delivered = await Promise.all(
        alerts.map((alert) =>
          limit(async () => {
            const body = `${JSON.stringify(alert)}\n`;
            const results = await Promise.all(
              targets.map(async (t) => {
                const d = await deliver(t, body, policy, sleep);
                report1(t, alert, d, io, sink);
                return d.ok;
              }),
            );
            return results.every(Boolean);
          }),
        ),
      );
      // Only what reached every target is remembered: the rest is alerted again on the next run.
      const saved: NotifyState = { version: 1, items: { ...previous.items } };
      alerts.forEach((a, i) => {
        if (!delivered[i]) return;
        const entry = next.items[a.item];
        if (entry) saved.items[a.item] = entry;
        else delete saved.items[a.item];
      });
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileAtomic(file, `${JSON.stringify(saved, null, 2)}\n`);
      } catch (err) {
        io.err(`warning: could not write the notify state ${file}: ${(err as Error).message}\n`);
      }
      return alerts;
    },
  };
}

function deliver(
  t: AlertTarget,
  body: string,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<Delivery> {
  return withRetry(
    (timeoutMs) =>
      t.kind === 'url' ? postJson(t.url, body, timeoutMs) : runAlertCommand(t.command, body, timeoutMs),
    policy,
    sleep,
  );
}

function report1(t: AlertTarget, alert: AlertPayload, d: Delivery, io: Io, sink?: EventSink): void {
  const base = { target: targetText(t), alert: alert.kind, item: alert.item, attempts: d.attempts };
  if (d.ok) {
    sink?.emit({ type: 'alert-sent', ...base });
    return;
  }
  io.err(
    `warning: alert "${alert.kind} ${alert.item}" not delivered to ${targetText(t)} after ${d.attempts} attempt(s): ${d.detail}\n`,
  );
  sink?.emit({ type: 'alert-failed', ...base, message: d.detail });
}

function readState(file: string, io: Io): NotifyState {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      io.err(`warning: cannot read the notify state ${file}: ${(err as Error).message}\n`);
  }
  const { state, problem } = parseState(text);
  if (problem) io.err(`warning: notify state ${file} ignored (${problem}); every bad item alerts again\n`);
  return state;
}

function checkedUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `--notify ${url} is not a URL`,
      undefined,
      'e.g. --notify https://hooks.example.com/runstate',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UserError(
      `--notify ${url}: only http and https URLs are posted to`,
      undefined,
      'use --notify-command for anything else',
    );
  return url;
}
