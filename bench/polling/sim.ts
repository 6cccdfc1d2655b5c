/** Runs a poller over job lengths on a virtual clock and summarizes requests and detection lag. */
import type { Poller } from "./pollers.js";
import { mix, prng } from "./workloads.js";

/** A poller that has not found a job after this many polls is broken: stop instead of looping. */
const MAX_POLLS_PER_JOB = 1_000_000;

export interface Summary {
  jobs: number;
  requestsPerJob: number;
  /** Detection lag (first poll at or after the end, minus the end), seconds. */
  lagS: { p50: number; p95: number; max: number };
  /** Lag divided by the job's length. */
  relLag: { p50: number; p95: number; max: number };
}

export interface JobOutcome {
  requests: number;
  lagMs: number;
  /** The last poll that saw the job still running (0 if none): the end lies after it. */
  lastRunningMs: number;
}

export function runJob(poller: Poller, lengthMs: number, random: () => number): JobOutcome {
  let requests = 0;
  let lastRunningMs = 0;
  for (const t of poller(lengthMs, random)) {
    requests++;
    if (t >= lengthMs) return { requests, lagMs: t - lengthMs, lastRunningMs };
    lastRunningMs = t;
    if (requests >= MAX_POLLS_PER_JOB) break;
  }
  throw new Error(`poller gave up on a ${lengthMs} ms job after ${requests} polls`);
}

/** Each job gets its own random stream from (seed, stream, job index), so policies do not share draws. */
export function simulate(poller: Poller, lengthsMs: readonly number[], seed: number, stream: number): Summary {
  let requests = 0;
  const lags: number[] = [];
  const rel: number[] = [];
  lengthsMs.forEach((length, index) => {
    const outcome = runJob(poller, length, prng(mix(seed, stream, index)));
    requests += outcome.requests;
    lags.push(outcome.lagMs / 1000);
    rel.push(outcome.lagMs / length);
  });
  return {
    jobs: lengthsMs.length,
    requestsPerJob: requests / lengthsMs.length,
    lagS: spread(lags),
    relLag: spread(rel),
  };
}

function spread(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] ?? 0 };
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}
