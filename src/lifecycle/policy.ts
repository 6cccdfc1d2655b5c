/**
 * The poll schedule: when to ask a provider again whether a job has ended.
 *
 * Pure and runtime-neutral (no timers, no I/O, no `node:` import): the waiter and the scheduler ask it
 * for a delay and do the sleeping themselves. The schedule is a function of the time since the job
 * started, not of the time since the wait began, so a wait resumed in another process continues the
 * same schedule instead of starting over with fast polls.
 *
 * Default shape: the interval grows as `patience × elapsed` between a floor and a ceiling. Polls then
 * land on a geometric grid (t, (1 + patience)·t, ...), so a job is found at most about `patience` of
 * its age late, whatever its length: a 10 s job within 1.5 s, a 10 min job within 90 s, a longer one
 * within the ceiling. The number of polls grows with the logarithm of the job length, where a fixed
 * interval pays linearly. Below `minIntervalMs / patience` (about 7 s by default) the floor rules and
 * short jobs are found up to one floor interval late.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { AdaptiveModel } from "./adaptive.js";

/** Overrides of the poll schedule; each field left out keeps the provider's default. */
export interface PollPolicyOptions {
  /** First check this long after the job started. */
  initialDelayMs?: number;
  /** Floor of the interval between two polls: only the deadline goes below it, never a server hint. */
  minIntervalMs?: number;
  /** Ceiling of the interval between two polls. */
  maxIntervalMs?: number;
  /**
   * Trades requests for lag: the target relative lag. 0.15 means a job is found at most about 15 % of
   * its age late. Lower spends more requests.
   */
  patience?: number;
  /**
   * Random share (up to this fraction) taken off each computed interval, so waits started together
   * drift apart (0 disables). Never added, so `patience` stays a bound; at the floor it is added instead.
   */
  jitter?: number;
  /** A model of this provider's job lengths that places polls where completion is likely. */
  adaptive?: AdaptiveModel | false;
}

/** A complete, validated poll schedule, as {@link resolvePollPolicy} makes it. */
export type PollPolicy = Readonly<Required<Omit<PollPolicyOptions, "adaptive">>> & {
  readonly adaptive: AdaptiveModel | false;
};

/**
 * The library default, measured in bench/polling.ts (about 24 requests per job over jobs of 2 s to
 * 30 min, against 520 for a 0.5 s poller, with a p95 lag of 14 % of the job's length). The first
 * check at 2.5 s skips the time in which hardly any job ends; the 0.5 s floor only binds until a job
 * is about 3 s old, where short jobs need it; the 2 min ceiling (as AWS waiters use) only takes over
 * past 13 min, where 2 min is already under 15 % of a job's age.
 */
export const DEFAULT_POLL_POLICY: PollPolicy = /* @__PURE__ */ Object.freeze({
  initialDelayMs: 2_500,
  minIntervalMs: 500,
  maxIntervalMs: 120_000,
  patience: 0.15,
  jitter: 0.05,
  adaptive: false as const,
});

const DAY_MS = 24 * 60 * 60 * 1000;
// As parseRetryAfter reads headers: a hint from a provider of the caller's own making is held to it too.
const MAX_HINT_MS = DAY_MS;

// Allowed ranges, also quoted in the error messages.
const RANGES = {
  initialDelayMs: [0, DAY_MS],
  minIntervalMs: [1, DAY_MS],
  maxIntervalMs: [1, DAY_MS],
  patience: [0.01, 10],
  jitter: [0, 1],
} as const satisfies Record<keyof Omit<PollPolicyOptions, "adaptive">, readonly [number, number]>;

type NumericOption = keyof typeof RANGES;
const NUMERIC_OPTIONS = /* @__PURE__ */ Object.keys(RANGES) as NumericOption[];

/**
 * Merges option layers over the default (later layers win, `undefined` leaves a value alone) and
 * validates them, throwing an InvalidArgumentError that names a bad option and its range.
 * @example
 * const policy = resolvePollPolicy(DEFAULT_POLL_POLICY, { patience: 0.1, maxIntervalMs: 30_000 });
 */
export function resolvePollPolicy(...layers: Array<PollPolicyOptions | undefined>): PollPolicy {
  const merged: { -readonly [K in keyof PollPolicy]: PollPolicy[K] } = { ...DEFAULT_POLL_POLICY };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer !== "object" || layer === null) {
      throw new InvalidArgumentError(`poll policy options must be an object, got ${describe(layer)}`);
    }
    for (const name of NUMERIC_OPTIONS) {
      const value = layer[name];
      if (value === undefined) continue;
      const [low, high] = RANGES[name];
      if (typeof value !== "number" || !Number.isFinite(value) || value < low || value > high) {
        throw new InvalidArgumentError(`${name} must be a number in [${low}, ${high}], got ${describe(value)}`);
      }
      merged[name] = value;
    }
    if (layer.adaptive !== undefined) {
      if (layer.adaptive !== false && !isAdaptiveModel(layer.adaptive)) {
        throw new InvalidArgumentError(`adaptive must be false or a model from createAdaptiveModel(), got ${describe(layer.adaptive)}`);
      }
      merged.adaptive = layer.adaptive;
    }
  }
  if (merged.maxIntervalMs < merged.minIntervalMs) {
    throw new InvalidArgumentError(
      `maxIntervalMs must be in [minIntervalMs (${merged.minIntervalMs}), ${DAY_MS}], got ${merged.maxIntervalMs}`,
    );
  }
  return Object.freeze(merged);
}

