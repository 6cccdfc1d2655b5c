/**
 * Adaptive polling: learn how long one provider's jobs of one kind take, and poll where they end.
 *
 * The model is a histogram of job durations on a log scale (8 bins per doubling, from 100 ms to about
 * 39 days), stored densely from its first non-empty bin, so a few hundred bytes of plain JSON that fit
 * in a database row next to the handle. Each observation first fades every bin a little (half-life
 * 200 jobs), so a provider that got faster or slower is followed within a few hundred jobs.
 *
 * Placing polls: after a poll at elapsed t found the job still running, the model looks for the first
 * time d ≥ t from which a step of (1 + patience) would catch at least 1 % of the jobs still running,
 * and polls at (1 + patience) × d. Every job that ends in [d, (1 + patience)·d] is then found within
 * `patience` of its age, as on the plain schedule, while stretches where almost no job ends (before
 * the shortest jobs, between two modes) are crossed in one step instead of many. Skipping a step
 * saves a request for every job still running and makes late only the few that end in it, so a
 * threshold on this per-step hazard is the right exchange of requests for lag. Where jobs end
 * densely d = t, and this is the plain schedule. The step is never shorter than the policy's minimum
 * nor longer than its maximum interval, so a wrong model costs lag bounded by the maximum interval,
 * never a burst. Until MIN_SAMPLES jobs were seen, and past the longest job seen, the model abstains
 * and the plain schedule runs.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { PollPolicy } from "./policy.js";

/** An adaptive model's learned job lengths as plain JSON, to save and resume. */
export interface AdaptiveState {
  version: 1;
  /** Jobs observed since the model was made (never faded). */
  samples: number;
  /** Index of the first stored bin; bin i covers [100 ms · 2^(i/8), 100 ms · 2^((i+1)/8)). */
  offset: number;
  /** Faded weight of each bin from `offset` on, rounded down to 1/1000. */
  weights: number[];
}

/** Learned job lengths of one provider and kind, used to place polls where jobs are likely to end. */
export interface AdaptiveModel {
  /**
   * Records a job that ended. Pass the time from start to the poll that saw it end and, when known,
   * the time of the previous poll that saw it still running: the end lies in between, and the weight is
   * spread over that span so the model does not learn the polling grid's lateness.
   */
  observe(durationMs: number, notBeforeMs?: number): void;
  /** Elapsed time for the next poll after one at `elapsedMs`, or undefined to use the plain schedule. */
  nextPollAt(elapsedMs: number, policy: PollPolicy): number | undefined;
  /** The learned state, to pass to `createAdaptiveModel` in another process. */
  toJSON(): AdaptiveState;
  readonly samples: number;
}

const BASE_MS = 100;
const BINS_PER_DOUBLING = 8;
const LOG_STEP = Math.LN2 / BINS_PER_DOUBLING;
const MAX_BINS = 200;
const DECAY = 2 ** (-1 / 200);
const MIN_SAMPLES = 20;
/** A poll step is skipped when fewer than this share of the jobs still running would end within it. */
const STEP_HAZARD = 0.01;
/**
 * Ends assumed in every step on top of those seen, so a stretch is skipped only on evidence: with
 * few jobs seen, a step that none of them ended in is not proof that none will.
 */
const PRIOR_ENDS = 0.2;
/** Resolution, in bins, of the search for the next step worth polling. */
const SCAN = 0.25;
/** Below this surviving weight (about one job) the model knows too little: plain schedule. */
const MIN_SURVIVORS = 1;
/** Spreads each observation over its neighbours so a sparse histogram has no false gaps. */
const KERNEL = [0.25, 0.5, 0.25] as const;
const ROUND = 1000;

