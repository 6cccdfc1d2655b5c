/**
 * Rate budgets shared by every worker of a fleet, kept in Redis: one sorted set of request times per
 * rate key and budget (a sliding window), and a pause key set after a 429. One Lua script checks and
 * takes a slot atomically, on Redis's clock, so workers on machines with skewed clocks agree.
 *
 * A slot counts from when it is taken until a window after its request ended (as the in-process
 * limiter counts): the provider sees a request at some time in between, so no window of the
 * provider's clock holds more than the budget, however late a request leaves a busy worker.
 */
import type { Redis } from "ioredis";
import type { RateBudget } from "../core/state.js";
import { keysOf } from "./keys.js";

// KEYS[1] the pause key, KEYS[2..] one window per budget; ARGV: a unique member, the longest a request
// may take, then requests and intervalMs per budget. Returns 0 when a slot was taken (scored as ending
// at the latest, until released), else the ms until one may free.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local wait = 0
for i = 2, #KEYS do
  local requests = tonumber(ARGV[(i - 1) * 2 + 1])
  local interval = tonumber(ARGV[(i - 1) * 2 + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - interval)
  if redis.call('ZCARD', KEYS[i]) >= requests then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local free = tonumber(oldest[2]) + interval - now
    if free < 1 then free = 1 end
    if free > wait then wait = free end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  local interval = tonumber(ARGV[(i - 1) * 2 + 2])
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], interval + tonumber(ARGV[2]))
end
return 0
`;

// KEYS: the windows; ARGV[1] the member. Scores the slot as ended now, on Redis's clock.
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1]) end
return 0
`;

// Lengthens a pause, never shortens it: a second 429 with a shorter hint must not lift the first.
const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
`;

export interface FleetBudget {
  /**
   * Takes a slot of every budget of the key for a request of at most `maxRequestMs`: resolves with a
   * release function to call when the request ends, or with the ms to wait before asking again.
   */
  take(rateKey: string, budgets: readonly RateBudget[], maxRequestMs: number): Promise<(() => Promise<void>) | number>;
  /** Pauses the key for the whole fleet for `ms`. */
  pause(rateKey: string, ms: number): Promise<void>;
}

export function createFleetBudget(redis: Redis, prefix: string): FleetBudget {
  const keys = keysOf(prefix);
  let counter = 0;
  const self = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  return {
    async take(rateKey, budgets, maxRequestMs) {
      const windows = budgets.map((_, i) => keys.window(rateKey, i));
      const args = budgets.flatMap((b) => [String(b.requests), String(Math.ceil(b.intervalMs))]);
      const member = `${self}-${++counter}`;
      const answer = Number(
        await redis.eval(TAKE_SLOT, 1 + windows.length, keys.pause(rateKey), ...windows, member, String(Math.ceil(maxRequestMs)), ...args),
      );
      if (answer > 0) return answer;
      return async () => {
        if (windows.length > 0) await redis.eval(RELEASE, windows.length, ...windows, member);
      };
    },
    async pause(rateKey, ms) {
      await redis.eval(PAUSE, 1, keys.pause(rateKey), String(Math.max(1, Math.ceil(ms))));
    },
  };
}
