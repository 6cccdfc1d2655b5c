/**
 * Which failures are worth another request. A wait's poll (`pollRetry`): transient ones, and a short
 * run of bodies not as documented. One direct call (`getJobStatus`, `getJob`), opt-in with
 * `maxRetries`: transient ones only, with the wait's default floor and doubling, a `Retry-After`
 * honoured up to a cap, and the caller's signal ending a sleep at once.
 */
import {
  InvalidArgumentError,
  InvalidResponseError,
  JobStatusError,
  RateLimitError,
  ResponseTooLargeError,
  type ProviderName,
} from "./errors.js";
import type { StatusInit } from "./state.js";

/** Options of a direct status or detail call (an idempotent GET): a signal, a time limit, and retries. */
export interface RetryInit extends StatusInit {
  /**
   * Retries of a transient failure (network, request timeout, 408, 429, 5xx), 0 to 10 (default 0).
   * Each attempt has the time limit of one request; between attempts the call sleeps 0.5 s, 1 s,
   * 2 s ... (at most 8 s, a share longer at random), or as long as a 429's `Retry-After` says when
   * that is longer, up to 60 s: a longer hint ends the call with its RateLimitError.
   */
  maxRetries?: number | undefined;
}

/** The most retries one call may ask for. */
export const MAX_RETRIES = 10;
// The default poll policy's floor (minIntervalMs) and its ceiling for a call someone is waiting on.
const FLOOR_MS = 500;
const CEILING_MS = 8_000;
const MAX_HINT_MS = 60_000;

// A run of bodies that are not what the document says is a broken integration, not a blip.
const MAX_INVALID_RESPONSES = 3;

/**
 * Whether a wait polls again after `error`, given the bodies not as documented seen in a row before
 * it: a transient error yes (a 429 too: the watcher then pauses its key); such a body while the run
 * stays within 3; a body over the size cap never (the same request gets the same answer); anything
 * else ends the wait. Returns the run to carry on with, or undefined when the wait ends.
 */
export function pollRetry(error: unknown, invalidInARow: number): number | undefined {
  if (!(error instanceof JobStatusError)) return undefined;
  if (error.transient) return invalidInARow;
  return error instanceof InvalidResponseError && !(error instanceof ResponseTooLargeError) && invalidInARow < MAX_INVALID_RESPONSES
    ? invalidInARow + 1
    : undefined;
}

/** `maxRetries` checked before any request: a whole number in [0, 10]; undefined is 0. */
export function requireMaxRetries(value: unknown, provider: ProviderName): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_RETRIES) {
    throw new InvalidArgumentError(
      `${provider}: maxRetries must be a whole number in [0, ${MAX_RETRIES}], got ${typeof value === "number" ? value : typeof value}.`,
      { provider },
    );
  }
  return value;
}

/**
 * How long to sleep before retry number `retry` (1 for the first) after `error`, or undefined when
 * the error is not worth retrying: not transient, or a 429 asking for more than a minute.
 */
export function retryDelay(error: unknown, retry: number, random: () => number = Math.random): number | undefined {
  if (!(error instanceof JobStatusError) || !error.transient) return undefined;
  const backoff = Math.min(CEILING_MS, FLOOR_MS * 2 ** Math.max(0, retry - 1));
  // Jitter only lengthens, so no retry comes sooner than the floor and its doubling.
  const r = random();
  const delay = Math.ceil(backoff * (1 + 0.25 * (Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5)));
  const hint = error instanceof RateLimitError ? error.retryAfterMs : undefined;
  if (hint === undefined) return delay;
  return hint > MAX_HINT_MS ? undefined : Math.max(delay, hint);
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
