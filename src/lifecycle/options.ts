/** Options of waits and watchers, and the saved state a wait resumes from. */
import { InvalidArgumentError, type ProviderName } from "../core/errors.js";
import type { LogOptions } from "../core/log.js";
import type { JobHandle, JobProvider, JobSnapshot, JobState, PollDefaults, RateBudget } from "../core/state.js";
import type { AdaptiveModel, AdaptiveState } from "./adaptive.js";
import type { EarlyDeliveryLimits } from "./early-deliveries.js";
import { sharedRateLimiter, type RateLimiter } from "./limiter.js";
import { resolvePollPolicy, type PollPolicy, type PollPolicyOptions } from "./policy.js";

/**
 * Options of `wait`, `watch` and `watcher.add`: deadline, cancellation, callbacks, poll policy.
 * `logger` and `logLevel` (or `JOBSTATUS_LOG`) log each retry decision at `info` and each sleep at `debug`.
 */
export interface WaitOptions<S extends JobSnapshot = JobSnapshot> extends LogOptions {
  /** Aborts the wait, also during sleeps; the wait rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * A hard deadline, this many ms from now: the wait settles before it, with a TimeoutError carrying
   * the last snapshot, even while it waits for a request slot. Default: the provider's (Dify 30 min,
   * Comfy Cloud 2 h, DeepAffects 6 h); `Infinity`, or one past the last time a Date can hold (about
   * 8.64e15 ms since epoch), is no deadline.
   */
  timeoutMs?: number | undefined;
  /** The same as an absolute time (ISO 8601 or ms since epoch); wins over timeoutMs. */
  deadline?: string | number | undefined;
  /**
   * Called on every change of the job's state or raw status, including `unknown` ones. A promise it
   * returns is awaited before the job's next poll and before a terminal snapshot ends the wait, so
   * writes land in order; a throw, or a rejection, ends the wait with that error. The deadline and the
   * signal still end the wait on time: a callback still running then is not awaited, and its later
   * failure goes to the watcher's `error` event (`wait` and `watch`, which have already rejected, drop it).
   */
  onUpdate?: ((snapshot: S) => void) | undefined;
  /**
   * Called after every poll that did not end the wait, with what a resume needs. Store it to survive
   * a restart. Errors and returned promises are handled as `onUpdate`'s.
   */
  onProgress?: ((state: WaitState<S["handle"]>) => void) | undefined;
  /**
   * By default a job that ends failed or cancelled resolves the wait (the wait did its work: it
   * learned the outcome). Set this to reject with a JobFailedError instead.
   */
  throwOnFailure?: boolean | undefined;
  /** Poll schedule overrides (initial delay, min and max interval, patience, jitter, adaptive); they win over the watcher's `poll` and the provider's defaults. */
  poll?: PollPolicyOptions | undefined;
  /**
   * Time limit per status request, always cut to the time left before the deadline. Default, and
   * upper bound: the client's own `timeoutMs` (30 s unless set).
   */
  requestTimeoutMs?: number | undefined;
  /** Transient failures in a row before the wait gives up with the last one (default 20). */
  maxConsecutiveFailures?: number | undefined;
  /** Poll interval while a webhook is expected (handle.webhook), as a fallback (default 60 s). */
  webhookFallbackMs?: number | undefined;
  /**
   * Poll interval while the provider's push connection is up (Comfy Cloud's WebSocket), as a
   * fallback (default 60 s, as for webhooks): a pushed job end is confirmed at once with one status request, and
   * while the connection is down the job polls by its usual policy.
   */
  pushFallbackMs?: number | undefined;
  /** The rate limiter to share budgets with (default: the watcher's, else the process-wide one). */
  limiter?: RateLimiter | undefined;
}

/**
 * Options of `createWatcher`: what all of its jobs share. `logger` and `logLevel` (or `JOBSTATUS_LOG`)
 * log each retry decision at `info` and each sleep at `debug`, for every job not given its own.
 */