/**
 * A model that learns how long jobs take, from the jobs it has seen end, and moves polls to where
 * jobs end: fewer requests for the same lag once it has seen about 20 jobs. Watchers make one per
 * provider and kind when `adaptive: true`; make one yourself to share or preload it.
 * @example
 * const model = createAdaptiveModel(savedState); // or no argument to start fresh
 * const done = await wait(comfy, handle, { poll: { adaptive: model } });
 * await store.put("comfy-model", model.toJSON());
 */
export function createAdaptiveModel(state?: AdaptiveState): AdaptiveModel {
  const initial = state === undefined ? { version: 1 as const, samples: 0, offset: 0, weights: [] } : checkState(state);
  let samples = initial.samples;
  // Dense bins over the whole range keep the arithmetic simple; only the JSON form is trimmed.
  const bins = new Float64Array(MAX_BINS);
  initial.weights.forEach((w, i) => (bins[initial.offset + i] = w));
  let first = initial.weights.length > 0 ? initial.offset : MAX_BINS;
  let last = initial.offset + initial.weights.length - 1;
  // Weight of bins i and above, rebuilt lazily after an observation.
  let tail: Float64Array | undefined;

  return {
    get samples() {
      return samples;
    },
    observe(durationMs, notBeforeMs) {
      if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0) {
        throw new InvalidArgumentError(`durationMs must be a finite number ≥ 0, got ${String(durationMs)}`);
      }
      const spread = spreadOf(durationMs, notBeforeMs);
      for (const i of spread.keys()) {
        first = Math.min(first, i);
        last = Math.max(last, i);
      }
      // Bins outside [first, last] are empty and stay so: only the occupied stretch is faded.
      for (let i = first; i <= last; i++) {
        const w = (bins[i] ?? 0) * DECAY + (spread.get(i) ?? 0);
        // Rounded down, not to nearest: rounding to nearest would pin small weights (under ~0.15)
        // at their value forever, and old data would never fade out of the tails.
        bins[i] = Math.floor(w * ROUND + 1e-9) / ROUND;
      }
      samples += 1;
      tail = undefined;
    },
    nextPollAt(elapsedMs, policy) {
      if (samples < MIN_SAMPLES) return undefined;
      const t = Math.max(0, elapsedMs);
      tail ??= tailSums(bins);
      const end = plausibleEnd(tail, t, policy.patience);
      if (end === undefined) return undefined;
      const at = (1 + policy.patience) * end;
      return Math.min(t + policy.maxIntervalMs, Math.max(t + policy.minIntervalMs, at));
    },
    toJSON() {
      let lo = 0;
      let hi = MAX_BINS - 1;
      while (lo <= hi && bins[lo] === 0) lo++;
      while (hi >= lo && bins[hi] === 0) hi--;
      const weights = lo > hi ? [] : Array.from(bins.subarray(lo, hi + 1));
      return { version: 1, samples, offset: lo > hi ? 0 : lo, weights };
    },
  };
}

function tailSums(bins: Float64Array): Float64Array {
  const tail = new Float64Array(MAX_BINS + 1);
  for (let i = MAX_BINS - 1; i >= 0; i--) tail[i] = (tail[i + 1] ?? 0) + (bins[i] ?? 0);
  return tail;
}

function binOf(ms: number): number {
  if (ms <= BASE_MS) return 0;
  return Math.min(MAX_BINS - 1, Math.floor(Math.log(ms / BASE_MS) / LOG_STEP));
}

/** Position of `ms` on the bin axis (bin index plus the fraction into it, on a log scale). */
function axisOf(ms: number): number {
  if (ms <= BASE_MS) return 0;
  return Math.min(MAX_BINS, Math.log(ms / BASE_MS) / LOG_STEP);
}

function msAt(axis: number): number {
  return BASE_MS * Math.exp(axis * LOG_STEP);
}

/**
 * One unit of weight spread evenly (on the log axis) over the span where the job ended, then smoothed
 * by the kernel. A job found done at its first poll gives no lower bound; its span is taken as the
 * half before that poll. Without that guess nothing could tell a 6 s job found at 6.5 s from a 0.2 s
 * one, and a model that moved its first poll late would keep it there: with it, a model whose jobs
 * got faster walks its first poll back, halving each time.
 */
