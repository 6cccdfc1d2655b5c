/** What one tracked job carries in Redis between polls (the BullMQ job's data): no key, no client. */
import { InvalidArgumentError, type JobStatusError, type ProviderName } from "../core/errors.js";
import type { JobHandle, JobSnapshot, JobState } from "../core/state.js";
import type { WaitState } from "../lifecycle/options.js";
import type { PollPolicyOptions } from "../lifecycle/policy.js";

/** Poll schedule overrides that travel through Redis: numbers only (no adaptive model). */
export type TrackedPollOptions = Omit<PollPolicyOptions, "adaptive">;

/** What one tracked job carries between polls, as the BullMQ job's data: plain JSON, no key. */
export interface PollJobData {
  v: 1;
  handle: JobHandle;
  /** Ms since epoch; null for none; undefined for the provider's default, counted from `handle.startedAt`. */
  deadline: number | null | undefined;
  poll?: TrackedPollOptions | undefined;
  attempts: number;
  failures: number;
  /** Ms since epoch of the next poll; undefined until the worker placed the first one. */
  dueAt?: number | undefined;
  lastState?: JobState | undefined;
}

/** A job that ended: its terminal snapshot, or the typed error that ended its tracking. */
export interface Settlement {
  handle: JobHandle;
  /** The terminal snapshot, when the job ended (succeeded, failed or cancelled). */
  snapshot?: JobSnapshot | undefined;
  /** What ended the tracking otherwise: a TimeoutError at the deadline, or a non-transient error. */
  error?: JobStatusError | undefined;
}

const PROVIDERS: readonly ProviderName[] = ["dify", "comfy", "deepaffects"];
const MAX_JOB_ID = 1_000;

/** A handle or a saved wait, checked for what Redis and the worker need, before anything is written. */
export function toPollJobData(
  job: JobHandle | WaitState,
  deadline: number | null | undefined,
  poll: TrackedPollOptions | undefined,
): PollJobData {
  const saved = job && typeof job === "object" && "version" in job && "handle" in job ? (job as WaitState) : undefined;
  const handle = (saved ? saved.handle : job) as Partial<JobHandle> | null;
  if (!handle || typeof handle !== "object") throw new InvalidArgumentError("track: expected a job handle or a saved wait state.");
  if (!PROVIDERS.includes(handle.provider as ProviderName)) {
    throw new InvalidArgumentError(`track: handle.provider must be one of ${PROVIDERS.join(", ")}.`);
  }
  if (typeof handle.jobId !== "string" || handle.jobId.length === 0 || handle.jobId.length > MAX_JOB_ID) {
    throw new InvalidArgumentError(`track: handle.jobId must be a string of 1 to ${MAX_JOB_ID} characters.`, {
      provider: handle.provider as ProviderName,
    });
  }
  if (typeof handle.startedAt !== "string" || Number.isNaN(Date.parse(handle.startedAt))) {
    throw new InvalidArgumentError("track: handle.startedAt must be an ISO 8601 time.", { provider: handle.provider as ProviderName });
  }
  let at = deadline;
  if (at === undefined && saved) at = saved.deadline === null ? null : Date.parse(saved.deadline);
  if (at != null && Number.isNaN(at)) throw new InvalidArgumentError("track: the deadline is not a time.");
  const dueAt = saved ? Date.parse(saved.nextPollAt) : NaN;
  return {
    v: 1,
    handle: handle as JobHandle,
    deadline: at,
    ...(poll ? { poll } : {}),
    attempts: saved && Number.isInteger(saved.attempts) ? saved.attempts : 0,
    failures: saved && Number.isInteger(saved.failures) ? saved.failures : 0,
    ...(Number.isNaN(dueAt) ? {} : { dueAt }),
    ...(saved?.lastState ? { lastState: saved.lastState } : {}),
  };
}
