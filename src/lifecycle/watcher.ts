/**
 * Many jobs on one scheduler: a cap on requests in flight, rate budgets and shared 429 backoff per
 * key, webhook deliveries ending waits without another poll. `wait` and `watch` are a watcher of one.
 */
import { InvalidArgumentError, JobFailedError, JobStatusError, InvalidResponseError, RateLimitError, TimeoutError, type ProviderName } from "../core/errors.js";
import type { JobHandle, JobProvider, JobSnapshot, RateBudget } from "../core/state.js";
import { createAdaptiveModel, type AdaptiveModel } from "./adaptive.js";
import { sharedRateLimiter, type RateLimiter } from "./limiter.js";
import { nextPollDelay, resolvePollPolicy, type PollPolicy } from "./policy.js";
import { createScheduler } from "./scheduler.js";
import { deadlineOf, toWaitState, type WaitOptions, type WaitState, type WatcherOptions } from "./options.js";

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
  /** Settled jobs as they end; the iteration finishes once no job is left (or on close). */
  results(): AsyncIterableIterator<JobResult>;
  /** Hands a webhook delivery to the job it is for. False when no watched job matches (it is kept briefly). */
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
  request: AbortController | undefined;
  unlisten: (() => void) | undefined;
  resolve: (snapshot: JobSnapshot) => void;
  reject: (error: unknown) => void;
  job: WatchedJob<any>;
}

