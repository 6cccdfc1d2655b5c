/** Options of waits and watchers, and the saved state a wait resumes from. */
import { InvalidArgumentError, type ProviderName } from "../core/errors.js";
import type { JobHandle, JobSnapshot, JobState, RateBudget } from "../core/state.js";
import type { AdaptiveModel, AdaptiveState } from "./adaptive.js";
import type { EarlyDeliveryLimits } from "./early-deliveries.js";
import type { RateLimiter } from "./limiter.js";
import type { PollPolicy, PollPolicyOptions } from "./policy.js";

/** Options of `wait`, `watch` and `watcher.add`: deadline, cancellation, callbacks, poll policy. */
export interface WaitOptions<S extends JobSnapshot = JobSnapshot> {
  /** Aborts the wait, also during sleeps; the wait rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** A hard deadline, this many ms from now: the wait settles before it, with a TimeoutError carrying the last snapshot. */
  timeoutMs?: number | undefined;
  /** The same as an absolute time (ISO 8601 or ms since epoch); wins over timeoutMs. */
  deadline?: string | number | undefined;
  /** Called on every change of the job's state or raw status, including `unknown` ones. */
  onUpdate?: ((snapshot: S) => void) | undefined;
  /** Called after every poll that did not end the wait, with what a resume needs. Store it to survive a restart. */
  onProgress?: ((state: WaitState<S["handle"]>) => void) | undefined;
  /**
   * By default a job that ends failed or cancelled resolves the wait (the wait did its work: it
   * learned the outcome). Set this to reject with a JobFailedError instead.
   */
  throwOnFailure?: boolean | undefined;
  /** Poll schedule overrides (initial delay, min and max interval, patience, jitter, adaptive). */
  poll?: PollPolicyOptions | undefined;
  /** Time limit per status request (default 30 s), always cut to the time left before the deadline. */
  requestTimeoutMs?: number | undefined;
  /** Transient failures in a row before the wait gives up with the last one (default 20). */
  maxConsecutiveFailures?: number | undefined;
  /** Poll interval while a webhook is expected (handle.webhook), as a fallback (default 60 s). */
  webhookFallbackMs?: number | undefined;
  /** The rate limiter to share budgets with (default: the process-wide one). */
  limiter?: RateLimiter | undefined;
}

/** Options of `createWatcher`: what all of its jobs share. */
export interface WatcherOptions {
  /** Most status requests in flight at once (default 32). */
  maxInFlight?: number | undefined;
  /** The rate limiter to share budgets with (default: the process-wide one). */
  limiter?: RateLimiter | undefined;
  /** Extra request budgets per provider, on top of the provider's own (DeepAffects: 5/min, 100/day). */
  rateBudgets?: Partial<Record<ProviderName, RateBudget[]>> | undefined;
  /** Learn job durations per kind and place polls where jobs end; an object resumes learned state. */
  adaptive?: boolean | Record<string, AdaptiveState> | undefined;
  /** Poll schedule defaults for every job of this watcher. */
  poll?: PollPolicyOptions | undefined;
  /** Limits on webhook deliveries held for jobs not added yet (default 1 000 deliveries, 16 MiB, 60 s). */
  earlyDeliveries?: EarlyDeliveryLimits | undefined;
}

/** What a wait needs to continue in another process: plain JSON. */
export interface WaitState<H extends JobHandle = JobHandle> {
  version: 1;
  handle: H;
  /** ISO 8601 deadline, or null for none. */
  deadline: string | null;
  attempts: number;
  failures: number;
  /** ISO 8601 time of the next poll. */
  nextPollAt: string;
  lastState?: JobState | undefined;
  /** Learned durations of this job's kind, when the wait was adaptive. */
  adaptive?: AdaptiveState | undefined;
}

interface SavableEntry {
  handle: JobHandle;
  deadline: number;
  attempts: number;
  failures: number;
  nextPollAt: number;
  last: JobSnapshot | undefined;
  policy: PollPolicy;
}

export function toWaitState(entry: SavableEntry): WaitState {
  const model: AdaptiveModel | false = entry.policy.adaptive;
  return {
    version: 1,
    handle: entry.handle,
    deadline: entry.deadline === Infinity ? null : new Date(entry.deadline).toISOString(),
    attempts: entry.attempts,
    failures: entry.failures,
    nextPollAt: new Date(entry.nextPollAt).toISOString(),
    ...(entry.last ? { lastState: entry.last.state } : {}),
    ...(model ? { adaptive: model.toJSON() } : {}),
  };
}

/** The absolute deadline in ms: a resumed wait keeps its saved one. */
export function deadlineOf(saved: WaitState | undefined, options: WaitOptions<any>, now: number): number {
  if (saved) {
    if (saved.deadline === null) return Infinity;
    const at = Date.parse(saved.deadline);
    if (Number.isNaN(at)) throw new InvalidArgumentError("The saved wait's deadline is not an ISO 8601 time.");
    return at;
  }
  if (options.deadline !== undefined) {
    const at = typeof options.deadline === "number" ? options.deadline : Date.parse(options.deadline);
    if (!Number.isFinite(at)) throw new InvalidArgumentError(`deadline must be an ISO 8601 time or ms since epoch, got ${String(options.deadline)}.`);
    return at;
  }
  if (options.timeoutMs !== undefined) {
    if (typeof options.timeoutMs !== "number" || !(options.timeoutMs > 0)) {
      throw new InvalidArgumentError(`timeoutMs must be a positive number of milliseconds, got ${String(options.timeoutMs)}.`);
    }
    return now + options.timeoutMs;
  }
  return Infinity;
}
