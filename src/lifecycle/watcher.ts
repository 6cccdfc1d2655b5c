/**
 * Many jobs on one scheduler: a cap on requests in flight, rate budgets and shared 429 backoff per
 * key, webhook deliveries ending waits without another poll. `wait` and `watch` are a watcher of one.
 */
import { clipText } from "../core/clip.js";
import { InvalidArgumentError, JobFailedError, JobStatusError, TimeoutError, type ProviderName } from "../core/errors.js";
import { pollRetry } from "../core/retry.js";
import { createLog, type Log } from "../core/log.js";
import type { JobHandle, JobProvider, JobSnapshot } from "../core/state.js";
import { createAsyncQueue } from "./async-queue.js";
import { createAdaptiveModel, type AdaptiveModel } from "./adaptive.js";
import { nextPollDelay, resolvePollPolicy, type PollPolicy } from "./policy.js";
import { createEarlyDeliveries } from "./early-deliveries.js";
import { createScheduler, MAX_TIMER_MS } from "./scheduler.js";
import { checkWaitOptions, resolveJobOptions, toWaitState, type ResolvedJobOptions, type WaitOptions, type WaitState, type WatcherOptions } from "./options.js";

export type { WaitOptions, WaitState, WatcherOptions };

/** How one watched job ended: its terminal snapshot, or the error that ended the wait. */
export type JobResult<S extends JobSnapshot = JobSnapshot> = { handle: S["handle"]; snapshot: S; error?: undefined } | { handle: S["handle"]; snapshot?: S | undefined; error: unknown };

/** One job on a watcher: its result as a promise, its saved state, and a way to stop watching it. */
export interface WatchedJob<S extends JobSnapshot = JobSnapshot> {
  readonly handle: S["handle"];
  /** Resolves with the terminal snapshot; rejects with a typed error (or the abort reason). */
  readonly result: Promise<S>;
  /** Everything needed to resume this wait elsewhere, as plain JSON. */
  save(): WaitState<S["handle"]>;
  /** Stops watching this job: its result rejects with an InvalidArgumentError saying so. */
  remove(): void;
}

/** Many jobs on one scheduler, with requests in flight capped and rate budgets shared per key. */
export interface Watcher {
  /** Starts watching a job (or resumes a saved wait); the job's result settles like `wait`'s. */
  add<H extends JobHandle, Raw>(provider: JobProvider<H, Raw>, job: H | WaitState<H>, options?: WaitOptions<JobSnapshot<Raw, H>>): WatchedJob<JobSnapshot<Raw, H>>;
  /** Calls `listener` on every change of a job's state or raw status. Returns an unsubscribe function. */
  on(event: "update", listener: (snapshot: JobSnapshot) => void): () => void;
  /** Calls `listener` once per job when its wait ends. */
  on(event: "settled", listener: (result: JobResult) => void): () => void;
  /**
   * Calls `listener` with an error of the caller's code that no job's result can carry: a throw (or
   * rejected promise) of a `settled` listener, or of a callback whose job had already ended. Errors
   * of `update` listeners, `onUpdate` and `onProgress` end their job's wait instead, while it runs.
   * Each listener runs whatever the others do. With no `error` listener, such an error is rethrown
   * asynchronously as an uncaught exception, as Node's EventEmitter does, so it is never lost.
   */
  on(event: "error", listener: (error: unknown, handle: JobHandle) => void): () => void;
  /** Settled jobs as they end; the iteration finishes once no job is left (or on close). */
  results(): AsyncIterableIterator<JobResult>;
  /**
   * Hands a webhook delivery to the job it is for. False when no watched job matches: the delivery is
   * then held for a job added soon after, within `earlyDeliveries` limits (by default 1 000
   * deliveries, 16 MiB and 60 s), and dropped past them; that job learns its outcome by polling.
   */
  deliver(provider: ProviderName, jobId: string, payload: unknown): boolean;
  /** The saved state of every job still watched. */
  save(): WaitState[];
  readonly size: number;
  readonly inFlight: number;
  /** Stops every job (their results reject), every timer and every request in flight. */
  close(): void;
}

