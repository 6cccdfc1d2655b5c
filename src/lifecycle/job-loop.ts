/**
 * One watched job's steps, for every job of a watcher: poll when due (within the in-flight cap and
 * the key's rate budget), act on the answer or the failure, and end the job once.
 */
import { RateLimitError, type ProviderName } from "../core/errors.js";
import type { Log } from "../core/log.js";
import { pollRetry } from "../core/retry.js";
import type { JobHandle, JobProgress, JobProvider, JobSnapshot, PushEvent } from "../core/state.js";
import type { JobResult } from "./watcher.js";
import { afterCallbacks, callBack, guarded, type CallbackGate } from "./callbacks.js";
import { toWaitState, type ResolvedJobOptions, type WaitOptions } from "./options.js";
import { nextPollDelay, type PollPolicy } from "./policy.js";
import { subscribePush } from "./push.js";
import { MAX_TIMER_MS, type Scheduler } from "./scheduler.js";
import { deadlineError, jobFailedError, nameOf, unansweredError } from "./wait-errors.js";

/** A watched job: what it was added with, its poll state, and what ends it. */
export interface WatchedEntry extends CallbackGate {
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
  request: AbortController | undefined;
  unlisten: (() => void) | undefined;
  resolve: (snapshot: JobSnapshot) => void;
  reject: (error: unknown) => void;
  log: Log;
  /** The job's share of its provider's push connection, when it has one. */
  push?: PushState | undefined;
}

/** What a job knows from its provider's push connection. */
interface PushState {
  /** The connection is up. */
  live: boolean;
  /** The request in flight left while the connection was up (and it has not dropped since). */
  sentLive: boolean;
  /**
   * A poll sent while the connection was up has answered, so an end would now be pushed: the job
   * polls at its fallback rate. Until then (and again after a drop) its usual schedule catches an
   * end pushed while no one listened.
   */
  synced: boolean;
  /** An end was pushed: the job polls by its usual policy until a poll confirms it. */
  ended: boolean;
  /** The end came while a request was in flight, whose answer may predate it: one more poll follows that answer. */
  confirmAfterAnswer: boolean;
  progress: JobProgress | undefined;
  /** When progress last went to the callbacks, and the timer of the next. */
  progressAt: number;
  cancelProgress: (() => void) | undefined;
  stop: () => void;
}

/** Progress goes to the callbacks at most this often per job (the latest at the end of each gap). */
const PROGRESS_GAP_MS = 200;

/** What the steps share with their watcher. */
export interface JobLoopContext {
  scheduler: Scheduler;
  maxInFlight: number;
  /** The jobs watched, by `keyOf`; a job leaves it as it ends. */
  jobs: Map<string, WatchedEntry>;
  updateListeners: Set<(snapshot: JobSnapshot) => void>;
  settledListeners: Set<(result: JobResult) => void>;
  /** An error of caller code that no job's result can carry. */
  report(error: unknown, handle: JobHandle): void;
}

export interface JobLoop {
  /** Puts the job's next poll at `at` (never past its last check). */
  schedule(entry: WatchedEntry, at: number): void;
  /** Puts a timer on the job's deadline: it ends the job whatever else it waits for. */
  watchDeadline(entry: WatchedEntry): void;
  /** A webhook delivery: false when the provider makes no snapshot of it. */
  deliverTo(entry: WatchedEntry, payload: unknown): boolean;
  /** Follows the provider's push connection for this job, when the provider has one. */
  listenForPush(entry: WatchedEntry): void;
  /** Ends the job with its terminal snapshot or an error; a second call does nothing. */
  endJob(entry: WatchedEntry, snapshot: JobSnapshot | undefined, error: unknown): void;
  readonly inFlight: number;
}

/** How a watcher keys its jobs: one entry per provider and job id. */
export const keyOf = (provider: ProviderName, jobId: string): string => `${provider}:${jobId}`;

const keyOfEntry = (entry: WatchedEntry) => keyOf(entry.handle.provider, entry.handle.jobId);

