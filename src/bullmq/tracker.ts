/** The producer side: puts jobs into Redis and reads their outcomes, from any process. */
import { EventEmitter } from "node:events";
import { Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError, JobStatusError, type ProviderName } from "../core/errors.js";
import type { JobHandle, TerminalJobSnapshot } from "../core/state.js";
import type { WaitState } from "../lifecycle/options.js";
import { resolvePollPolicy } from "../lifecycle/policy.js";
import { encodePollState, handleExtras, toPollState, type PollJobData, type Settlement, type TrackedPollOptions } from "./data.js";
import { DEFAULT_PREFIX, keysOf, QUEUE_NAME, trackedJobId } from "./keys.js";
import { deserializeError, parseOutcome, type TrackedOutcome } from "./outcome.js";

/** Options of {@link createJobTracker}. */
export interface JobTrackerOptions {
  /** Where Redis is, as ioredis options (`{ host, port }`): the tracker opens its own connections. */
  connection: RedisOptions;
  /** Key prefix in Redis (BullMQ's `prefix`, default `bull`); trackers and workers must share it. */
  prefix?: string | undefined;
  /** How long a webhook delivery waits in Redis for a worker, in ms (default 24 h). How long outcomes stay is the workers' `resultTtlMs`. */
  resultTtlMs?: number | undefined;
}

/** Options of one {@link JobTracker.track} call. */
export interface TrackOptions {
  /** Stop tracking with a TimeoutError this many ms from now. Default: the provider's default wait, from `handle.startedAt`. */
  timeoutMs?: number | undefined;
  /** The same as an absolute time (ISO 8601 or ms since epoch); wins over timeoutMs. */
  deadline?: string | number | undefined;
  /** Poll schedule overrides for this job (numbers only: no adaptive model travels through Redis). */
  poll?: TrackedPollOptions | undefined;
}

