/**
 * Request budgets per credential, shared by every wait and watcher that uses the same limiter (by
 * default one per process): a sliding window per budget, and a shared pause after a 429 so that
 * one rate-limited job slows all jobs of its key instead of each finding out on its own.
 */
import type { RateBudget } from "../core/state.js";

export interface RateLimiter {
  /**
   * Takes a request slot for `key` at `now` if every budget allows it and no pause is on, and
   * returns `now`; otherwise takes nothing and returns the earliest time worth asking again.
   */
  acquire(key: string, budgets: readonly RateBudget[], now: number): number;
  /** No request of `key` before `until` (a 429's Retry-After, or our own backoff). */
  pause(key: string, until: number): void;
  /** When the key's shared pause ends (0 when there is none). */
  pausedUntil(key: string): number;
}

interface Window {
  budget: RateBudget;
  /** Grant times, oldest first once full: a ring of `budget.requests` slots. */
  ring: number[];
  next: number;
}

interface KeyState {
  windows: Map<string, Window>;
  pausedUntil: number;
}

/**
 * A request leaves a few ms after its slot is granted, and not always after the same delay, while a
 * provider counts arrivals: spacing grants by exactly the interval let the 6th DeepAffects request of
 * a minute arrive 59.997 s after the first (found by scripts/soak.ts). One percent of the window, at
 * most a second, keeps the budget at the provider's end.
 */
function marginOf(budget: RateBudget): number {
  return Math.min(1_000, Math.ceil(budget.intervalMs / 100));
}

export function createRateLimiter(): RateLimiter {
  const keys = new Map<string, KeyState>();

  function stateOf(key: string): KeyState {
    let state = keys.get(key);
    if (state === undefined) {
      state = { windows: new Map(), pausedUntil: 0 };
      keys.set(key, state);
    }
    return state;
  }

  return {
    acquire(key, budgets, now) {
      const state = stateOf(key);
      let earliest = Math.max(now, state.pausedUntil);
      const windows: Window[] = [];
      for (const budget of budgets) {
        const id = `${budget.requests}/${budget.intervalMs}`;
        let window = state.windows.get(id);
        if (window === undefined) {
          window = { budget, ring: [], next: 0 };
          state.windows.set(id, window);
        }
        windows.push(window);
        if (window.ring.length === budget.requests) {
          earliest = Math.max(earliest, window.ring[window.next]! + budget.intervalMs + marginOf(budget));
        }
      }
      if (earliest > now) return earliest;
      for (const window of windows) {
        if (window.ring.length < window.budget.requests) window.ring.push(now);
        else {
          window.ring[window.next] = now;
          window.next = (window.next + 1) % window.budget.requests;
        }
      }
      return now;
    },
    pause(key, until) {
      const state = stateOf(key);
      state.pausedUntil = Math.max(state.pausedUntil, until);
    },
    pausedUntil(key) {
      return keys.get(key)?.pausedUntil ?? 0;
    },
  };
}

/** The process-wide limiter every wait and watcher uses unless given another. */
export const sharedRateLimiter: RateLimiter = createRateLimiter();
