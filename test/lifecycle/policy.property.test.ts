import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAdaptiveModel } from "../../src/lifecycle/adaptive.js";
import { parseRetryAfter } from "../../src/core/retry-after.js";
import { nextPollDelay, resolvePollPolicy, type PollPolicy } from "../../src/lifecycle/policy.js";

// Fixed seed: a failure reproduces on every run and machine.
const RUNS = { numRuns: 2_000, seed: 20240611 };
const DAY = 86_400_000;

/** fast-check's doubles crowd at the edges (0, 1e-300, 1 − ε); mix in evenly spread values too. */
function spread(min: number, max: number) {
  return fc.oneof(
    fc.double({ min, max, noNaN: true }),
    fc.integer({ min: 0, max: 1_000_000 }).map((n) => min + ((max - min) * n) / 1_000_000),
  );
}

const optionsArb = fc
  .record({
    initialDelayMs: fc.integer({ min: 0, max: 60_000 }),
    minIntervalMs: fc.integer({ min: 1, max: 30_000 }),
    extraMaxMs: fc.integer({ min: 0, max: 600_000 }),
    patience: spread(0.01, 10),
    jitter: spread(0, 1),
  })
  .map(({ extraMaxMs, ...rest }) => ({ ...rest, maxIntervalMs: rest.minIntervalMs + extraMaxMs }));

const plainPolicyArb = optionsArb.map((options) => resolvePollPolicy(options));

/** Half of the policies carry an adaptive model, trained on arbitrary (even nonsensical) ends. */
const policyArb = fc.oneof(
  plainPolicyArb,
  fc
    .tuple(
      optionsArb,
      fc.array(fc.tuple(fc.integer({ min: 0, max: 7_200_000 }), fc.integer({ min: 0, max: 7_200_000 })), {
        minLength: 20,
        maxLength: 40,
      }),
    )
    .map(([options, observed]): PollPolicy => {
      const adaptive = createAdaptiveModel();
      for (const [end, before] of observed) adaptive.observe(end, before);
      return resolvePollPolicy(options, { adaptive });
    }),
);

const inputArb = fc.record({
  elapsedMs: fc.oneof(
    fc.integer({ min: 0, max: 60_000 }),
    fc.integer({ min: 0, max: 10 * DAY }),
    fc.double({ min: -1e6, max: 1e9, noNaN: true }),
  ),
  attempt: fc.integer({ min: 0, max: 10_000 }),
  consecutiveFailures: fc.option(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 1_000 })), { nil: undefined }),
  remainingMs: fc.option(fc.oneof(fc.integer({ min: 0, max: DAY }), spread(-1e6, 1e9)), { nil: undefined, freq: 2 }),
  draw: fc.oneof(
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    fc.integer({ min: 0, max: 999_999 }).map((n) => n / 1e6),
  ),
});

const hintArb = fc.oneof(fc.double({ min: -1e6, max: 2 * DAY, noNaN: true }), fc.integer({ min: 0, max: DAY }));

describe("poll policy properties", () => {
  it("never sleeps past the deadline, nor a negative time", () => {
    fc.assert(
      fc.property(policyArb, inputArb, fc.option(hintArb, { nil: undefined }), (policy, input, retryAfterMs) => {
        const delay = nextPollDelay(policy, { ...input, retryAfterMs, random: () => input.draw });
        expect(Number.isFinite(delay) || input.remainingMs === undefined).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        if (input.remainingMs !== undefined) expect(delay).toBeLessThanOrEqual(Math.max(0, input.remainingMs));
      }),
      RUNS,
    );
  });

  it("never polls sooner than the minimum interval after a poll, unless the deadline or a Retry-After says so", () => {
    fc.assert(
      fc.property(policyArb, inputArb, (policy, input) => {
        fc.pre(input.attempt >= 1);
        const delay = nextPollDelay(policy, { ...input, random: () => input.draw });
        const deadline = input.remainingMs === undefined ? Infinity : Math.max(0, input.remainingMs);
        expect(delay).toBeGreaterThanOrEqual(Math.min(policy.minIntervalMs, deadline));
        expect(delay).toBeLessThanOrEqual(policy.maxIntervalMs);
      }),
      RUNS,
    );
  });

  it("honours any Retry-After upward, but never below the floor or the backoff, and never past the deadline", () => {
    fc.assert(
      fc.property(policyArb, inputArb, hintArb, (policy, input, retryAfterMs) => {
        const delay = nextPollDelay(policy, { ...input, retryAfterMs, random: () => input.draw });
        const deadline = input.remainingMs === undefined ? Infinity : Math.max(0, input.remainingMs);
        const honoured = Math.min(Math.max(policy.minIntervalMs, Math.min(retryAfterMs, DAY)), deadline);
        if (!(input.consecutiveFailures! > 0)) expect(delay).toBe(honoured);
        else {
          expect(delay).toBeGreaterThanOrEqual(honoured);
          expect(delay).toBeGreaterThanOrEqual(nextPollDelay(policy, { ...input, random: () => input.draw }));
          expect(delay).toBeLessThanOrEqual(deadline);
        }
      }),
      RUNS,
    );
  });

  it("keeps the patience bound: without failures an interval is at most patience × elapsed, or the floor", () => {
    fc.assert(
      fc.property(plainPolicyArb, inputArb, (policy, input) => {
        fc.pre(input.attempt >= 1);
        const delay = nextPollDelay(policy, { ...input, consecutiveFailures: 0, random: () => input.draw });
        const elapsed = Math.max(0, input.elapsedMs);
        const bound = Math.max(policy.minIntervalMs * (1 + policy.jitter), Math.min(policy.maxIntervalMs, policy.patience * elapsed));
        expect(delay).toBeLessThanOrEqual(bound * (1 + 1e-12));
      }),
      RUNS,
    );
  });

  it("parses any header value without throwing, to undefined or a delay within a day", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (ms, after) => {
        const headers = new Headers();
        // Headers refuses some characters outright; a server cannot send those.
        try {
          headers.set("retry-after-ms", ms);
          headers.set("retry-after", after);
        } catch {
          return;
        }
        const value = parseRetryAfter(headers, 1_700_000_000_000);
        if (value !== undefined) {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(DAY);
        }
      }),
      RUNS,
    );
  });
});
