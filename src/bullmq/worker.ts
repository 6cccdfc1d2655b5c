/** The consumer side: any number of processes, each doing one poll per BullMQ job run. */
import { DelayedError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError, JobStatusError, RateLimitError, TimeoutError, type ProviderName } from "../core/errors.js";
import { pollRetry } from "../core/retry.js";
import type { JobProvider, JobSnapshot, RateBudget } from "../core/state.js";
import { DEFAULT_WEBHOOK_FALLBACK_MS } from "../lifecycle/options.js";
import { DEFAULT_POLL_POLICY, nextPollDelay, resolvePollPolicy, type PollPolicy, type PollPolicyOptions } from "../lifecycle/policy.js";
import { createFleetBudget } from "./budget.js";
import { decodePollState, encodePollState, type PollJobData, type PollState, type Settlement } from "./data.js";
import { DEFAULT_PREFIX, keysOf, parseTrackedJobId, QUEUE_NAME } from "./keys.js";
import { parseOutcome, serializeError, type TrackedOutcome } from "./outcome.js";
import { toSettlement } from "./tracker.js";

/** Options of {@link createTrackerWorker}. */
export interface TrackerWorkerOptions {
  /** Where Redis is, as ioredis options (`{ host, port }`): the worker opens its own connections. */
  connection: RedisOptions;
  /** Key prefix in Redis (default `bull`); trackers and workers must share it. */
  prefix?: string | undefined;
  /**
   * This process's provider clients, built from its own environment: keys never go into Redis.
   * A tracked job of a provider without a client here ends with an InvalidArgumentError.
   */
  clients: Partial<Record<ProviderName, JobProvider<any>>>;
  /** Polls in flight at once in this process (default 16). */
  concurrency?: number | undefined;
  /**
   * Runs once per settled job, in the worker that settles it, before the result is published: write
   * to your database here. A returned promise is awaited; a throw makes BullMQ retry the report
   * (up to 3 runs). At least once, not exactly once, when a worker dies while it runs.
   */
  onSettled?: ((settlement: Settlement) => void | Promise<void>) | undefined;
  /**
   * The fleet-wide name of each provider's key, for its shared rate budget and 429 pauses (default
   * the provider's name: every worker's key of one provider is taken to be the same key). Give
   * different names when workers use different keys.
   */
  rateKeys?: Partial<Record<ProviderName, string>> | undefined;
  /** Extra request budgets per provider, on top of the provider's own (DeepAffects: 5/min, 100/day). */
  rateBudgets?: Partial<Record<ProviderName, RateBudget[]>> | undefined;
  /** Poll schedule defaults for every job this worker polls (a job's own `poll` wins). */
  poll?: Omit<PollPolicyOptions, "adaptive"> | undefined;
  /** Poll interval of a job started with a webhook (`handle.webhook`), as a fallback (default 60 s), as in `wait`. */
  webhookFallbackMs?: number | undefined;
  /** Time limit per status request (default 30 s), always cut to the time left before the deadline. */
  requestTimeoutMs?: number | undefined;
  /** Transient failures in a row before a job ends with the last one (default 20). */
  maxConsecutiveFailures?: number | undefined;
  /** How long a poll's lock holds without renewal before BullMQ takes the job for stalled (default 30 s). */
  lockDurationMs?: number | undefined;
  /** How often this worker looks for stalled jobs of dead workers to hand on (default 30 s). */
  stalledIntervalMs?: number | undefined;
  /** How long a settled job's outcome stays readable, in ms (default 24 h). */
  resultTtlMs?: number | undefined;
  /** Errors of the worker itself (Redis trouble, a failed report); default: printed to stderr. */
  onError?: ((error: Error) => void) | undefined;
}