export function createJobLoop(context: JobLoopContext): JobLoop {
  const { scheduler, maxInFlight, jobs, updateListeners, settledListeners, report } = context;
  /** Whether `entry` is still the job watched under its key (not ended, not replaced). */
  const isWatched = (entry: WatchedEntry) => jobs.get(keyOfEntry(entry)) === entry;
  /** Jobs whose poll is due but found every request slot taken. */
  const waiting: WatchedEntry[] = [];
  let inFlight = 0;

  function schedule(entry: WatchedEntry, at: number): void {
    entry.nextPollAt = Math.min(at, entry.lastCheckAt);
    entry.cancelTimer = scheduler.at(entry.nextPollAt, () => {
      entry.cancelTimer = undefined;
      poll(entry);
    });
  }

  function scheduleNext(entry: WatchedEntry, retryAfterMs: number | undefined): number {
    const now = Date.now();
    const push = entry.push;
    const policy = push?.synced && !push.ended ? entry.resolved.pushPolicy! : entry.policy;
    const delay = delayOf(entry, policy, now, retryAfterMs);
    entry.log.debug?.(`${nameOf(entry.handle)}: ${entry.last ? `${entry.last.state}, ` : ""}next poll in ${delay} ms`);
    schedule(entry, now + delay);
    return delay;
  }

  function delayOf(entry: WatchedEntry, policy: PollPolicy, now: number, retryAfterMs: number | undefined): number {
    return nextPollDelay(policy, {
      elapsedMs: now - entry.startedAt,
      attempt: entry.attempts,
      consecutiveFailures: entry.failures,
      retryAfterMs,
      remainingMs: Math.max(0, entry.lastCheckAt - now),
    });
  }

  function poll(entry: WatchedEntry): void {
    if (entry.ended) return;
    if (entry.callbacksPending > 0) {
      entry.afterCallbacks.push(() => poll(entry));
      return;
    }
    if (inFlight >= maxInFlight) {
      waiting.push(entry);
      return;
    }
    const now = Date.now();
    const timeLeft = entry.deadline - now;
    if (timeLeft <= 0) return endAtDeadline(entry, undefined);
    const { limiter, rateBudgets } = entry.resolved;
    const allowedAt = limiter.acquire(entry.provider.rateKey, rateBudgets, now);
    if (allowedAt > now) {
      if (now >= entry.lastCheckAt) return endAtDeadline(entry, undefined);
      entry.log.debug?.(`${nameOf(entry.handle)}: waiting ${allowedAt - now} ms for a request slot of its key's rate budget`);
      return schedule(entry, allowedAt);
    }
    const request = new AbortController();
    entry.request = request;
    if (entry.push) entry.push.sentLive = entry.push.live;
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
        (snapshot) => {
          if (releaseSlot(entry, request)) onAnswer(entry, snapshot);
        },
        (error: unknown) => {
          if (releaseSlot(entry, request)) onFailure(entry, error);
        },
      )
      // A hand-made provider's snapshot that breaks the rules ends its job's wait, not the process.
      .catch((error: unknown) => endJob(entry, undefined, error));
  }

  /**
   * A request ended: its rate slot and its place in flight go to the jobs waiting for one. False when
   * its job ended meanwhile (the request was aborted): its answer is then dropped.
   */
  function releaseSlot(entry: WatchedEntry, request: AbortController): boolean {
    entry.resolved.limiter.release(entry.provider.rateKey, entry.resolved.rateBudgets, Date.now());
    inFlight--;
    while (waiting.length > 0 && inFlight < maxInFlight) {
      const next = waiting.shift()!;
      if (isWatched(next)) poll(next);
    }
    if (entry.request !== request) return false;
    entry.request = undefined;
    return true;
  }

  function onAnswer(entry: WatchedEntry, snapshot: JobSnapshot): void {
    entry.attempts++;
    entry.failures = 0;
    entry.invalid = 0;
    const previous = entry.last;
    const push = entry.push;
    // Pushed progress rides on the polled snapshots of the running job.
    if (push?.progress && !snapshot.terminal) snapshot = { ...snapshot, progress: push.progress };
    entry.last = snapshot;
    if (!previous || previous.state !== snapshot.state || previous.rawStatus !== snapshot.rawStatus) notifyUpdate(entry, snapshot);
    const confirm = push?.confirmAfterAnswer;
    if (push) {
      push.synced ||= push.sentLive;
      push.confirmAfterAnswer = false;
    }
    afterCallbacks(entry, () => {
      if (snapshot.terminal) return onTerminal(entry, snapshot, previous);
      if (Date.now() >= entry.lastCheckAt) return endAtDeadline(entry, undefined);
      if (confirm) schedule(entry, Date.now());
      else scheduleNext(entry, snapshot.retryAfterMs);
      runCallback(entry, entry.options.onProgress, toWaitState(entry));
    });
  }

  function onFailure(entry: WatchedEntry, error: unknown): void {
    const invalidInARow = pollRetry(error, entry.invalid);
    const what = `${nameOf(entry.handle)}: poll failed (${error instanceof Error ? error.name : "error"})`;
    if (invalidInARow === undefined) {
      entry.log.info?.(`${what}, which polling again would not change: the wait ends`);
      return endJob(entry, undefined, error);
    }
    entry.invalid = invalidInARow;
    entry.attempts++;
    entry.failures++;
    const maxFailures = entry.resolved.maxConsecutiveFailures;
    if (entry.failures > maxFailures) {
      entry.log.info?.(`${what}, ${entry.failures} in a row, over maxConsecutiveFailures (${maxFailures}): the wait ends`);
      return endJob(entry, undefined, error);
    }
    const now = Date.now();
    if (now >= entry.lastCheckAt) return endAtDeadline(entry, error);
    const retryAfterMs = error instanceof RateLimitError ? error.retryAfterMs : undefined;
    if (error instanceof RateLimitError) {
      // Every job of this key backs off together: one 429 is news for all of them.
      const pause = nextPollDelay(entry.policy, {
        elapsedMs: now - entry.startedAt,
        attempt: entry.attempts,
        consecutiveFailures: entry.failures,
        retryAfterMs,
      });
      entry.resolved.limiter.pause(entry.provider.rateKey, now + pause);
      entry.log.info?.(`${nameOf(entry.handle)}: every job of this key pauses ${pause} ms after a 429`);
    }
    const delay = scheduleNext(entry, retryAfterMs);
    entry.log.info?.(`${what}, ${entry.failures} in a row; retrying in ${delay} ms`);
    runCallback(entry, entry.options.onProgress, toWaitState(entry));
  }

  /** A terminal snapshot: the adaptive model learns from it, then the job ends with it (or a JobFailedError). */
  function onTerminal(entry: WatchedEntry, snapshot: JobSnapshot, previous: JobSnapshot | undefined): void {
    const model = entry.policy.adaptive;
    // The job ended between the last poll that saw it running and this one: the model learns that span.
    const age = (s: JobSnapshot) => Math.max(0, Date.parse(s.observedAt) - entry.startedAt);
    if (model) model.observe(age(snapshot), previous && !previous.terminal ? age(previous) : undefined);
    if (entry.options.throwOnFailure && snapshot.state !== "succeeded") return endJob(entry, undefined, jobFailedError(snapshot));
    endJob(entry, snapshot, undefined);
  }

  function endAtDeadline(entry: WatchedEntry, cause: unknown): void {
    endJob(entry, undefined, deadlineError(entry.handle, entry.last, cause));
  }

  /** A changed snapshot: to `onUpdate` and the `update` listeners. */
  function notifyUpdate(entry: WatchedEntry, snapshot: JobSnapshot): void {
    runCallback(entry, entry.options.onUpdate, snapshot);
    for (const listener of updateListeners) runCallback(entry, listener, snapshot);
  }

  function runCallback<T>(entry: WatchedEntry, callback: ((value: T) => unknown) | undefined, value: T): void {
    callBack(entry, callback, value, (error) => (entry.ended ? report(error, entry.handle) : endJob(entry, undefined, error)));
  }

  /**
   * A pushed event. A job end starts one confirming status request now (the status endpoint is the
   * source of truth; a job may show its end there a moment later, so it polls by its usual policy
   * from then on); progress goes to the callbacks without a request.
   */
  function onPushed(entry: WatchedEntry, push: PushState, event: PushEvent): void {
    if (entry.ended) return;
    if (event.ended) {
      if (push.ended) return; // one confirming request per job, however many end frames come
      push.ended = true;
      entry.log.debug?.(`${nameOf(entry.handle)}: its end was pushed; confirming with a status request`);
      if (entry.cancelTimer) {
        entry.cancelTimer();
        schedule(entry, Date.now());
      } else if (entry.request) push.confirmAfterAnswer = true;
      // Otherwise a poll is already on its way: waiting for a request slot or for callbacks.
      return;
    }
    const next = event.progress;
    if (!next) return;
    // An `executing` for the node already reporting steps keeps its steps.
    push.progress = next.value === undefined && push.progress?.node === next.node ? push.progress : next;
    push.cancelProgress ??= scheduler.at(Math.max(Date.now(), push.progressAt + PROGRESS_GAP_MS), () => flushProgress(entry, push));
  }

  /** The latest progress to the callbacks, at most once a gap, and never while their last promise is pending. */
  function flushProgress(entry: WatchedEntry, push: PushState): void {
    push.cancelProgress = undefined;
    const last = entry.last;
    // Before the first poll there is no snapshot to carry it: that poll's will.
    if (entry.ended || !last || last.terminal || last.progress === push.progress) return;
    push.progressAt = Date.now();
    if (entry.callbacksPending > 0) {
      push.cancelProgress = scheduler.at(push.progressAt + PROGRESS_GAP_MS, () => flushProgress(entry, push));
      return;
    }
    const snapshot = { ...last, progress: push.progress, observedAt: new Date(push.progressAt).toISOString() };
    entry.last = snapshot;
    notifyUpdate(entry, snapshot);
  }

  /** The push connection went up or down: down, a job due at its fallback rate is brought back to its usual schedule. */
  function onPushLive(entry: WatchedEntry, push: PushState, up: boolean): void {
    push.live = up;
    if (!up) push.synced = push.sentLive = false;
    // Up, the poll already placed stays: it catches an end pushed while the connection was down.
    if (up || entry.ended || !entry.cancelTimer) return;
    const now = Date.now();
    const at = now + delayOf(entry, entry.policy, now, undefined);
    if (at >= entry.nextPollAt) return;
    entry.cancelTimer();
    schedule(entry, at);
  }

  function listenForPush(entry: WatchedEntry): void {
    const push: PushState = {
      live: false,
      sentLive: false,
      synced: false,
      ended: false,
      confirmAfterAnswer: false,
      progress: undefined,
      progressAt: 0,
      cancelProgress: undefined,
      stop: () => {},
    };
    const subscription = subscribePush(entry.provider, entry.handle.jobId, {
      log: entry.log,
      event: (event) => onPushed(entry, push, event),
      live: (up) => onPushLive(entry, push, up),
    });
    if (!subscription) return;
    entry.push = push;
    push.live = subscription.live;
    push.stop = subscription.stop;
    if (subscription.early) onPushed(entry, push, subscription.early);
  }

  function endJob(entry: WatchedEntry, snapshot: JobSnapshot | undefined, error: unknown): void {
    if (entry.ended || !isWatched(entry)) return;
    entry.ended = true;
    entry.afterCallbacks.length = 0;
    jobs.delete(keyOfEntry(entry));
    entry.cancelTimer?.();
    entry.cancelDeadline?.();
    entry.request?.abort();
    entry.request = undefined;
    entry.unlisten?.();
    entry.push?.cancelProgress?.();
    entry.push?.stop();
    if (snapshot) entry.resolve(snapshot);
    else entry.reject(error);
    const result: JobResult = snapshot ? { handle: entry.handle, snapshot } : { handle: entry.handle, snapshot: entry.last, error };
    for (const listener of settledListeners)
      guarded(
        () => listener(result),
        (thrown) => report(thrown, entry.handle),
      );
  }

  return {
    schedule,
    watchDeadline(entry) {
      // The deadline holds whatever else waits: a request slot, a rate slot, or an answer that is late.
      if (entry.deadline !== Infinity)
        entry.cancelDeadline = scheduler.at(entry.deadline, () =>
          endAtDeadline(entry, entry.request ? unansweredError(entry.handle) : undefined),
        );
    },
    deliverTo(entry, payload) {
      const snapshot = entry.provider.fromWebhook?.(entry.handle, payload);
      if (!snapshot) return false;
      const previous = entry.last;
      entry.last = snapshot;
      notifyUpdate(entry, snapshot);
      if (snapshot.terminal) afterCallbacks(entry, () => onTerminal(entry, snapshot, previous));
      return true;
    },
    listenForPush,
    endJob,
    get inFlight() {
      return inFlight;
    },
  };
}
