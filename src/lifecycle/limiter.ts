/**
 * Request budgets per credential, shared by every wait and watcher that uses the same limiter (by
 * default one per process): a sliding window per budget, and a shared pause after a 429 so that
 * one rate-limited job slows all jobs of its key instead of each finding out on its own.
 */
import type { RateBudget } from "../core/state.js";

/** Request budgets and 429 pauses per key, shared by the waits and watchers that use one limiter. */
export interface RateLimiter {
  /**
   * Takes a request slot for `key` at `now` if every budget allows it and no pause is on, and
   * returns `now`; otherwise takes nothing and returns the earliest time worth asking again. Every
   * slot taken must be given back with `release` when its request ends.
   */
  acquire(key: string, budgets: readonly RateBudget[], now: number): number;
  /** The request of a slot taken with these budgets got its answer, or failed, at `at`. */
  release(key: string, budgets: readonly RateBudget[], at: number): void;
  /** No request of `key` before `until` (a 429's Retry-After, or our own backoff); a NaN is ignored. */
  pause(key: string, until: number): void;
  /** When the key's shared pause ends (0 when there is none). */
  pausedUntil(key: string): number;
}

interface Window {
  budget: RateBudget;
  /** Slots whose request has not ended yet. */
  held: number;
  /** When the requests of the other slots in the window ended, oldest first. */
  ended: number[];
}

interface KeyState {
  windows: Map<string, Window>;
  pausedUntil: number;
  /** Times handed to asks turned away that have not come yet, in order: the queue ahead of the next one. */
  promised: number[];
}

/**
 * A provider counts requests when they arrive, and a request can arrive any time between its grant
 * and its answer: how long after the grant depends on the event loop and the network, and varies
 * (the 10,000-job benchmark saw 432 arrivals in one second under a 400 a second budget when slots
 * counted from their grants). So a slot counts from its request's end: any two requests that share
 * a slot then arrive at least the window's length apart, whatever the latency. The extra
 * millisecond covers Date.now()'s rounding.
 */
const ROUNDING_MS = 1;

function windowOf(state: KeyState, budget: RateBudget): Window {
  const id = `${budget.requests}/${budget.intervalMs}`;
  let window = state.windows.get(id);
  if (window === undefined) {
    window = { budget, held: 0, ended: [] };
    state.windows.set(id, window);
  }
  return window;
}

/**
 * When the window has a free slot for the ask with `ahead` asks queued before it: `now` when one is
 * free and none is queued. A full window frees its slots when their requests' ends expire, oldest
 * first; a slot still in flight ends at `now` at the earliest, and counts a window from then.
 */
function freeAt(window: Window, now: number, ahead: number): number {
  const { requests, intervalMs } = window.budget;
  const { ended } = window;
  const span = intervalMs + ROUNDING_MS;
  let expired = 0;
  while (expired < ended.length && ended[expired]! + span <= now) expired++;
  if (expired > 0) ended.splice(0, expired);
  const free = requests - window.held - ended.length;
  if (ahead < free) return now;
  const slot = ahead - Math.max(0, free);
  const lap = Math.floor(slot / requests);
  const i = slot % requests;
  return (i < ended.length ? ended[i]! + span : now + span) + lap * span;
}

/**
 * A limiter of its own, for waits and watchers whose budgets should not be shared with the rest of
 * the process (tests, or one tenant's keys kept apart from another's).
 * @example
 * const done = await wait(deepaffects, handle, { limiter: createRateLimiter() });
 */
export function createRateLimiter(): RateLimiter {
  const keys = new Map<string, KeyState>();

  function stateOf(key: string): KeyState {
    let state = keys.get(key);
    if (state === undefined) {
      state = { windows: new Map(), pausedUntil: 0, promised: [] };
      keys.set(key, state);
    }
    return state;
  }

  return {
    acquire(key, budgets, now) {
      const state = stateOf(key);
      const windows = budgets.map((budget) => windowOf(state, budget));
      let earliest = Math.max(now, state.pausedUntil);
      if (earliest === now && windows.every((window) => freeAt(window, now, 0) === now)) {
        for (const window of windows) window.held++;
        return now;
      }
      // Asks turned away are handed the times their slots free, in turn, so that each comes back
      // about when it can be served instead of all of them waking at once to be turned away again.
      const { promised } = state;
      let due = 0;
      while (due < promised.length && promised[due]! <= now) due++;
      if (due > 0) promised.splice(0, due);
      for (const window of windows) earliest = Math.max(earliest, freeAt(window, now, promised.length));
      let i = promised.length;
      while (i > 0 && promised[i - 1]! > earliest) i--;
      promised.splice(i, 0, earliest);
      return earliest;
    },
    release(key, budgets, at) {
      const state = keys.get(key);
      if (state === undefined) return;
      for (const budget of budgets) {
        const window = windowOf(state, budget);
        if (window.held === 0) continue;
        window.held--;
        const { ended } = window;
        let i = ended.length;
        while (i > 0 && ended[i - 1]! > at) i--;
        ended.splice(i, 0, at);
      }
    },
    pause(key, until) {
      // A NaN kept by Math.max would lift every later pause of the key, and stop the budgets too.
      if (!(typeof until === "number" && until > 0)) return;
      const state = stateOf(key);
      state.pausedUntil = Math.max(state.pausedUntil, until);
    },
    pausedUntil(key) {
      return keys.get(key)?.pausedUntil ?? 0;
    },
  };
}

/** The process-wide limiter every wait and watcher uses unless given another. */
export const sharedRateLimiter: RateLimiter = /* @__PURE__ */ createRateLimiter();
