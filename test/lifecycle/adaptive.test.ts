import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { createAdaptiveModel, type AdaptiveModel, type AdaptiveState } from "../../src/lifecycle/adaptive.js";
import { nextPollDelay, resolvePollPolicy, type PollPolicy } from "../../src/lifecycle/policy.js";

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal job lengths around the given medians (ms), each chosen with its share. */
function lengths(count: number, seed: number, modes: Array<[share: number, medianMs: number]>, sigma = 0.2): number[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => {
    let pick = random();
    const mode = modes.find(([share]) => (pick -= share) < 0) ?? modes[modes.length - 1];
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return (mode?.[1] ?? 1) * Math.exp(sigma * normal);
  });
}

/** One wait on a virtual clock: requests spent, when the job was found, and the last poll that saw it running. */
function waitFor(policy: PollPolicy, lengthMs: number, random: () => number) {
  let t = 0;
  let lastRunning = 0;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    t += nextPollDelay(policy, { elapsedMs: t, attempt, random });
    if (t >= lengthMs) return { requests: attempt + 1, foundAt: t, lastRunning };
    lastRunning = t;
  }
  throw new Error("wait did not end");
}

/** Feeds a model the way a wait does, from the waits it ran itself. */
function train(model: AdaptiveModel, policy: PollPolicy, jobs: number[], seed = 1): void {
  const random = seeded(seed);
  for (const length of jobs) {
    const { foundAt, lastRunning } = waitFor(policy, length, random);
    model.observe(foundAt, lastRunning);
  }
}

const BIMODAL: Array<[number, number]> = [
  [0.8, 10_000],
  [0.2, 600_000],
];