/** Where a wait stands, for {@link nextPollDelay}. */
export interface NextPollInput {
  /** Time since the job started (its handle's `startedAt`), so a resumed wait continues the same schedule. */
  elapsedMs: number;
  /** Polls done so far in this wait. */
  attempt: number;
  /** Transient failures in a row (network, 408, 429, 5xx): each one doubles the interval, up to the ceiling. */
  consecutiveFailures?: number;
  /**
   * A server hint (`Retry-After`, `retry-after-ms`): wins over the computed delay, but never goes below
   * the floor (`minIntervalMs`), nor below the backoff after failures; read as a day at most.
   */
  retryAfterMs?: number;
  /** Time until the wait's deadline: no sleep passes it. */
  remainingMs?: number;
  /** Source of jitter, default `Math.random`. */
  random?: () => number;
}

/**
 * Milliseconds to sleep before the next poll: the schedule every wait and watcher follows, pure, so
 * it can drive a poller of your own.
 * @example
 * const policy = resolvePollPolicy({ patience: 0.1 });
 * const ms = nextPollDelay(policy, { elapsedMs: 60_000, attempt: 5, remainingMs: 240_000 });
 */
export function nextPollDelay(policy: PollPolicy, input: NextPollInput): number {
  const remaining = input.remainingMs === undefined || Number.isNaN(input.remainingMs) ? Infinity : Math.max(0, input.remainingMs);
  // A clock that went backwards (or a startedAt from another machine) must not produce a burst.
  const elapsed = Number.isFinite(input.elapsedMs) ? Math.max(0, input.elapsedMs) : 0;
  const hint = input.retryAfterMs;
  const failures = Number.isFinite(input.consecutiveFailures) ? Math.max(0, Math.floor(input.consecutiveFailures!)) : 0;
  const random = input.random ?? Math.random;
  let delay: number;
  if (failures > 0) {
    // Slower than the schedule, never faster: a failing provider gets fewer requests, not a retry burst.
    const base = clampInterval(policy, policy.patience * elapsed);
    delay = jittered(policy, Math.min(policy.maxIntervalMs, base * 2 ** Math.min(failures, 30)), random);
    // A hint may lengthen the backoff; `Retry-After: 0` on a 429 must not turn it into a burst.
    if (hint !== undefined && !Number.isNaN(hint)) delay = Math.max(delay, Math.min(hint, MAX_HINT_MS));
  } else if (hint !== undefined && !Number.isNaN(hint)) {
    // A hint of 0 or a date in the past means "now", which the floor turns into "soon".
    delay = Math.max(policy.minIntervalMs, Math.min(hint, MAX_HINT_MS));
  } else if (input.attempt <= 0) {
    // The first check is exact: it is the caller's request, and starts are spread in time already.
    const planned = policy.adaptive ? policy.adaptive.nextPollAt(0, policy) : undefined;
    delay = Math.max(policy.initialDelayMs, planned ?? 0) - elapsed;
  } else {
    const planned = policy.adaptive ? policy.adaptive.nextPollAt(elapsed, policy) : undefined;
    const base = planned === undefined ? policy.patience * elapsed : planned - elapsed;
    delay = jittered(policy, clampInterval(policy, base), random);
  }
  return Math.min(Math.max(0, delay), remaining);
}

function clampInterval(policy: PollPolicy, ms: number): number {
  return Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, ms));
}

/**
 * Jitter spreads waits that started together. It only ever shortens an interval, so it never breaks
 * the patience bound; at the floor, where shortening is not allowed, it lengthens instead.
 */
function jittered(policy: PollPolicy, ms: number, random: () => number): number {
  if (policy.jitter === 0) return ms;
  const r = random();
  const share = policy.jitter * (Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5);
  if (ms <= policy.minIntervalMs) return Math.min(policy.maxIntervalMs, policy.minIntervalMs * (1 + share));
  return Math.max(policy.minIntervalMs, ms * (1 - share));
}

function isAdaptiveModel(value: unknown): value is AdaptiveModel {
  const model = value as Partial<AdaptiveModel> | null;
  return (
    typeof model === "object" &&
    model !== null &&
    typeof model.nextPollAt === "function" &&
    typeof model.observe === "function" &&
    typeof model.toJSON === "function"
  );
}

function describe(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  return typeof value;
}