const DEFAULT_MAX_IN_FLIGHT = 32;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_FAILURES = 20;
// A run of bodies that are not what the document says is a broken integration, not a blip.
const MAX_INVALID_RESPONSES = 3;
const WEBHOOK_MEMORY = 1_000;

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
  const limiter: RateLimiter = watcherOptions.limiter ?? sharedRateLimiter;
  const maxInFlight = watcherOptions.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new InvalidArgumentError(`maxInFlight must be a whole number ≥ 1, got ${String(maxInFlight)}.`);
  const jobs = new Map<string, Entry>();
  const ready: Entry[] = [];
  const updateListeners = new Set<(s: JobSnapshot) => void>();
  const settledListeners = new Set<(r: JobResult) => void>();
  const earlyDeliveries = new Map<string, unknown>();
  const models = new Map<string, AdaptiveModel>();
  let inFlight = 0;
  let closed = false;

  const keyOf = (provider: ProviderName, jobId: string) => `${provider}:${jobId}`;

  function budgetsOf(provider: JobProvider<any, any>): readonly RateBudget[] {
    const extra = watcherOptions.rateBudgets?.[provider.provider];
    return extra ? [...provider.rateBudgets, ...extra] : provider.rateBudgets;
  }

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

  function scheduleNext(entry: Entry, retryAfterMs: number | undefined): void {
    const now = Date.now();
    const delay = nextPollDelay(entry.policy, {
      elapsedMs: now - entry.startedAt,
      attempt: entry.attempts,
      consecutiveFailures: entry.failures,
      retryAfterMs,
      remainingMs: Math.max(0, entry.lastCheckAt - now),
    });
    schedule(entry, now + delay);
  }

  function poll(entry: Entry): void {
    if (inFlight >= maxInFlight) {
      ready.push(entry);
      return;
    }
    const now = Date.now();
    const timeLeft = entry.deadline - now;
    if (timeLeft <= 0) return timeOut(entry, undefined);
    const budgets = budgetsOf(entry.provider);
    const allowedAt = limiter.acquire(entry.provider.rateKey, budgets, now);
    if (allowedAt > now) {
      if (now >= entry.lastCheckAt) return timeOut(entry, undefined);
      return schedule(entry, allowedAt);
    }
    const request = new AbortController();
    entry.request = request;
    inFlight++;
    const requestTimeoutMs = Math.min(entry.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, timeLeft);
    let answer: Promise<JobSnapshot>;
    try {
      answer = entry.provider.status(entry.handle, { signal: request.signal, timeoutMs: requestTimeoutMs });
    } catch (error) {
      answer = Promise.reject(error); // a hand-made provider that throws: same path as a failed request
    }
    answer
      .then(
        (snapshot) => done(entry, request, budgets) && observed(entry, snapshot),
        (error) => done(entry, request, budgets) && failed(entry, error),
      )
      // A throw in the caller's onUpdate/onProgress (or from a hand-made provider's snapshot) used to be
      // an unhandled rejection that left the job unsettled, past its deadline: it now ends that job's
      // wait with the thrown error (test/reliability/callbacks.test.ts).
      .catch((error: unknown) => settle(entry, undefined, error));
  }

  /** Bookkeeping when a request ends: its rate slot and its place in flight. False when its job was settled meanwhile. */
  function done(entry: Entry, request: AbortController, budgets: readonly RateBudget[]): boolean {
    limiter.release(entry.provider.rateKey, budgets, Date.now());
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
    if (snapshot.terminal) return finish(entry, snapshot, previous);
    if (Date.now() >= entry.lastCheckAt) return timeOut(entry, undefined);
    scheduleNext(entry, snapshot.retryAfterMs);
    entry.options.onProgress?.(toWaitState(entry));
  }

  function failed(entry: Entry, error: unknown): void {
    const retryable =
      error instanceof JobStatusError &&
      (error.transient || (error instanceof InvalidResponseError && ++entry.invalid <= MAX_INVALID_RESPONSES));
    if (!retryable) return settle(entry, undefined, error);
    entry.attempts++;
    entry.failures++;
    if (entry.failures > (entry.options.maxConsecutiveFailures ?? DEFAULT_MAX_FAILURES)) return settle(entry, undefined, error);
    const now = Date.now();
    if (now >= entry.lastCheckAt) return timeOut(entry, error);
    if (error instanceof RateLimitError) {
      // Every job of this key backs off together: one 429 is news for all of them.
      const pause = error.retryAfterMs ?? nextPollDelay(entry.policy, { elapsedMs: now - entry.startedAt, attempt: entry.attempts, consecutiveFailures: entry.failures });
      limiter.pause(entry.provider.rateKey, now + pause);
    }
    scheduleNext(entry, error instanceof RateLimitError ? error.retryAfterMs : undefined);
    entry.options.onProgress?.(toWaitState(entry));
  }

  function update(entry: Entry, snapshot: JobSnapshot): void {
    entry.options.onUpdate?.(snapshot);
    for (const listener of updateListeners) listener(snapshot);
  }

  function finish(entry: Entry, snapshot: JobSnapshot, previous: JobSnapshot | undefined): void {
    const model = entry.policy.adaptive;
    // The job ended between the last poll that saw it running and this one: the model learns that span.
    const age = (s: JobSnapshot) => Math.max(0, Date.parse(s.observedAt) - entry.startedAt);
    if (model) model.observe(age(snapshot), previous && !previous.terminal ? age(previous) : undefined);
    if (entry.options.throwOnFailure && snapshot.state !== "succeeded") {
      const { provider, jobId } = snapshot.handle;
      const said = snapshot.errorMessage ? `: ${snapshot.errorMessage.slice(0, 300).replace(/[.\s]+$/, "")}` : "";
      return settle(entry, undefined, new JobFailedError(`${provider} job ${jobId} ended ${snapshot.state} (${snapshot.rawStatus ?? "no status"})${said}.`, { provider, snapshot }));
    }
    settle(entry, snapshot, undefined);
  }

  function timeOut(entry: Entry, cause: unknown): void {
    const { provider, jobId } = entry.handle;
    const last = entry.last ? `; last seen ${entry.last.state} (${entry.last.rawStatus ?? "no status"})` : "; no answer yet";
    settle(entry, undefined, new TimeoutError(`${provider} job ${jobId} did not end before the wait's deadline${last}. Wait again with a later deadline, or check the job at the provider.`, {
      provider,
      kind: "wait",
      lastSnapshot: entry.last,
      cause: cause instanceof JobStatusError ? cause : undefined,
    }));
  }

  function settle(entry: Entry, snapshot: JobSnapshot | undefined, error: unknown): void {
    const key = keyOf(entry.handle.provider, entry.handle.jobId);
    if (jobs.get(key) !== entry) return;
    jobs.delete(key);
    entry.cancelTimer?.();
    entry.request?.abort();
    entry.request = undefined;
    entry.unlisten?.();
    if (snapshot) entry.resolve(snapshot);
    else entry.reject(error);
    const result: JobResult = snapshot ? { handle: entry.handle, snapshot } : { handle: entry.handle, snapshot: entry.last, error };
    for (const listener of settledListeners) listener(result);
  }

  function add<H extends JobHandle, Raw>(provider: JobProvider<H, Raw>, job: H | WaitState<H>, options: WaitOptions<JobSnapshot<Raw, H>> = {}): WatchedJob<JobSnapshot<Raw, H>> {
    if (closed) throw new InvalidArgumentError("This watcher is closed; create a new one to watch more jobs.");
    const saved = isWaitState(job) ? job : undefined;
    const handle = provider.checkHandle(saved ? saved.handle : job);
    const key = keyOf(handle.provider, handle.jobId);
    const existing = jobs.get(key);
    if (existing) return existing.job;
    options.signal?.throwIfAborted();

    const now = Date.now();
    const startedAt = Date.parse(handle.startedAt);
    if (Number.isNaN(startedAt)) throw new InvalidArgumentError(`${handle.provider}: handle.startedAt must be an ISO 8601 time.`, { provider: handle.provider });
    const deadline = deadlineOf(saved, options, now);
    const webhookFloor = "webhook" in handle && handle.webhook ? (options.webhookFallbackMs ?? 60_000) : 0;
    const adaptive = options.poll?.adaptive ?? modelFor(provider, handle, saved);
    // The fallback may be slower than the provider's ceiling (DeepAffects: 2 min); the ceiling then rises
    // with it, where an error about a maxIntervalMs the caller never set used to come out
    // (test/reliability/security-webhook.test.ts).
    const ceiling = webhookFloor ? Math.max(webhookFloor, resolvePollPolicy(watcherOptions.poll, provider.pollDefaults, options.poll).maxIntervalMs) : undefined;
    const policy = resolvePollPolicy(watcherOptions.poll, provider.pollDefaults, options.poll, webhookFloor ? { minIntervalMs: webhookFloor, initialDelayMs: webhookFloor, maxIntervalMs: ceiling } : undefined, { adaptive });
    // The last check happens a little before the deadline, so that its answer lands in time.
    const lastCheckAt = deadline === Infinity ? Infinity : deadline - Math.min(1_000, (deadline - now) / 10);

    let resolve!: (s: JobSnapshot) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<JobSnapshot<Raw, H>>((res, rej) => {
      resolve = res as (s: JobSnapshot) => void;
      reject = rej;
    });
    // A caller who only listens to events must not get unhandled rejections; awaiting still throws.
    result.catch(() => {});
    const entry: Entry = {
      provider, handle, options, policy, startedAt, deadline, lastCheckAt,
      nextPollAt: 0, attempts: saved?.attempts ?? 0, failures: saved?.failures ?? 0, invalid: 0,
      last: undefined, cancelTimer: undefined, request: undefined, unlisten: undefined,
      resolve, reject,
      job: undefined as unknown as WatchedJob,
    };
    entry.job = {
      handle,
      result,
      save: () => toWaitState(entry) as WaitState<H>,
      remove: () => settle(entry, undefined, new InvalidArgumentError(`${handle.provider} job ${handle.jobId} was removed from the watcher before it ended.`, { provider: handle.provider })),
    };
    jobs.set(key, entry);
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => settle(entry, undefined, signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      entry.unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    if (earlyDeliveries.has(key)) {
      const payload = earlyDeliveries.get(key);
      earlyDeliveries.delete(key);
      if (deliverTo(entry, payload)) return entry.job;
    }
    const first = saved ? Date.parse(saved.nextPollAt) : startedAt + policy.initialDelayMs;
    schedule(entry, Math.max(now, Number.isNaN(first) ? now : first));
    return entry.job;
  }

  function deliverTo(entry: Entry, payload: unknown): boolean {
    const snapshot = entry.provider.fromWebhook?.(entry.handle, payload);
    if (!snapshot) return false;
    const previous = entry.last;
    entry.last = snapshot;
    update(entry, snapshot);
    if (snapshot.terminal) finish(entry, snapshot, previous);
    return true;
  }

  const watcher: Watcher = {
    add,
    on(event: "update" | "settled", listener: (value: any) => void) {
      const set: Set<(value: any) => void> = event === "update" ? updateListeners : settledListeners;
      set.add(listener);
      return () => set.delete(listener);
    },
    results() {
      return resultStream(watcher, () => jobs.size === 0 || closed);
    },
    deliver(provider, jobId, payload) {
      const key = keyOf(provider, jobId);
      const entry = jobs.get(key);
      if (entry) return deliverTo(entry, payload);
      if (earlyDeliveries.size >= WEBHOOK_MEMORY) earlyDeliveries.delete(earlyDeliveries.keys().next().value!);
      earlyDeliveries.set(key, payload);
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

function isWaitState<H extends JobHandle>(job: H | WaitState<H>): job is WaitState<H> {
  return typeof job === "object" && job !== null && (job as WaitState).version === 1 && "handle" in job;
}

/** Settled results as an async iterator, ending when `finished()` says nothing more can come. */
function resultStream(watcher: Watcher, finished: () => boolean): AsyncIterableIterator<JobResult> {
  const buffer: JobResult[] = [];
  let wake: (() => void) | undefined;
  const off = watcher.on("settled", (result) => {
    buffer.push(result);
    wake?.();
  });
  const iterator: AsyncIterableIterator<JobResult> = {
    async next() {
      for (;;) {
        if (buffer.length > 0) return { value: buffer.shift()!, done: false };
        if (finished()) {
          off();
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      off();
      buffer.length = 0;
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