/** A running worker of the fleet. */
export interface TrackerWorker {
  /** The BullMQ worker underneath, for its events and metrics. */
  readonly worker: Worker<PollJobData, TrackedOutcome>;
  /** Stops taking polls, waits for those in flight, and closes the connections. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_FAILURES = 20;
const REPORT_RUNS = 3;

/**
 * Starts a worker that polls tracked jobs: each due poll is a BullMQ job run, delayed by the poll
 * policy, within the fleet's rate budgets.
 * @example
 * const worker = createTrackerWorker({
 *   connection: { host: "127.0.0.1", port: 6379 },
 *   clients: { deepaffects: createDeepAffectsClient({ apiKey: process.env.DEEPAFFECTS_API_KEY! }) },
 *   onSettled: async ({ handle, snapshot, error }) => { await saveOutcome(handle, snapshot, error); },
 * });
 */
export function createTrackerWorker(options: TrackerWorkerOptions): TrackerWorker {
  if (!options.clients || typeof options.clients !== "object")
    throw new InvalidArgumentError("createTrackerWorker: clients must be an object of provider clients.");
  const fallbackMs = options.webhookFallbackMs;
  if (fallbackMs !== undefined && !(typeof fallbackMs === "number" && fallbackMs > 0 && Number.isFinite(fallbackMs)))
    throw new InvalidArgumentError("createTrackerWorker: webhookFallbackMs must be a number of ms above 0.");
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = keysOf(prefix);
  const resultTtlMs = options.resultTtlMs ?? DAY_MS;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const onError = options.onError ?? ((error: Error) => console.error(`jobstatus/bullmq worker: ${error.message}`));
  const redis = new Redis({ ...options.connection, maxRetriesPerRequest: null });
  redis.on("error", onError);
  const budget = createFleetBudget(redis, prefix);
  const policies = new Map<string, PollPolicy>();

  /** As `wait` resolves it: a job that expects a webhook polls no faster than the fallback interval. */
  function policyOf(client: JobProvider<any>, data: PollState): PollPolicy {
    const webhook = "webhook" in data.handle && data.handle.webhook === true;
    const name = `${client.provider}${webhook ? " webhook" : ""}`;
    let policy = data.poll ? undefined : policies.get(name);
    if (policy) return policy;
    const { defaultTimeoutMs: _ignored, ...defaults } = client.pollDefaults;
    const layers: Array<PollPolicyOptions | undefined> = [DEFAULT_POLL_POLICY, defaults, options.poll, data.poll];
    if (webhook) {
      const fallbackMs = options.webhookFallbackMs ?? DEFAULT_WEBHOOK_FALLBACK_MS;
      const ceiling = Math.max(fallbackMs, resolvePollPolicy(...layers).maxIntervalMs);
      layers.push({ minIntervalMs: fallbackMs, initialDelayMs: fallbackMs, maxIntervalMs: ceiling });
    }
    policy = resolvePollPolicy(...layers);
    if (!data.poll) policies.set(name, policy);
    return policy;
  }

  /** Puts the job back for its next run at `at`; BullMQ counts this as no attempt. */
  async function later(job: Job<PollJobData>, token: string | undefined, data: PollState, at: number): Promise<never> {
    await job.updateData(encodePollState(data));
    await job.moveToDelayed(Math.ceil(at), token);
    throw new DelayedError();
  }

  async function settle(job: Job<PollJobData>, token: string | undefined, outcome: TrackedOutcome): Promise<TrackedOutcome> {
    const id = job.id!;
    // The first outcome written wins: a job polled twice after a crash still reports one outcome.
    await redis.set(keys.result(id), JSON.stringify(outcome), "PX", resultTtlMs, "NX");
    return report(job, token, parseOutcome(await redis.get(keys.result(id))));
  }

  /** Runs onSettled once per job: a claim with an expiry, so a worker that dies in it hands it on. */
  async function report(job: Job<PollJobData>, token: string | undefined, outcome: TrackedOutcome): Promise<TrackedOutcome> {
    const key = keys.reported(job.id!);
    if (!options.onSettled) return outcome;
    const claimed = await redis.set(key, "claimed", "PX", lockDuration, "NX");
    if (claimed === null) {
      if ((await redis.get(key)) === "done") return outcome;
      return later(job, token, stateOf(job), Date.now() + Math.max(100, await redis.pttl(key)));
    }
    try {
      await options.onSettled(toSettlement(outcome));
    } catch (error) {
      await redis.del(key);
      throw error;
    }
    await redis.set(key, "done", "PX", resultTtlMs);
    return outcome;
  }

  function stateOf(job: Job<PollJobData>): PollState {
    const ids = parseTrackedJobId(job.id!);
    if (!ids) throw new InvalidArgumentError(`jobstatus/bullmq: job ${job.id} of the queue was not added by a tracker.`);
    return decodePollState(ids.provider, ids.jobId, job.name, job.data);
  }

  /**
   * One run of a job. An error of the worker's own (Redis trouble, a throwing onSettled) is retried
   * here, a second and a third run a second and two later, rather than through BullMQ's `attempts`,
   * which would be stored with every job.
   */
  async function run(job: Job<PollJobData>, token?: string): Promise<TrackedOutcome> {
    try {
      return await processPoll(job, token);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      const data = stateOf(job);
      const retries = (data.retries ?? 0) + 1;
      if (retries >= REPORT_RUNS) throw error;
      onError(error instanceof Error ? error : new Error(String(error)));
      return later(job, token, { ...data, retries }, Date.now() + 1_000 * 2 ** (retries - 1));
    }
  }

  async function processPoll(job: Job<PollJobData>, token?: string): Promise<TrackedOutcome> {
    // One round trip for both: a settled job's outcome, and a webhook delivery waiting for the job.
    const [stored, delivered] = await redis.mget(keys.result(job.id!), keys.delivery(job.id!));
    if (stored != null) return report(job, token, parseOutcome(stored));
    let data: PollState;
    try {
      data = stateOf(job);
    } catch (error) {
      // Not ours, or written by another version: the job ends with the error, not polled blind.
      const { provider, jobId } = parseTrackedJobId(job.id!) ?? { provider: "comfy" as const, jobId: String(job.id) };
      const handle = { provider, jobId, startedAt: new Date(job.timestamp).toISOString() } as PollState["handle"];
      return settle(job, token, { ok: false, handle, error: serializeError(error) });
    }
    const provider = data.handle.provider;
    const client = options.clients[provider];
    const fail = (error: unknown, snapshot?: JobSnapshot) =>
      settle(job, token, { ok: false, handle: data.handle, error: serializeError(error), ...(snapshot ? { snapshot } : {}) });
    if (!client) return fail(new InvalidArgumentError(`jobstatus/bullmq: this worker has no ${provider} client.`, { provider }));
    let handle;
    let policy: PollPolicy;
    try {
      handle = client.checkHandle(data.handle);
      policy = policyOf(client, data);
    } catch (error) {
      return fail(error);
    }
    if (delivered != null && client.fromWebhook) {
      await redis.del(keys.delivery(job.id!));
      let snapshot: JobSnapshot | undefined;
      try {
        snapshot = client.fromWebhook(handle, JSON.parse(delivered));
      } catch (error) {
        onError(error as Error); // a delivery we cannot read leaves the job to its polls
      }
      if (snapshot?.terminal) return settle(job, token, { ok: true, snapshot: snapshot as never });
    }
    const startedAt = Date.parse(handle.startedAt);
    const defaultMs = client.pollDefaults.defaultTimeoutMs;
    const deadline = data.deadline === null ? Infinity : (data.deadline ?? (defaultMs === undefined ? Infinity : startedAt + defaultMs));
    const now = Date.now();
    const timeOut = () =>
      fail(
        new TimeoutError(
          `${provider} job ${handle.jobId.slice(0, 100)} did not end before its deadline (last state: ${data.lastState ?? "none seen"}).`,
          { provider, kind: "wait" },
        ),
      );
    if (now >= deadline) return timeOut();
    const elapsedMs = now - startedAt;
    if (data.dueAt === undefined) {
      const delay = nextPollDelay(policy, { elapsedMs, attempt: data.attempts, remainingMs: deadline - now });
      return later(job, token, { ...data, dueAt: now + delay }, Math.min(now + delay, deadline));
    }
    if (data.dueAt > now + 5) return later(job, token, data, Math.min(data.dueAt, deadline));
    const rateKey = options.rateKeys?.[provider] ?? provider;
    const budgets = [...client.rateBudgets, ...(options.rateBudgets?.[provider] ?? [])];
    const timeoutMs = Math.max(1, Math.min(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, deadline - now));
    const slot = await budget.take(rateKey, budgets, timeoutMs);
    if (typeof slot === "number") return later(job, token, data, Math.min(now + slot, deadline));
    let snapshot: JobSnapshot;
    try {
      snapshot = await client.status(handle, { timeoutMs });
    } catch (error) {
      await slot();
      // As `wait`: a transient error, or a body not as documented up to 3 in a row, polls again.
      const invalid = pollRetry(error, data.invalid ?? 0);
      if (invalid === undefined) return fail(error);
      const failures = data.failures + 1;
      if (failures > (options.maxConsecutiveFailures ?? DEFAULT_MAX_FAILURES)) return fail(error);
      const at = Date.now();
      const retryAfterMs = error instanceof RateLimitError ? error.retryAfterMs : undefined;
      const delay = nextPollDelay(policy, {
        elapsedMs: at - startedAt,
        attempt: data.attempts + 1,
        consecutiveFailures: failures,
        retryAfterMs,
        remainingMs: deadline - at,
      });
      // One 429 is news for every worker of the key: the whole fleet waits.
      if (error instanceof RateLimitError) await budget.pause(rateKey, delay);
      return later(
        job,
        token,
        { ...data, attempts: data.attempts + 1, failures, invalid, dueAt: at + delay },
        Math.min(at + delay, deadline),
      );
    }
    await slot();
    if (snapshot.terminal) return settle(job, token, { ok: true, snapshot: snapshot as never });
    const at = Date.now();
    const delay = nextPollDelay(policy, {
      elapsedMs: at - startedAt,
      attempt: data.attempts + 1,
      retryAfterMs: snapshot.retryAfterMs,
      remainingMs: deadline - at,
    });
    const next: PollState = { ...data, attempts: data.attempts + 1, failures: 0, invalid: 0, dueAt: at + delay, lastState: snapshot.state };
    return later(job, token, next, Math.min(at + delay, deadline));
  }

  const worker = new Worker<PollJobData, TrackedOutcome>(QUEUE_NAME, run, {
    connection: options.connection as ConnectionOptions,
    prefix,
    concurrency: options.concurrency ?? 16,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // The outcome stays under its own key: a completed job's hash would only repeat it.
    removeOnComplete: { count: 0 },
    removeOnFail: { age: Math.ceil(resultTtlMs / 1000) },
  });
  worker.on("error", onError);
  worker.on("failed", (job, error) => {
    if (job && !(error instanceof DelayedError))
      onError(new JobStatusError(`jobstatus/bullmq: reporting job ${job.id} failed: ${error.message}`));
  });
  return {
    worker,
    async close() {
      await worker.close();
      await redis.quit();
    },
  };
}