export interface WatcherOptions extends LogOptions {
  /** Most status requests in flight at once (default 32). */
  maxInFlight?: number | undefined;
  /** The rate limiter to share budgets with (default: the process-wide one). */
  limiter?: RateLimiter | undefined;
  /** Extra request budgets per provider, on top of the provider's own (DeepAffects: 5/min, 100/day). */
  rateBudgets?: Partial<Record<ProviderName, RateBudget[]>> | undefined;
  /** Learn job durations per kind and place polls where jobs end; an object resumes learned state. */
  adaptive?: boolean | Record<string, AdaptiveState> | undefined;
  /**
   * Poll schedule defaults for every job of this watcher: they win over each provider's defaults
   * (Dify's 30 s ceiling, DeepAffects' 12 s floor), and a job's own `poll` wins over them.
   */
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

/** The last time a Date can hold (ms since epoch): a deadline past it is no deadline. */
const LAST_DATE_MS = 8.64e15;
const DAY_MS = 24 * 60 * 60 * 1000;

export function toWaitState(entry: SavableEntry): WaitState {
  const model: AdaptiveModel | false = entry.policy.adaptive;
  return {
    version: 1,
    handle: entry.handle,
    deadline: entry.deadline === Infinity ? null : isoOf(entry.deadline),
    attempts: entry.attempts,
    failures: entry.failures,
    nextPollAt: isoOf(entry.nextPollAt),
    ...(entry.last ? { lastState: entry.last.state } : {}),
    ...(model ? { adaptive: model.toJSON() } : {}),
  };
}

/** An ISO 8601 time for any ms value: toISOString throws a RangeError outside ±8.64e15. */
function isoOf(ms: number): string {
  return new Date(Math.min(LAST_DATE_MS, Math.max(-LAST_DATE_MS, Number.isNaN(ms) ? Date.now() : ms))).toISOString();
}

/**
 * The absolute deadline in ms, Infinity for none: a resumed wait keeps its saved one; without
 * `timeoutMs` or `deadline` it is `defaultMs` (the provider's default) from now.
 */
export function deadlineOf(saved: WaitState | undefined, options: WaitOptions<any>, now: number, defaultMs = Infinity): number {
  let at = Infinity;
  if (saved) {
    if (saved.deadline !== null) at = Date.parse(saved.deadline);
    if (Number.isNaN(at)) throw new InvalidArgumentError("The saved wait's deadline is not an ISO 8601 time.");
  } else if (options.deadline !== undefined) {
    at = typeof options.deadline === "number" ? options.deadline : Date.parse(options.deadline);
    if (!Number.isFinite(at))
      throw new InvalidArgumentError(`deadline must be an ISO 8601 time or ms since epoch, got ${String(options.deadline)}.`);
  } else at = now + (options.timeoutMs ?? defaultMs);
  // One past the last time a Date can hold could not be saved: it is no deadline.
  return at >= LAST_DATE_MS ? Infinity : at;
}

/**
 * Throws an InvalidArgumentError naming the first bad number among a wait's options, before any
 * request: 0, a negative number or NaN would otherwise mean an instant timeout, a retry storm or
 * a wait that never gives up.
 */
export function checkWaitOptions(options: WaitOptions<any>): void {
  const limits = {
    timeoutMs: Infinity,
    requestTimeoutMs: Infinity,
    webhookFallbackMs: DAY_MS,
    pushFallbackMs: DAY_MS,
    maxConsecutiveFailures: Infinity,
  } as const;
  for (const [name, max] of Object.entries(limits)) {
    const value: unknown = options[name as keyof typeof limits];
    // Failures are counted: a fraction would read as the next whole number.
    const whole = name !== "maxConsecutiveFailures" || Number.isInteger(value) || value === Infinity;
    if (value !== undefined && !(typeof value === "number" && value > 0 && value <= max && whole)) {
      throw new InvalidArgumentError(
        `${name} must be a ${whole ? "" : "whole "}number in (0, ${max}], got ${typeof value === "number" ? value : typeof value}.`,
      );
    }
  }
}

/** What one watched job runs by, each option resolved once (see {@link resolveJobOptions}). */
export interface ResolvedJobOptions {
  policy: PollPolicy;
  /** The schedule while the provider's push connection is up; undefined for a provider without push. */
  pushPolicy: PollPolicy | undefined;
  /** When the job started, ms since epoch; never later than now. */
  startedAt: number;
  /** Absolute deadline in ms; Infinity for none. */
  deadline: number;
  /** The last poll's time: a little before the deadline, so that its answer lands in time. */
  lastCheckAt: number;
  /** The job's own request time limit; undefined leaves the client's (its `timeoutMs`, 30 s by default). */
  requestTimeoutMs: number | undefined;
  maxConsecutiveFailures: number;
  limiter: RateLimiter;
  rateBudgets: readonly RateBudget[];
}

const DEFAULT_MAX_FAILURES = 20;
/** Poll interval of a job that expects a webhook, as a fallback; the fleet's workers use it too. */
export const DEFAULT_WEBHOOK_FALLBACK_MS = 60_000;
// As slow as a webhook's fallback: the pushed end is the fast path, the poll only a safety net.
const DEFAULT_PUSH_FALLBACK_MS = DEFAULT_WEBHOOK_FALLBACK_MS;

/** A schedule no faster than `fallbackMs`: a fallback slower than the ceiling (DeepAffects' is 2 min) raises the ceiling with it. */
function fallbackLayer(fallbackMs: number, layers: Array<PollPolicyOptions | PollDefaults | undefined>): PollPolicyOptions {
  const ceiling = Math.max(fallbackMs, resolvePollPolicy(...layers).maxIntervalMs);
  return { minIntervalMs: fallbackMs, initialDelayMs: fallbackMs, maxIntervalMs: ceiling };
}

/**
 * Every option of one job, resolved in one place and one order: library defaults < the provider's
 * defaults < the watcher's options < the job's own. A resumed wait keeps its saved deadline, and a
 * job that expects a webhook polls no faster than its fallback interval.
 */
export function resolveJobOptions(input: {
  provider: JobProvider<any, any>;
  handle: JobHandle;
  saved: WaitState | undefined;
  watcher: WatcherOptions;
  job: WaitOptions<any>;
  adaptive: AdaptiveModel | false;
  now: number;
}): ResolvedJobOptions {
  const { provider, handle, saved, watcher, job, now } = input;
  const startedAtGiven = Date.parse(handle.startedAt);
  if (Number.isNaN(startedAtGiven))
    throw new InvalidArgumentError(`${handle.provider}: handle.startedAt must be an ISO 8601 time.`, { provider: handle.provider });
  // A job cannot have started later than now: a clock ahead elsewhere must not postpone its first poll.
  const startedAt = Math.min(startedAtGiven, now);
  const deadline = deadlineOf(saved, job, now, provider.pollDefaults.defaultTimeoutMs);
  const layers = [provider.pollDefaults, watcher.poll, job.poll];
  const fallbackMs = "webhook" in handle && handle.webhook ? (job.webhookFallbackMs ?? DEFAULT_WEBHOOK_FALLBACK_MS) : 0;
  if (fallbackMs > 0) layers.push(fallbackLayer(fallbackMs, layers));
  const policy = resolvePollPolicy(...layers, { adaptive: job.poll?.adaptive ?? input.adaptive });
  const pushPolicy = provider.push
    ? resolvePollPolicy(...layers, fallbackLayer(job.pushFallbackMs ?? DEFAULT_PUSH_FALLBACK_MS, layers))
    : undefined;
  const extra = watcher.rateBudgets?.[provider.provider];
  return {
    policy,
    pushPolicy,
    startedAt,
    deadline,
    lastCheckAt: deadline === Infinity ? Infinity : deadline - Math.min(1_000, (deadline - now) / 10),
    requestTimeoutMs: job.requestTimeoutMs,
    maxConsecutiveFailures: job.maxConsecutiveFailures ?? DEFAULT_MAX_FAILURES,
    limiter: job.limiter ?? watcher.limiter ?? sharedRateLimiter,
    rateBudgets: extra ? [...provider.rateBudgets, ...extra] : provider.rateBudgets,
  };
}
