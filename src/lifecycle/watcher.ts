/**
 * Many jobs on one scheduler: a cap on requests in flight, rate budgets and shared 429 backoff per
 * key, webhook deliveries ending waits without another poll. `wait` and `watch` are a watcher of one.
 * This file is the public watcher: its jobs, listeners and options; each job's steps are job-loop.ts.
 */
import { InvalidArgumentError, type ProviderName } from "../core/errors.js";
import { createLog } from "../core/log.js";
import type { JobHandle, JobProvider, JobSnapshot } from "../core/state.js";
import { createAdaptiveModel, type AdaptiveModel } from "./adaptive.js";
import { createAsyncQueue } from "./async-queue.js";
import { guarded, rethrowLater } from "./callbacks.js";
import { createEarlyDeliveries } from "./early-deliveries.js";
import { createJobLoop, keyOf, type WatchedEntry } from "./job-loop.js";
import { checkWaitOptions, resolveJobOptions, toWaitState, type WaitOptions, type WaitState, type WatcherOptions } from "./options.js";
import { resolvePollPolicy } from "./policy.js";
import { createScheduler, MAX_TIMER_MS } from "./scheduler.js";

export type { WaitOptions, WaitState, WatcherOptions };

/** How one watched job ended: its terminal snapshot, or the error that ended the wait. */
export type JobResult<S extends JobSnapshot = JobSnapshot> =
  | { handle: S["handle"]; snapshot: S; error?: undefined }
  | { handle: S["handle"]; snapshot?: S | undefined; error: unknown };

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
  add<H extends JobHandle, Raw>(
    provider: JobProvider<H, Raw>,
    job: H | WaitState<H>,
    options?: WaitOptions<JobSnapshot<Raw, H>>,
  ): WatchedJob<JobSnapshot<Raw, H>>;
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

interface Entry extends WatchedEntry {
  job: WatchedJob<any>;
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
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw new InvalidArgumentError(`maxInFlight must be a whole number ≥ 1, got ${String(maxInFlight)}.`);
  resolvePollPolicy(watcherOptions.poll);
  checkRateBudgets(watcherOptions.rateBudgets);
  const jobs = new Map<string, Entry>();
  const updateListeners = new Set<(s: JobSnapshot) => void>();
  const settledListeners = new Set<(r: JobResult) => void>();
  const errorListeners = new Set<(error: unknown, handle: JobHandle) => void>();
  const earlyDeliveries = createEarlyDeliveries(watcherOptions.earlyDeliveries);
  const watcherLog = createLog(watcherOptions);
  const models = new Map<string, AdaptiveModel>();
  let closed = false;

  /** An error of the caller's code that no job's result can carry: to the `error` listeners, or rethrown. */
  function report(error: unknown, handle: JobHandle): void {
    if (errorListeners.size === 0) return rethrowLater(error);
    for (const listener of errorListeners) guarded(() => listener(error, handle), rethrowLater);
  }
  const loop = createJobLoop({ scheduler, maxInFlight, jobs, updateListeners, settledListeners, report });

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

  function add<H extends JobHandle, Raw>(
    provider: JobProvider<H, Raw>,
    job: H | WaitState<H>,
    options: WaitOptions<JobSnapshot<Raw, H>> = {},
  ): WatchedJob<JobSnapshot<Raw, H>> {
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
      provider,
      handle,
      options,
      resolved,
      policy,
      startedAt,
      deadline,
      lastCheckAt,
      nextPollAt: 0,
      attempts: saved?.attempts ?? 0,
      failures: saved?.failures ?? 0,
      invalid: 0,
      last: undefined,
      cancelTimer: undefined,
      cancelDeadline: undefined,
      ended: false,
      callbacksPending: 0,
      afterCallbacks: [],
      request: undefined,
      unlisten: undefined,
      resolve,
      reject,
      job: undefined as unknown as WatchedJob,
      log,
    };
    entry.job = {
      handle,
      result,
      save: () => toWaitState(entry) as WaitState<H>,
      remove: () =>
        loop.endJob(
          entry,
          undefined,
          new InvalidArgumentError(`${handle.provider} job ${handle.jobId} was removed from the watcher before it ended.`, {
            provider: handle.provider,
          }),
        ),
    };
    jobs.set(key, entry);
    loop.watchDeadline(entry);
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => loop.endJob(entry, undefined, signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      entry.unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    const early = earlyDeliveries.take(key);
    try {
      if (early !== undefined && loop.deliverTo(entry, early)) return entry.job;
    } catch (error) {
      // As a throw while handling a poll's answer: it ends this job's wait, never leaves it unscheduled.
      loop.endJob(entry, undefined, error);
      return entry.job;
    }
    const first = saved ? Math.min(Date.parse(saved.nextPollAt), now + DAY_MS) : startedAt + policy.initialDelayMs;
    // The first poll keeps the usual schedule even while a push connection is up: it catches an end
    // pushed before the job was added. Later polls follow the connection's state.
    loop.schedule(entry, Math.max(now, Number.isNaN(first) ? now : first));
    loop.listenForPush(entry);
    return entry.job;
  }

  const watcher: Watcher = {
    add,
    on(event: "update" | "settled" | "error", listener: (value: any, handle?: any) => void) {
      const set: Set<(value: any, handle?: any) => void> =
        event === "update" ? updateListeners : event === "settled" ? settledListeners : errorListeners;
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
      if (entry) return loop.deliverTo(entry, payload);
      earlyDeliveries.hold(key, payload);
      return false;
    },
    save: () => [...jobs.values()].map(toWaitState),
    get size() {
      return jobs.size;
    },
    get inFlight() {
      return loop.inFlight;
    },
    close() {
      if (closed) return;
      const error = new InvalidArgumentError("The watcher was closed before this job ended.");
      for (const entry of [...jobs.values()]) loop.endJob(entry, undefined, error);
      closed = true;
      scheduler.close();
      earlyDeliveries.clear();
    },
  };
  return watcher;
}

function checkRateBudgets(extra: WatcherOptions["rateBudgets"] = {}): void {
  for (const [provider, budgets] of Object.entries(extra)) {
    for (const { requests, intervalMs } of budgets ?? []) {
      if (!(Number.isInteger(requests) && requests >= 1 && Number.isFinite(intervalMs) && intervalMs > 0 && intervalMs <= MAX_TIMER_MS)) {
        throw new InvalidArgumentError(
          `rateBudgets.${provider}: each budget needs whole requests ≥ 1 and intervalMs in (0, ${MAX_TIMER_MS}].`,
        );
      }
    }
  }
}

function isWaitState<H extends JobHandle>(job: H | WaitState<H>): job is WaitState<H> {
  return typeof job === "object" && job !== null && (job as WaitState).version === 1 && "handle" in job;
}