describe("createAdaptiveModel", () => {
  it("abstains until it has seen enough jobs, so the plain schedule runs", () => {
    const model = createAdaptiveModel();
    const policy = resolvePollPolicy({ adaptive: model, jitter: 0 });
    expect(model.nextPollAt(0, policy)).toBeUndefined();
    for (let i = 0; i < 5; i++) model.observe(10_000);
    expect(model.samples).toBe(5);
    expect(model.nextPollAt(0, policy)).toBeUndefined();
    expect(nextPollDelay(policy, { elapsedMs: 0, attempt: 0 })).toBe(policy.initialDelayMs);
  });

  it("learns where jobs end: skips the quiet start and the gap between two modes", () => {
    const model = createAdaptiveModel();
    const policy = resolvePollPolicy({ adaptive: model, jitter: 0 });
    train(model, policy, lengths(600, 1, BIMODAL));
    const first = nextPollDelay(policy, { elapsedMs: 0, attempt: 0 });
    expect(first).toBeGreaterThan(4_000);
    expect(first).toBeLessThan(9_000);
    // Past the first mode, the next poll is one full ceiling away.
    expect(nextPollDelay(policy, { elapsedMs: 40_000, attempt: 12 })).toBe(policy.maxIntervalMs);
    // Inside a mode it polls like the plain schedule.
    const plain = resolvePollPolicy({ jitter: 0 });
    expect(nextPollDelay(policy, { elapsedMs: 10_000, attempt: 4 })).toBeCloseTo(
      nextPollDelay(plain, { elapsedMs: 10_000, attempt: 4 }),
      -1,
    );
  });

  it("never polls sooner than the plain schedule, nor further apart than its ceiling", () => {
    const model = createAdaptiveModel();
    const policy = resolvePollPolicy({ adaptive: model, jitter: 0 });
    train(model, policy, lengths(400, 2, BIMODAL));
    for (let t = 0; t < 4_000_000; t += 777) {
      const at = model.nextPollAt(t, policy);
      if (at === undefined) continue;
      const plain = Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, policy.patience * t));
      expect(at - t).toBeGreaterThanOrEqual(plain - 1e-6);
      expect(at - t).toBeLessThanOrEqual(policy.maxIntervalMs);
    }
    // Past the longest job seen it abstains.
    expect(model.nextPollAt(3_000_000, policy)).toBeUndefined();
  });

  it("spends fewer requests than the plain schedule on jobs like those it learned", () => {
    const model = createAdaptiveModel();
    const adaptive = resolvePollPolicy({ adaptive: model });
    train(model, adaptive, lengths(500, 3, BIMODAL));
    const plain = resolvePollPolicy();
    const jobs = lengths(300, 4, BIMODAL);
    const spend = (policy: PollPolicy) => {
      const random = seeded(9);
      return jobs.reduce((sum, length) => sum + waitFor(policy, length, random).requests, 0);
    };
    expect(spend(adaptive)).toBeLessThan(0.6 * spend(plain));
  });

  it("round-trips through JSON and makes the same decisions after", () => {
    const model = createAdaptiveModel();
    const policy = resolvePollPolicy({ adaptive: model });
    train(model, policy, lengths(300, 5, BIMODAL));
    const text = JSON.stringify(model);
    expect(text.length).toBeLessThan(1_000);
    const copy = createAdaptiveModel(JSON.parse(text) as AdaptiveState);
    expect(copy.toJSON()).toEqual(model.toJSON());
    expect(copy.samples).toBe(300);
    const copied = resolvePollPolicy({ adaptive: copy });
    for (let t = 0; t < 2_000_000; t += 1_111) {
      expect(copy.nextPollAt(t, copied)).toBe(model.nextPollAt(t, policy));
    }
    // And it keeps learning alike.
    model.observe(12_345, 11_000);
    copy.observe(12_345, 11_000);
    expect(copy.toJSON()).toEqual(model.toJSON());
  });

  it("lets old observations fade, and walks its first poll back when jobs get faster", () => {
    const model = createAdaptiveModel();
    const policy = resolvePollPolicy({ adaptive: model });
    train(model, policy, lengths(400, 6, [[1, 60_000]], 0.1));
    expect(nextPollDelay(policy, { elapsedMs: 0, attempt: 0 })).toBeGreaterThan(30_000);
    // Now every job takes about 2 s; the model only ever sees them end at its own first poll.
    train(model, policy, lengths(300, 7, [[1, 2_000]], 0.1), 2);
    expect(nextPollDelay(policy, { elapsedMs: 0, attempt: 0 })).toBeLessThan(3_000);
  });

  it("rejects bad observations", () => {
    const model = createAdaptiveModel();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number]) {
      expect(() => model.observe(bad)).toThrow(InvalidArgumentError);
    }
    expect(model.samples).toBe(0);
  });

  it.each([
    ["null", null],
    ["a string", "v1"],
    ["another version", { version: 2, samples: 0, offset: 0, weights: [] }],
    ["negative samples", { version: 1, samples: -1, offset: 0, weights: [] }],
    ["fractional samples", { version: 1, samples: 1.5, offset: 0, weights: [] }],
    ["offset out of range", { version: 1, samples: 1, offset: 200, weights: [] }],
    ["weights not an array", { version: 1, samples: 1, offset: 0, weights: { 0: 1 } }],
    ["a negative weight", { version: 1, samples: 1, offset: 3, weights: [1, -2] }],
    ["a non-number weight", { version: 1, samples: 1, offset: 3, weights: [1, "2"] }],
    ["too many weights", { version: 1, samples: 1, offset: 150, weights: new Array(60).fill(1) }],
  ])("rejects a malformed state: %s", (_name, state) => {
    expect(() => createAdaptiveModel(state as unknown as AdaptiveState)).toThrow(InvalidArgumentError);
  });

  it("is accepted as a policy layer, and refused when it is not a model", () => {
    const model = createAdaptiveModel();
    expect(resolvePollPolicy({ adaptive: model }).adaptive).toBe(model);
    expect(resolvePollPolicy({ adaptive: model }, { adaptive: false }).adaptive).toBe(false);
  });
});
