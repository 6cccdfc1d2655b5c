import type { FakeApi, RateLimit } from "./types.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The published DeepAffects budget: 5 requests a minute to each API, 100 a day. */
export const DEEPAFFECTS_LIMIT: RateLimit = { perMinute: 5, perDay: 100 };

/**
 * Sliding-window counters per key and API path. Only requests that were let through count,
 * as a gateway that rejects with 429 does not bill the rejected call.
 */
export class RateLimiter {
  private readonly limits: Partial<Record<FakeApi, RateLimit>> = {};
  private readonly seen = new Map<string, number[]>();
  private readonly day = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    config: Partial<Record<FakeApi, RateLimit | true>> = {},
  ) {
    for (const [api, value] of Object.entries(config) as Array<[FakeApi, RateLimit | true | undefined]>) {
      if (value === undefined) continue;
      const limit = value === true ? DEEPAFFECTS_LIMIT : value;
      if (!(Number.isInteger(limit.perMinute) && limit.perMinute > 0)) throw new TypeError("perMinute must be a positive integer");
      if (limit.perDay !== undefined && !(Number.isInteger(limit.perDay) && limit.perDay > 0)) {
        throw new TypeError("perDay must be a positive integer");
      }
      this.limits[api] = limit;
    }
  }

  /**
   * Counts the request, or returns the seconds to wait when it is over budget. The minute budget is
   * per key and path ("5 requests per minute to each API"), the day budget per key over all paths
   * ("capped at 100 requests per day"; DeepAffects concepts.md, "Rate Limiting").
   */
  check(api: FakeApi, key: string, path: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const limit = this.limits[api];
    if (!limit) return { ok: true };
    const now = this.now();
    const minuteId = `${api}\u0000${key}\u0000${path}`;
    const dayId = `${api}\u0000${key}`;
    const lastMinute = (this.seen.get(minuteId) ?? []).filter((t) => t > now - MINUTE);
    const lastDay = limit.perDay === undefined ? [] : (this.day.get(dayId) ?? []).filter((t) => t > now - DAY);
    let waitMs = 0;
    if (lastMinute.length >= limit.perMinute) {
      waitMs = lastMinute[lastMinute.length - limit.perMinute]! + MINUTE - now;
    }
    if (limit.perDay !== undefined && lastDay.length >= limit.perDay) {
      waitMs = Math.max(waitMs, lastDay[lastDay.length - limit.perDay]! + DAY - now);
    }
    this.seen.set(minuteId, lastMinute);
    if (limit.perDay !== undefined) this.day.set(dayId, lastDay);
    if (waitMs > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    lastMinute.push(now);
    if (limit.perDay !== undefined) lastDay.push(now);
    return { ok: true };
  }
}
