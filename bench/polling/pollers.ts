/**
 * The polling policies compared, each as a generator of poll times (ms since the job started).
 * Baselines follow each client's published formula; the source is named on each.
 */
import { nextPollDelay, type PollPolicy } from "../../src/lifecycle/policy.js";

/** Poll times for one job. Only the oracle looks at the job's length. */
export type Poller = (lengthMs: number, random: () => number) => Iterable<number>;

export interface NamedPoller {
  key: string;
  label: string;
  source: string;
  poller: Poller;
  /** Shown in the report but not one of the compared clients (the floor and what-if rows). */
  reference?: boolean;
}

/** Polls every `intervalMs`, first one interval after the start. */
export function fixed(intervalMs: number): Poller {
  return function* () {
    for (let t = intervalMs; ; t += intervalMs) yield t;
  };
}

/**
 * Comfy's TypeScript SDK job polling: an interval starting at 0.5 s, growing ×1.5 per poll, capped at
 * 5 s; the first poll one interval after the start.
 */
export function comfySdk(): Poller {
  return function* () {
    let t = 0;
    for (let interval = 500; ; interval = Math.min(5_000, interval * 1.5)) yield (t += interval);
  };
}

/**
 * The Smithy waiter retry algorithm (smithy.io 2.0 "Waiters", waiter retries), as the AWS SDK for
 * JavaScript v3 runs it (@smithy/util-waiter): the first check at once, then before attempt n a
 * delay uniform(min, min·2^(n−1)); past the attempt ceiling log2(max/min) + 1 the delay is max, flat.
 */
export function smithyWaiter(minMs = 2_000, maxMs = 120_000): Poller {
  const ceiling = Math.log(maxMs / minMs) / Math.log(2) + 1;
  return function* (_length, random) {
    let t = 0;
    yield t;
    for (let attempt = 1; ; attempt++) {
      const delay = attempt > ceiling ? maxMs : minMs + random() * (Math.min(maxMs, minMs * 2 ** (attempt - 1)) - minMs);
      yield (t += delay);
    }
  };
}

/** Knows the length: one request, exactly when the job ends. The floor nobody can beat. */
export function oracle(): Poller {
  return function* (lengthMs) {
    yield lengthMs;
  };
}

/** jobstatus: the library's own nextPollDelay, exactly as a wait calls it. */
export function ours(policy: PollPolicy): Poller {
  return function* (_length, random) {
    let t = 0;
    for (let attempt = 0; ; attempt++) {
      t += nextPollDelay(policy, { elapsedMs: t, attempt, random });
      yield t;
    }
  };
}

export function baselines(): NamedPoller[] {
  return [
    { key: "fixed-0.5s", label: "fixed 0.5 s", source: "Replicate and fal clients: poll every 0.5 s", poller: fixed(500) },
    { key: "fixed-2s", label: "fixed 2 s", source: "Azure core-lro default polling interval: 2 s", poller: fixed(2_000) },
    { key: "fixed-5s", label: "fixed 5 s", source: "OpenAI: poll every 5 s", poller: fixed(5_000) },
    { key: "comfy-sdk", label: "Comfy SDK", source: "Comfy TypeScript SDK: 0.5 s ×1.5 up to 5 s", poller: comfySdk() },
    {
      key: "smithy",
      label: "smithy waiter",
      source: "Smithy/AWS waiter: at once, then uniform(2 s, min(2 s·2^(n−1), 120 s)), 120 s flat later",
      poller: smithyWaiter(),
    },
    { key: "oracle", label: "oracle", source: "one request exactly at the end", poller: oracle(), reference: true },
  ];
}
