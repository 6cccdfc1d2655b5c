/** What one tracked job carries in Redis between polls (the BullMQ job's name and data): no key, no client. */
import { InvalidArgumentError, type JobStatusError, type ProviderName } from "../core/errors.js";
import type { JobHandle, JobSnapshot, JobState } from "../core/state.js";
import type { WaitState } from "../lifecycle/options.js";
import type { PollPolicyOptions } from "../lifecycle/policy.js";

/** Poll schedule overrides that travel through Redis: numbers only (no adaptive model). */
export type TrackedPollOptions = Omit<PollPolicyOptions, "adaptive">;

/**
 * The poll state as stored, the BullMQ job's data: a tuple, so that with the job's other fields it
 * stays under Redis's 64-byte limit for a hash's compact encoding (a third of the memory of a full
 * hash). Provider and job id are in the BullMQ job id, the handle's other fields in the job's name.
 */
export type PollJobData = [
  version: 2,
  /** `handle.startedAt`, as ms since epoch when that gives the same ISO string back, else the string. */
  startedAt: number | string,
  /** Ms since epoch; 0 for none; null for the provider's default, counted from startedAt. */
  deadline: number | null,
  /** Ms since epoch of the next poll; null until the worker placed the first one. */
  dueAt: number | null,
  attempts: number,
  failures: number,
  lastState: JobState | null,
  /** Bodies not as documented in a row, as `wait` counts them. */
  invalid?: number,
  /** Runs that ended in an error of the worker's own (Redis trouble, a throwing onSettled), retried. */
  retries?: number,
  poll?: TrackedPollOptions,
];

/** The poll state as the worker uses it. */
export interface PollState {
  handle: JobHandle;
  /** Ms since epoch; null for none; undefined for the provider's default, counted from `handle.startedAt`. */
  deadline: number | null | undefined;
  poll?: TrackedPollOptions | undefined;
  attempts: number;
  failures: number;
  /** Ms since epoch of the next poll; undefined until the worker placed the first one. */
  dueAt?: number | undefined;
  lastState?: JobState | undefined;
  invalid?: number | undefined;
  retries?: number | undefined;
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
export function toPollState(
  job: JobHandle | WaitState,
  deadline: number | null | undefined,
  poll: TrackedPollOptions | undefined,
): PollState {
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
    handle: handle as JobHandle,
    deadline: at,
    ...(poll ? { poll } : {}),
    attempts: saved && Number.isInteger(saved.attempts) ? saved.attempts : 0,
    failures: saved && Number.isInteger(saved.failures) ? saved.failures : 0,
    ...(Number.isNaN(dueAt) ? {} : { dueAt }),
    ...(saved?.lastState ? { lastState: saved.lastState } : {}),
  };
}

/** The handle's fields other than provider, job id and start: the BullMQ job's name ("{}" for most). */
export function handleExtras(handle: JobHandle): string {
  const { provider: _p, jobId: _j, startedAt: _s, ...extras } = handle as JobHandle & Record<string, unknown>;
  return JSON.stringify(extras);
}

export function encodePollState(state: PollState): PollJobData {
  const started = state.handle.startedAt;
  const ms = Date.parse(started);
  const data: PollJobData = [
    2,
    new Date(ms).toISOString() === started ? ms : started,
    state.deadline === null ? 0 : (state.deadline ?? null),
    state.dueAt ?? null,
    state.attempts,
    state.failures,
    state.lastState ?? null,
  ];
  // Trailing fields only when set, so the usual tuple stays short.
  const tail = [state.invalid ?? 0, state.retries ?? 0, state.poll ?? 0];
  while (tail.length > 0 && !tail.at(-1)) tail.pop();
  data.push(...(tail as [number, number, TrackedPollOptions]));
  return data;
}

/** The poll state of a BullMQ job: its id names provider and job id (see trackedJobId), its name the handle's extras. */
export function decodePollState(provider: ProviderName, jobId: string, name: string, data: PollJobData): PollState {
  if (!Array.isArray(data) || data[0] !== 2)
    throw new InvalidArgumentError("jobstatus/bullmq: a tracked job's data is not one this version wrote.");
  const [, started, deadline, dueAt, attempts, failures, lastState, invalid, retries, poll] = data;
  const extras = safeObject(name);
  const startedAt = typeof started === "number" ? new Date(started).toISOString() : started;
  return {
    handle: { provider, ...extras, jobId, startedAt } as JobHandle,
    deadline: deadline === 0 ? null : (deadline ?? undefined),
    ...(poll ? { poll } : {}),
    attempts,
    failures,
    ...(dueAt === null ? {} : { dueAt }),
    ...(lastState === null ? {} : { lastState }),
    ...(invalid ? { invalid } : {}),
    ...(retries ? { retries } : {}),
  };
}

function safeObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