interface Entry {
  provider: JobProvider<any, any>;
  handle: JobHandle;
  options: WaitOptions<any>;
  /** Its options, resolved once from every layer. */
  resolved: ResolvedJobOptions;
  policy: PollPolicy;
  startedAt: number;
  deadline: number;
  lastCheckAt: number;
  nextPollAt: number;
  attempts: number;
  failures: number;
  invalid: number;
  last: JobSnapshot | undefined;
  cancelTimer: (() => void) | undefined;
  cancelDeadline: (() => void) | undefined;
  ended: boolean;
  /** Promises returned by this job's callbacks that have not settled yet; the job takes no step before they do. */
  callbacksPending: number;
  /** The steps that wait for them, in order: the next poll, the end of the job. */
  afterCallbacks: Array<() => void>;
  request: AbortController | undefined;
  unlisten: (() => void) | undefined;
  resolve: (snapshot: JobSnapshot) => void;
  reject: (error: unknown) => void;
  job: WatchedJob<any>;
  log: Log;
}

const DEFAULT_MAX_IN_FLIGHT = 32;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A watcher for many jobs at once: one timer over all of them, at most `maxInFlight` requests in
 * flight, the providers' rate budgets per key, and a 429 on one job pausing every job of its key.
 * @example
 * const watcher = createWatcher({ maxInFlight: 32 });
 * const job = watcher.add(comfy, handle, { timeoutMs: 3_600_000 });
 * watcher.on("settled", ({ handle, snapshot, error }) => save(handle, snapshot ?? error));
 * const done = await job.result;
 * watcher.close();
 */