/** Puts jobs into Redis for a fleet of {@link createTrackerWorker} workers, and reads their outcomes. */
export interface JobTracker {
  /**
   * Tracks a job from a handle or a saved wait state: writes it to Redis and returns its BullMQ job
   * id once written. Tracking a job already tracked (same provider and job id) changes nothing.
   */
  track(job: JobHandle | WaitState, options?: TrackOptions): Promise<string>;
  /**
   * The job's terminal snapshot once a worker reported it, or its typed error (a TimeoutError at the
   * deadline, or what ended it). Works from any process, before or after the job settled, once the
   * job is tracked: a job Redis does not hold (never tracked, or its result expired) rejects with an
   * InvalidArgumentError.
   */
  result(provider: ProviderName, jobId: string): Promise<TerminalJobSnapshot>;
  /**
   * Hands a webhook delivery (DeepAffects) to the fleet: the worker that runs the job next reads it
   * through its client's `fromWebhook` and, when it means the end, settles the job without a poll.
   * False when Redis holds no unsettled job of that id. Give the tracker to `createWebhookHandler`
   * as its `watcher`, in any process.
   */
  deliver(provider: ProviderName, jobId: string, payload: unknown): Promise<boolean>;
  /** Calls the listener for every job that settles while the tracker is open, whichever process tracked it. */
  on(event: "settled", listener: (settlement: Settlement) => void): this;
  /** Stops listening and closes the tracker's connections; tracked jobs go on in the workers, and pending `result` promises reject. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Opens a tracker on a Redis that a fleet of workers serves.
 * @example
 * const tracker = createJobTracker({ connection: { host: "127.0.0.1", port: 6379 } });
 * await tracker.track(handle, { timeoutMs: 3_600_000 });
 * const snapshot = await tracker.result(handle.provider, handle.jobId);
 */
export function createJobTracker(options: JobTrackerOptions): JobTracker {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const resultTtlMs = options.resultTtlMs ?? DAY_MS;
  if (!Number.isFinite(resultTtlMs) || resultTtlMs < 1_000) throw new InvalidArgumentError("resultTtlMs must be at least 1000.");
  const queue = new Queue<PollJobData>(QUEUE_NAME, { connection: options.connection as ConnectionOptions, prefix });
  const keys = keysOf(prefix);
  let redis: Redis | undefined;
  const emitter = new EventEmitter();
  const waiting = new Map<string, Array<{ resolve: (s: TerminalJobSnapshot) => void; reject: (e: unknown) => void }>>();
  let events: Promise<QueueEvents> | undefined;

  function settle(id: string, outcome: TrackedOutcome | Error): void {
    const settlement = outcome instanceof Error ? undefined : toSettlement(outcome);
    if (settlement) emitter.emit("settled", settlement);
    const pending = waiting.get(id);
    if (!pending) return;
    waiting.delete(id);
    for (const p of pending) {
      if (settlement?.snapshot && !settlement.error) p.resolve(settlement.snapshot as TerminalJobSnapshot);
      else p.reject(outcome instanceof Error ? outcome : settlement!.error);
    }
  }

  function listen(): Promise<QueueEvents> {
    events ??= (async () => {
      const queueEvents = new QueueEvents(QUEUE_NAME, { connection: options.connection as ConnectionOptions, prefix });
      queueEvents.on("completed", ({ jobId, returnvalue }) => {
        try {
          settle(jobId, parseOutcome(returnvalue));
        } catch (error) {
          settle(jobId, error as Error);
        }
      });
      queueEvents.on("failed", ({ jobId, failedReason }) => {
        settle(jobId, new JobStatusError(`jobstatus/bullmq: the job's report failed: ${String(failedReason).slice(0, 300)}`));
      });
      await queueEvents.waitUntilReady();
      return queueEvents;
    })();
    return events;
  }

  const tracker: JobTracker = {
    async track(job, trackOptions = {}) {
      const now = Date.now();
      let deadline: number | null | undefined;
      if (trackOptions.deadline !== undefined) {
        deadline = typeof trackOptions.deadline === "number" ? trackOptions.deadline : Date.parse(trackOptions.deadline);
        if (!Number.isFinite(deadline))
          throw new InvalidArgumentError(`deadline must be an ISO 8601 time or ms since epoch, got ${String(trackOptions.deadline)}.`);
      } else if (trackOptions.timeoutMs !== undefined) {
        if (typeof trackOptions.timeoutMs !== "number" || !(trackOptions.timeoutMs > 0))
          throw new InvalidArgumentError("timeoutMs must be a number above 0.");
        deadline = trackOptions.timeoutMs === Infinity ? null : now + trackOptions.timeoutMs;
      }
      if (trackOptions.poll !== undefined) resolvePollPolicy(trackOptions.poll); // throws on a bad option, before Redis
      const state = toPollState(job, deadline, trackOptions.poll);
      const id = trackedJobId(state.handle.provider, state.handle.jobId);
      // BullMQ adds nothing when a job with this id exists: tracking twice is one job. No other job
      // options: the workers hold removal and retries, so the job's hash stays small.
      await queue.add(handleExtras(state.handle), encodePollState(state), { jobId: id });
      return id;
    },
    async result(provider, jobId) {
      const id = trackedJobId(provider, jobId);
      const promise = new Promise<TerminalJobSnapshot>((resolve, reject) => {
        const list = waiting.get(id) ?? [];
        list.push({ resolve, reject });
        waiting.set(id, list);
      });
      promise.catch(() => {}); // it may settle while this call still awaits Redis; the caller gets it below
      await listen();
      // Events before the listener started are gone: read what Redis holds once the listener runs.
      // A completed job is removed, its outcome kept under its own key (written before it completed).
      redis ??= new Redis({ ...options.connection, maxRetriesPerRequest: 3 });
      const readOutcome = async () => {
        const stored = await redis!.get(keys.result(id));
        if (stored === null) return false;
        settle(id, parseOutcome(stored));
        return true;
      };
      if (await readOutcome()) return promise;
      const job = await queue.getJob(id);
      if (job && (await job.isFailed()))
        settle(
          id,
          new JobStatusError(`jobstatus/bullmq: the job's report failed: ${String((await queue.getJob(id))?.failedReason).slice(0, 300)}`),
        );
      else if (!job && !(await readOutcome()))
        settle(
          id,
          new InvalidArgumentError(`jobstatus/bullmq: ${provider} job ${jobId.slice(0, 100)} is not tracked (or its result expired).`, {
            provider,
          }),
        );
      return promise;
    },
    async deliver(provider, jobId, payload) {
      if (typeof jobId !== "string" || jobId.length === 0) return false;
      const id = trackedJobId(provider, jobId);
      const job = await queue.getJob(id);
      if (!job || job.finishedOn) return false;
      redis ??= new Redis({ ...options.connection, maxRetriesPerRequest: 3 });
      await redis.set(keys.delivery(id), JSON.stringify(payload), "PX", resultTtlMs);
      // A job sleeping until its next poll runs now; one waiting or running reads the delivery on its next run.
      await job.promote().catch(() => {});
      return true;
    },
    on(event, listener) {
      if (event !== "settled") throw new InvalidArgumentError(`createJobTracker: unknown event ${String(event)}.`);
      emitter.on(event, listener);
      void listen().catch(() => {});
      return tracker;
    },
    async close() {
      const closed = new JobStatusError("jobstatus/bullmq: the tracker was closed before the job's result came.");
      for (const id of [...waiting.keys()]) settle(id, closed);
      const open = events;
      events = undefined;
      if (open) await (await open).close();
      await queue.close();
      await redis?.quit();
    },
  };
  return tracker;
}

/** A stored outcome as the caller sees it: a snapshot, or an error of its own class. */
export function toSettlement(outcome: TrackedOutcome): Settlement {
  if (outcome.ok) return { handle: outcome.snapshot.handle, snapshot: outcome.snapshot };
  const error = deserializeError(outcome.error, outcome.snapshot);
  return { handle: outcome.handle, error, ...(outcome.snapshot ? { snapshot: outcome.snapshot } : {}) };
}
