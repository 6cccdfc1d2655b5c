/**
 * Rate budgets shared by every worker of a fleet, kept in Redis: one sorted set of request times per
 * rate key and budget (a sliding window), and a pause key set after a 429. One Lua script checks and
 * takes a slot atomically, on Redis's clock, so workers on machines with skewed clocks agree.
 */
import type { Redis } from "ioredis";
import type { RateBudget } from "../core/state.js";
import { keysOf } from "./keys.js";

// KEYS[1] the pause key, KEYS[2..] one window per budget; ARGV: a unique member, then requests and
// intervalMs per budget. Returns 0 when a slot was taken, else the ms until one may free.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local wait = 0
for i = 2, #KEYS do
  local requests = tonumber(ARGV[(i - 1) * 2])
  local interval = tonumber(ARGV[(i - 1) * 2 + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - interval)
  if redis.call('ZCARD', KEYS[i]) >= requests then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local free = tonumber(oldest[2]) + interval - now
    if free > wait then wait = free end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[(i - 1) * 2 + 1]))
end
return 0
`;

// Lengthens a pause, never shortens it: a second 429 with a shorter hint must not lift the first.
const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
`;

export interface FleetBudget {
  /** Takes a slot of every budget of the key, or returns the ms to wait before asking again. */
  take(rateKey: string, budgets: readonly RateBudget[]): Promise<number>;
  /** Pauses the key for the whole fleet for `ms`. */
  pause(rateKey: string, ms: number): Promise<void>;
}

export function createFleetBudget(redis: Redis, prefix: string): FleetBudget {
  const keys = keysOf(prefix);
  let counter = 0;
  const self = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  return {
    async take(rateKey, budgets) {
      const windows = budgets.map((_, i) => keys.window(rateKey, i));
      const args = budgets.flatMap((b) => [String(b.requests), String(Math.ceil(b.intervalMs))]);
      const answer = await redis.eval(TAKE_SLOT, 1 + windows.length, keys.pause(rateKey), ...windows, `${self}-${++counter}`, ...args);
      return Number(answer);
    },
    async pause(rateKey, ms) {
      await redis.eval(PAUSE, 1, keys.pause(rateKey), String(Math.max(1, Math.ceil(ms))));
    },
  };
}