function spreadOf(durationMs: number, notBeforeMs: number | undefined): Map<number, number> {
  const hi = axisOf(durationMs);
  let lo = hi;
  if (notBeforeMs !== undefined && Number.isFinite(notBeforeMs) && notBeforeMs < durationMs) {
    lo = notBeforeMs > 0 ? axisOf(notBeforeMs) : Math.max(0, hi - BINS_PER_DOUBLING);
  }
  const raw = new Map<number, number>();
  if (hi - lo < 1e-9) {
    raw.set(binOf(durationMs), 1);
  } else {
    for (let i = Math.floor(lo); i < Math.min(MAX_BINS, Math.ceil(hi)); i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      if (overlap > 0) raw.set(i, overlap / (hi - lo));
    }
  }
  const out = new Map<number, number>();
  for (const [i, w] of raw) {
    KERNEL.forEach((k, j) => {
      const at = Math.min(MAX_BINS - 1, Math.max(0, i + j - 1));
      out.set(at, (out.get(at) ?? 0) + w * k);
    });
  }
  return out;
}

/**
 * The first time at or after t from which a poll step of (1 + patience) would catch at least
 * STEP_HAZARD of the jobs still running: stretches where fewer end are skipped. Undefined when too
 * little weight survives t to say anything.
 */
function plausibleEnd(tail: Float64Array, t: number, patience: number): number | undefined {
  const survivorsAt = (axis: number): number => {
    if (axis >= MAX_BINS) return 0;
    const i = Math.floor(axis);
    const inBin = (tail[i] ?? 0) - (tail[i + 1] ?? 0);
    return (tail[i] ?? 0) - inBin * (axis - i);
  };
  const start = axisOf(t);
  if (survivorsAt(start) < MIN_SURVIVORS) return undefined;
  const step = Math.log(1 + patience) / LOG_STEP;
  for (let axis = start; axis < MAX_BINS; axis += SCAN) {
    const alive = survivorsAt(axis);
    if (alive < MIN_SURVIVORS) return msAt(axis);
    if (alive - survivorsAt(axis + step) + PRIOR_ENDS >= STEP_HAZARD * alive) {
      // The crossing lies within the last scan step: take its start so the poll is never late.
      return msAt(Math.max(start, axis - SCAN));
    }
  }
  return undefined;
}

function checkState(state: unknown): AdaptiveState {
  const s = state as Partial<AdaptiveState> | null;
  if (typeof s !== "object" || s === null) throw new InvalidArgumentError("adaptive state must be an object");
  if (s.version !== 1) throw new InvalidArgumentError(`adaptive state version must be 1, got ${String(s.version)}`);
  if (!Number.isSafeInteger(s.samples) || (s.samples as number) < 0) {
    throw new InvalidArgumentError(`adaptive state samples must be an integer ≥ 0, got ${String(s.samples)}`);
  }
  if (!Number.isSafeInteger(s.offset) || (s.offset as number) < 0 || (s.offset as number) >= MAX_BINS) {
    throw new InvalidArgumentError(`adaptive state offset must be an integer in [0, ${MAX_BINS - 1}], got ${String(s.offset)}`);
  }
  const offset = s.offset as number;
  if (!Array.isArray(s.weights) || s.weights.length > MAX_BINS - offset) {
    throw new InvalidArgumentError(`adaptive state weights must be an array of at most ${MAX_BINS - offset} numbers`);
  }
  for (const w of s.weights as unknown[]) {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new InvalidArgumentError(`adaptive state weights must be finite numbers ≥ 0, got ${String(w)}`);
    }
  }
  return { version: 1, samples: s.samples as number, offset, weights: [...(s.weights as number[])] };
}
