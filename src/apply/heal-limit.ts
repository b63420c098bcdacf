import { runlevelOnHost, serviceOnHost } from '../model/notation.js';
import type { StepOutcome } from './types.js';

/**
 * Monit-style "if N restarts within M cycles then stop trying": a service healed `max` times
 * within `windowMs` is reported as crash-looping instead of being restarted forever. Only heals
 * that ran count: one refused (the host moved), blocked or skipped never touched the service.
 */
export class HealLimiter {
  private readonly history = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Heals done for `key` inside the window ending at `now`. */
  count(key: string, now: number): number {
    const recent = (this.history.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.history.set(key, recent);
    return recent.length;
  }

  /** Whether `key` may be healed at `now`. */
  allows(key: string, now: number): boolean {
    return this.count(key, now) < this.max;
  }

  /** A heal of `key` ran at `now` (whatever its outcome). */
  record(key: string, now: number): void {
    this.count(key, now);
    this.history.get(key)?.push(now);
  }
}

/** The limiter's key for a step's subject: the service on its host, or the host's runlevel. */
export function healKey(host: string, service: string | undefined): string {
  return service === undefined ? runlevelOnHost(host) : serviceOnHost(host, service);
}

/** The keys whose heal ran: a command was sent (ok or failed), not skipped, unreachable or never started. */
export function healsThatRan(outcomes: readonly StepOutcome[]): string[] {
  const ran = outcomes.filter((o) => o.kind === 'ok' || o.kind === 'failed');
  return [...new Set(ran.map((o) => healKey(o.step.host, o.step.service)))].sort();
}
