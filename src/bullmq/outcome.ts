/** A settled job's outcome as plain JSON (a BullMQ return value, a Redis string) and back. */
import * as errors from "../core/errors.js";
import { JobStatusError } from "../core/errors.js";
import type { JobHandle, JobSnapshot, TerminalJobSnapshot } from "../core/state.js";

/** A settled job, as stored: its terminal snapshot, or the typed error that ended its tracking. */
export type TrackedOutcome =
  | { ok: true; snapshot: TerminalJobSnapshot }
  | { ok: false; handle: JobHandle; snapshot?: JobSnapshot | undefined; error: SerializedError };

/** The fields of a JobStatusError that survive JSON. Built from redacted errors only: no key in it. */
export interface SerializedError {
  name: string;
  message: string;
  provider?: string | undefined;
  status?: number | undefined;
  code?: string | undefined;
  requestId?: string | undefined;
  operation?: string | undefined;
  retryAfterMs?: number | undefined;
  kind?: string | undefined;
}

const FIELDS = ["provider", "status", "code", "requestId", "operation", "retryAfterMs", "kind"] as const;

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "JobStatusError", message: String(error).slice(0, 500) };
  const out: SerializedError = { name: error.name, message: error.message };
  for (const field of FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") (out as unknown as Record<string, unknown>)[field] = value;
  }
  return out;
}

type ErrorClass = abstract new (...args: never[]) => JobStatusError;

const CLASSES: ReadonlyMap<string, ErrorClass> = new Map(
  (Object.values(errors) as unknown[])
    .filter(
      (value): value is ErrorClass =>
        typeof value === "function" && (value === JobStatusError || (value as ErrorClass).prototype instanceof JobStatusError),
    )
    .map((cls) => [cls.name, cls]),
);

/**
 * The error again, as an instance of its class (so `instanceof` and `transient` work in the process
 * that reads it); an unknown name becomes a plain JobStatusError.
 */
export function deserializeError(serialized: SerializedError, lastSnapshot?: JobSnapshot): JobStatusError {
  const cls = CLASSES.get(serialized.name) ?? JobStatusError;
  const error = Object.create(cls.prototype) as JobStatusError;
  Object.defineProperty(error, "message", { value: serialized.message, writable: true, configurable: true });
  Object.assign(error, { name: serialized.name });
  for (const field of FIELDS) if (serialized[field] !== undefined) Object.assign(error, { [field]: serialized[field] });
  if (cls === errors.TimeoutError) Object.assign(error, { lastSnapshot });
  Object.defineProperty(error, "stack", { value: `${serialized.name}: ${serialized.message}`, writable: true, configurable: true });
  return error;
}

/** Reads a stored outcome; anything else is an InvalidResponseError, never a crash. */
export function parseOutcome(text: unknown): TrackedOutcome {
  const value = typeof text === "string" ? safeParse(text) : text;
  const outcome = value as Partial<TrackedOutcome> | null;
  if (!outcome || typeof outcome !== "object" || typeof outcome.ok !== "boolean" || (outcome.ok === false && !outcome.error)) {
    throw new errors.InvalidResponseError("jobstatus/bullmq: a stored outcome is not one this package wrote.");
  }
  return outcome as TrackedOutcome;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
