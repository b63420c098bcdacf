/**
 * Monit-style "if N restarts within M cycles then stop trying": a service healed `max` times
 * within `windowMs` is reported as crash-looping instead of being restarted forever.
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

  /** Whether `key` may be healed at `now`; a granted heal is recorded. */
  tryTake(key: string, now: number): boolean {
    if (this.count(key, now) >= this.max) return false;
    this.history.get(key)?.push(now);
    return true;
  }
}
