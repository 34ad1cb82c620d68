/** The answer of {@link ActionRateLimiter.take}. */
export type RateDecision =
  | { ok: true }
  | { ok: false; retryAfterMs: number; reason: string };

/**
 * Limits actions per user (a sliding minute) and per object (a minimum interval), in memory: each
 * replica counts its own requests, so N replicas allow up to N times the rate. Pure apart from the
 * clock it is given.
 */
export class ActionRateLimiter {
  private readonly byUser = new Map<string, number[]>();
  private readonly byObject = new Map<string, number>();

  constructor(
    private readonly options: {
      perUserPerMinute: number;
      perObjectIntervalMs: number;
      now?: () => number;
    },
  ) {}

  /** Counts an action of `user` on `object` if both limits allow it. */
  take(user: string, object: string): RateDecision {
    const now = this.options.now?.() ?? Date.now();
    const windowStart = now - 60_000;
    const recent = (this.byUser.get(user) ?? []).filter(t => t > windowStart);
    if (recent.length >= this.options.perUserPerMinute) {
      return {
        ok: false,
        retryAfterMs: recent[0] + 60_000 - now,
        reason: `at most ${this.options.perUserPerMinute} actions per minute per user`,
      };
    }
    const last = this.byObject.get(object);
    if (last !== undefined && now - last < this.options.perObjectIntervalMs) {
      return {
        ok: false,
        retryAfterMs: last + this.options.perObjectIntervalMs - now,
        reason: `one action per ${
          this.options.perObjectIntervalMs / 1000
        } s on the same object`,
      };
    }
    recent.push(now);
    this.byUser.set(user, recent);
    this.byObject.set(object, now);
    // Forget objects whose interval has passed, so the map does not grow forever.
    if (this.byObject.size > 10_000) {
      for (const [key, at] of this.byObject) {
        if (now - at >= this.options.perObjectIntervalMs)
          this.byObject.delete(key);
      }
    }
    return { ok: true };
  }
}