export function createWatcher(watcherOptions: WatcherOptions = {}): Watcher {
  const scheduler = createScheduler();
  const maxInFlight = watcherOptions.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new InvalidArgumentError(`maxInFlight must be a whole number ≥ 1, got ${String(maxInFlight)}.`);
  resolvePollPolicy(watcherOptions.poll);
  checkRateBudgets(watcherOptions.rateBudgets);
  const jobs = new Map<string, Entry>();
  const ready: Entry[] = [];
  const updateListeners = new Set<(s: JobSnapshot) => void>();
  const settledListeners = new Set<(r: JobResult) => void>();
  const errorListeners = new Set<(error: unknown, handle: JobHandle) => void>();
  const earlyDeliveries = createEarlyDeliveries(watcherOptions.earlyDeliveries);
  const watcherLog = createLog(watcherOptions);
  const models = new Map<string, AdaptiveModel>();
  let inFlight = 0;
  let closed = false;

  const keyOf = (provider: ProviderName, jobId: string) => `${provider}:${jobId}`;

  function modelFor(provider: JobProvider<any, any>, handle: JobHandle, saved: WaitState | undefined): AdaptiveModel | false {
    if (!watcherOptions.adaptive && !saved?.adaptive) return false;
    const kind = provider.kindOf(handle);
    let model = models.get(kind);
    if (model === undefined) {
      const learned = saved?.adaptive ?? (typeof watcherOptions.adaptive === "object" ? watcherOptions.adaptive[kind] : undefined);
      model = createAdaptiveModel(learned);
      models.set(kind, model);
    }
    return model;
  }

  function schedule(entry: Entry, at: number): void {
    entry.nextPollAt = Math.min(at, entry.lastCheckAt);
    entry.cancelTimer = scheduler.at(entry.nextPollAt, () => {
      entry.cancelTimer = undefined;
      poll(entry);
    });
  }

  function scheduleNext(entry: Entry, retryAfterMs: number | undefined): number {
    const now = Date.now();
    const delay = nextPollDelay(entry.policy, {
      elapsedMs: now - entry.startedAt,
      attempt: entry.attempts,
      consecutiveFailures: entry.failures,
      retryAfterMs,
      remainingMs: Math.max(0, entry.lastCheckAt - now),
    });
    entry.log.debug?.(`${nameOf(entry.handle)}: ${entry.last ? `${entry.last.state}, ` : ""}next poll in ${delay} ms`);
    schedule(entry, now + delay);
    return delay;
  }

  function poll(entry: Entry): void {
    if (entry.ended) return;
    if (entry.callbacksPending > 0) {
      entry.afterCallbacks.push(() => poll(entry));
      return;
    }
    if (inFlight >= maxInFlight) {
      ready.push(entry);
      return;
    }
    const now = Date.now();
    const timeLeft = entry.deadline - now;
    if (timeLeft <= 0) return timeOut(entry, undefined);
    const { limiter, rateBudgets } = entry.resolved;
    const allowedAt = limiter.acquire(entry.provider.rateKey, rateBudgets, now);
    if (allowedAt > now) {
      if (now >= entry.lastCheckAt) return timeOut(entry, undefined);
      entry.log.debug?.(`${nameOf(entry.handle)}: waiting ${allowedAt - now} ms for a request slot of its key's rate budget`);
      return schedule(entry, allowedAt);
    }
    const request = new AbortController();
    entry.request = request;
    inFlight++;
    // Unset, the client's own time limit holds (it caps any longer one too).
    const requestTimeoutMs = Math.min(entry.resolved.requestTimeoutMs ?? Infinity, timeLeft, MAX_TIMER_MS);
    let answer: Promise<JobSnapshot>;
    try {
      answer = entry.provider.status(entry.handle, { signal: request.signal, timeoutMs: requestTimeoutMs });
    } catch (error) {
      answer = Promise.reject(error); // a hand-made provider that throws: same path as a failed request
    }
    answer
      .then(
        (snapshot) => done(entry, request) && observed(entry, snapshot),
        (error) => done(entry, request) && failed(entry, error),
      )
      // A hand-made provider's snapshot that breaks the rules ends its job's wait, not the process.
      .catch((error: unknown) => settle(entry, undefined, error));
  }

  /** Bookkeeping when a request ends: its rate slot and its place in flight. False when its job was settled meanwhile. */
  function done(entry: Entry, request: AbortController): boolean {
    entry.resolved.limiter.release(entry.provider.rateKey, entry.resolved.rateBudgets, Date.now());
    inFlight--;
    while (ready.length > 0 && inFlight < maxInFlight) {
      const next = ready.shift()!;
      if (jobs.get(keyOf(next.handle.provider, next.handle.jobId)) === next) poll(next);
    }
    if (entry.request !== request) return false;
    entry.request = undefined;
    return true;
  }

  function observed(entry: Entry, snapshot: JobSnapshot): void {
    entry.attempts++;
    entry.failures = 0;
    entry.invalid = 0;
    const previous = entry.last;
    entry.last = snapshot;
    if (!previous || previous.state !== snapshot.state || previous.rawStatus !== snapshot.rawStatus) update(entry, snapshot);
    afterCallbacks(entry, () => {
      if (snapshot.terminal) return finish(entry, snapshot, previous);
      if (Date.now() >= entry.lastCheckAt) return timeOut(entry, undefined);
      scheduleNext(entry, snapshot.retryAfterMs);
      callBack(entry, entry.options.onProgress, toWaitState(entry));
    });
  }

  function failed(entry: Entry, error: unknown): void {
    const verdict = pollRetry(error, entry.invalid);
    const what = `${nameOf(entry.handle)}: poll failed (${error instanceof Error ? error.name : "error"})`;
    if (!verdict.retry) {
      entry.log.info?.(`${what}, which polling again would not change: the wait ends`);
      return settle(entry, undefined, error);
    }
    entry.invalid = verdict.invalidInARow;
    entry.attempts++;
    entry.failures++;
    const maxFailures = entry.resolved.maxConsecutiveFailures;
    if (entry.failures > maxFailures) {
      entry.log.info?.(`${what}, ${entry.failures} in a row, over maxConsecutiveFailures (${maxFailures}): the wait ends`);
      return settle(entry, undefined, error);
    }
    const now = Date.now();
    if (now >= entry.lastCheckAt) return timeOut(entry, error);
    const { retryAfterMs } = verdict;
    if (verdict.rateLimited) {
      // Every job of this key backs off together: one 429 is news for all of them.
      const pause = nextPollDelay(entry.policy, { elapsedMs: now - entry.startedAt, attempt: entry.attempts, consecutiveFailures: entry.failures, retryAfterMs });
      entry.resolved.limiter.pause(entry.provider.rateKey, now + pause);
      entry.log.info?.(`${nameOf(entry.handle)}: every job of this key pauses ${pause} ms after a 429`);
    }
    const delay = scheduleNext(entry, retryAfterMs);
    entry.log.info?.(`${what}, ${entry.failures} in a row; retrying in ${delay} ms`);
    callBack(entry, entry.options.onProgress, toWaitState(entry));
  }

  function update(entry: Entry, snapshot: JobSnapshot): void {
    callBack(entry, entry.options.onUpdate, snapshot);
    for (const listener of updateListeners) callBack(entry, listener, snapshot);
  }

  /**
   * Runs caller code for a job. A promise it returns holds the job's next step until it settles, so
   * that a caller's writes land in order and before the wait ends; a throw or a rejection ends that
   * job's wait. The deadline still holds meanwhile.
   */
  function callBack<T>(entry: Entry, callback: ((value: T) => unknown) | undefined, value: T): void {
    if (!callback) return;
    const fail = (thrown: unknown) => {
      // A result whose error is undefined would read as a success to `if (result.error)`.
      const error = thrown ?? new Error(`A callback threw ${thrown}.`);
      if (entry.ended) report(error, entry.handle);
      else settle(entry, undefined, error);
    };
    let returned: PromiseLike<unknown> | undefined;
    try {
      returned = callback(value) as PromiseLike<unknown> | undefined;
      if (typeof returned?.then !== "function") return;
      entry.callbacksPending++;
      let counted = true;
      const settled = (thrown?: { error: unknown }) => {
        if (!counted) return;
        counted = false;
        entry.callbacksPending--;
        if (thrown) return fail(thrown.error);
        if (entry.callbacksPending === 0 && !entry.ended) runAfterCallbacks(entry);
      };
      try {
        returned.then(() => settled(), (error: unknown) => settled({ error }));
      } catch (error) {
        settled({ error });
      }
    } catch (error) {
      fail(error);
    }
  }

  /** Takes `step` now, or once the job's pending callback promises have settled. */
  function afterCallbacks(entry: Entry, step: () => void): void {
    if (entry.ended) return;
    if (entry.callbacksPending > 0) entry.afterCallbacks.push(step);
    else step();
  }

  function runAfterCallbacks(entry: Entry): void {
    while (entry.afterCallbacks.length > 0 && entry.callbacksPending === 0 && !entry.ended) entry.afterCallbacks.shift()!();
  }

  /** An error of the caller's code that no job's result can carry: to the `error` listeners, or rethrown. */
  function report(error: unknown, handle: JobHandle): void {
    if (errorListeners.size === 0) return rethrowLater(error);
    for (const listener of errorListeners) guarded(() => listener(error, handle), rethrowLater);
  }

  function finish(entry: Entry, snapshot: JobSnapshot, previous: JobSnapshot | undefined): void {
    const model = entry.policy.adaptive;
    // The job ended between the last poll that saw it running and this one: the model learns that span.
    const age = (s: JobSnapshot) => Math.max(0, Date.parse(s.observedAt) - entry.startedAt);
    if (model) model.observe(age(snapshot), previous && !previous.terminal ? age(previous) : undefined);
    if (entry.options.throwOnFailure && snapshot.state !== "succeeded") {
      const { provider, jobId } = snapshot.handle;
      const said = snapshot.errorMessage ? `: ${clipText(snapshot.errorMessage, 300).replace(/[.\s]+$/, "")}` : "";
      return settle(entry, undefined, new JobFailedError(`${provider} job ${jobId} ended ${snapshot.state} (${clipText(snapshot.rawStatus ?? "no status", 120)})${said}.`, { provider, snapshot }));
    }
    settle(entry, snapshot, undefined);
  }

  function timeOut(entry: Entry, cause: unknown): void {
    const { provider, jobId } = entry.handle;
    const last = entry.last ? `; last seen ${entry.last.state} (${clipText(entry.last.rawStatus ?? "no status", 120)})` : "; no answer yet";
    settle(entry, undefined, new TimeoutError(`${provider} job ${jobId} did not end before the wait's deadline${last}. Wait again with a later deadline, or check the job at the provider.`, {
      provider,
      kind: "wait",
      lastSnapshot: entry.last,
      cause: cause instanceof JobStatusError ? cause : undefined,
    }));
  }

  /** The cause of a deadline reached while a status request was still out: that request got no answer in time. */
  function unanswered(entry: Entry): TimeoutError {
    const { provider, jobId } = entry.handle;
    return new TimeoutError(`${provider} status request for job ${jobId} got no answer before the wait's deadline.`, { provider, kind: "request" });
  }

  function settle(entry: Entry, snapshot: JobSnapshot | undefined, error: unknown): void {
    const key = keyOf(entry.handle.provider, entry.handle.jobId);
    if (entry.ended || jobs.get(key) !== entry) return;
    entry.ended = true;
    entry.afterCallbacks.length = 0;
    jobs.delete(key);
    entry.cancelTimer?.();
    entry.cancelDeadline?.();
    entry.request?.abort();
    entry.request = undefined;
    entry.unlisten?.();
    if (snapshot) entry.resolve(snapshot);
    else entry.reject(error);
    const result: JobResult = snapshot ? { handle: entry.handle, snapshot } : { handle: entry.handle, snapshot: entry.last, error };
    for (const listener of settledListeners) guarded(() => listener(result), (thrown) => report(thrown, entry.handle));
  }

  function add<H extends JobHandle, Raw>(provider: JobProvider<H, Raw>, job: H | WaitState<H>, options: WaitOptions<JobSnapshot<Raw, H>> = {}): WatchedJob<JobSnapshot<Raw, H>> {
    if (closed) throw new InvalidArgumentError("This watcher is closed; create a new one to watch more jobs.");
    checkWaitOptions(options);
    const log = options.logger !== undefined || options.logLevel !== undefined ? createLog(options) : watcherLog;
    const saved = isWaitState(job) ? job : undefined;
    const handle = provider.checkHandle(saved ? saved.handle : job);
    const key = keyOf(handle.provider, handle.jobId);
    const existing = jobs.get(key);
    if (existing) return existing.job;
    options.signal?.throwIfAborted();

    const now = Date.now();
    const adaptive = options.poll?.adaptive === undefined ? modelFor(provider, handle, saved) : false;
    const resolved = resolveJobOptions({ provider, handle, saved, watcher: watcherOptions, job: options, adaptive, now });
    const { policy, startedAt, deadline, lastCheckAt } = resolved;

    let resolve!: (s: JobSnapshot) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<JobSnapshot<Raw, H>>((res, rej) => {
      resolve = res as (s: JobSnapshot) => void;
      reject = rej;
    });
    // A caller who only listens to events must not get unhandled rejections; awaiting still throws.
    result.catch(() => {});
    const entry: Entry = {
      provider, handle, options, resolved, policy, startedAt, deadline, lastCheckAt,
      nextPollAt: 0, attempts: saved?.attempts ?? 0, failures: saved?.failures ?? 0, invalid: 0,
      last: undefined, cancelTimer: undefined, cancelDeadline: undefined, ended: false, callbacksPending: 0, afterCallbacks: [], request: undefined, unlisten: undefined,
      resolve, reject,
      job: undefined as unknown as WatchedJob,
      log,
    };
    entry.job = {
      handle,
      result,
      save: () => toWaitState(entry) as WaitState<H>,
      remove: () => settle(entry, undefined, new InvalidArgumentError(`${handle.provider} job ${handle.jobId} was removed from the watcher before it ended.`, { provider: handle.provider })),
    };
    jobs.set(key, entry);
    // The deadline holds whatever else waits: a request slot, a rate slot, or an answer that is late.
    if (deadline !== Infinity) entry.cancelDeadline = scheduler.at(deadline, () => timeOut(entry, entry.request ? unanswered(entry) : undefined));
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => settle(entry, undefined, signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      entry.unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    const early = earlyDeliveries.take(key);
    try {
      if (early !== undefined && deliverTo(entry, early)) return entry.job;
    } catch (error) {
      // As a throw while handling a poll's answer: it ends this job's wait, never leaves it unscheduled.
      settle(entry, undefined, error);
      return entry.job;
    }
    const first = saved ? Math.min(Date.parse(saved.nextPollAt), now + DAY_MS) : startedAt + policy.initialDelayMs;
    schedule(entry, Math.max(now, Number.isNaN(first) ? now : first));
    return entry.job;
  }

  function deliverTo(entry: Entry, payload: unknown): boolean {
    const snapshot = entry.provider.fromWebhook?.(entry.handle, payload);
    if (!snapshot) return false;
    const previous = entry.last;
    entry.last = snapshot;
    update(entry, snapshot);
    if (snapshot.terminal) afterCallbacks(entry, () => finish(entry, snapshot, previous));
    return true;
  }

  const watcher: Watcher = {
    add,
    on(event: "update" | "settled" | "error", listener: (value: any, handle?: any) => void) {
      const set: Set<(value: any, handle?: any) => void> = event === "update" ? updateListeners : event === "settled" ? settledListeners : errorListeners;
      set.add(listener);
      return () => set.delete(listener);
    },
    results() {
      const queue = createAsyncQueue<JobResult>({ over: () => jobs.size === 0 || closed, stop: () => off() });
      const off = watcher.on("settled", (result) => queue.push(result));
      return queue.iterator;
    },
    deliver(provider, jobId, payload) {
      const key = keyOf(provider, jobId);
      const entry = jobs.get(key);
      if (entry) return deliverTo(entry, payload);
      earlyDeliveries.hold(key, payload);
      return false;
    },
    save: () => [...jobs.values()].map(toWaitState),
    get size() {
      return jobs.size;
    },
    get inFlight() {
      return inFlight;
    },
    close() {
      if (closed) return;
      const error = new InvalidArgumentError("The watcher was closed before this job ended.");
      for (const entry of [...jobs.values()]) settle(entry, undefined, error);
      closed = true;
      ready.length = 0;
      scheduler.close();
      earlyDeliveries.clear();
    },
  };
  return watcher;
}

/** Calls caller code; a throw, or a rejection of the promise it returns, goes to `fail`. */
function guarded(code: () => unknown, fail: (error: unknown) => void): void {
  try {
    const returned = code() as PromiseLike<unknown> | undefined;
    if (typeof returned?.then === "function") returned.then(undefined, fail);
  } catch (error) {
    fail(error);
  }
}

/** As an uncaught exception: Node exits with its stack unless the process handles it; browsers log it. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function checkRateBudgets(extra: WatcherOptions["rateBudgets"] = {}): void {
  for (const [provider, budgets] of Object.entries(extra)) {
    for (const { requests, intervalMs } of budgets ?? []) {
      if (!(Number.isInteger(requests) && requests >= 1 && Number.isFinite(intervalMs) && intervalMs > 0 && intervalMs <= MAX_TIMER_MS)) {
        throw new InvalidArgumentError(`rateBudgets.${provider}: each budget needs whole requests ≥ 1 and intervalMs in (0, ${MAX_TIMER_MS}].`);
      }
    }
  }
}

function isWaitState<H extends JobHandle>(job: H | WaitState<H>): job is WaitState<H> {
  return typeof job === "object" && job !== null && (job as WaitState).version === 1 && "handle" in job;
}

/** How a log line names a job: its provider and id (never a key). */
function nameOf(handle: JobHandle): string {
  return `${handle.provider} job ${handle.jobId}`;
}
