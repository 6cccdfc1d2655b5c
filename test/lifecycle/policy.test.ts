import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { parseRetryAfter } from "../../src/core/retry-after.js";
import { DEFAULT_POLL_POLICY, nextPollDelay, resolvePollPolicy, type PollPolicy } from "../../src/lifecycle/policy.js";

/** A 1 s first check and floor, so the expected schedules below read as whole seconds. */
const SECOND = { initialDelayMs: 1_000, minIntervalMs: 1_000 } as const;

/** mulberry32, so jittered schedules are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poll times (ms since the job started) of one wait, as a waiter would take them. */
function schedule(policy: PollPolicy, count: number, random = seeded(1), from = { elapsedMs: 0, attempt: 0 }): number[] {
  const times: number[] = [];
  let { elapsedMs: t, attempt } = from;
  for (; times.length < count; attempt++) {
    t += nextPollDelay(policy, { elapsedMs: t, attempt, random });
    times.push(t);
  }
  return times;
}

describe("resolvePollPolicy", () => {
  it("starts from the default and lets later layers win, skipping undefined values", () => {
    const policy = resolvePollPolicy({ minIntervalMs: 2_000, patience: 0.3 }, undefined, { patience: 0.5, jitter: undefined });
    expect(policy).toMatchObject({ minIntervalMs: 2_000, patience: 0.5, jitter: DEFAULT_POLL_POLICY.jitter });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(resolvePollPolicy()).toEqual(DEFAULT_POLL_POLICY);
  });

  it("has a default with a floor of at least 0.5 s and a ceiling between 1 and 2 min", () => {
    expect(DEFAULT_POLL_POLICY.minIntervalMs).toBeGreaterThanOrEqual(500);
    expect(DEFAULT_POLL_POLICY.maxIntervalMs).toBeGreaterThanOrEqual(60_000);
    expect(DEFAULT_POLL_POLICY.maxIntervalMs).toBeLessThanOrEqual(120_000);
  });

  it.each([
    [{ minIntervalMs: 0 }, /minIntervalMs must be a number in \[1, 86400000\], got 0/],
    [{ initialDelayMs: -1 }, /initialDelayMs/],
    [{ patience: Number.NaN }, /patience must be a number in \[0.01, 10\], got NaN/],
    [{ jitter: 2 }, /jitter must be a number in \[0, 1\]/],
    [{ maxIntervalMs: "60s" as unknown as number }, /maxIntervalMs .* got "60s"/],
    [{ minIntervalMs: 5_000, maxIntervalMs: 2_000 }, /maxIntervalMs must be in \[minIntervalMs \(5000\)/],
    [{ adaptive: {} as never }, /adaptive must be false or a model/],
  ])("rejects %o with an InvalidArgumentError naming the option and its range", (options, message) => {
    expect(() => resolvePollPolicy(options)).toThrow(InvalidArgumentError);
    expect(() => resolvePollPolicy(options)).toThrow(message);
  });
});

describe("nextPollDelay", () => {
  const policy = resolvePollPolicy({ ...SECOND, jitter: 0 });

  it("makes the first check initialDelayMs after the job started", () => {
    expect(nextPollDelay(policy, { elapsedMs: 0, attempt: 0 })).toBe(policy.initialDelayMs);
    // A wait that begins 300 ms after the start still checks at initialDelayMs since the start.
    expect(nextPollDelay(policy, { elapsedMs: 300, attempt: 0 })).toBe(policy.initialDelayMs - 300);
    // ... and at once when that moment has passed.
    expect(nextPollDelay(policy, { elapsedMs: 5_000, attempt: 0 })).toBe(0);
  });

  it("keeps the floor while patience × elapsed is below it, then grows geometrically", () => {
    const times = schedule(policy, 40);
    expect(times.slice(0, 4)).toEqual([1_000, 2_000, 3_000, 4_000]);
    for (let i = 1; i < times.length; i++) {
      const prev = times[i - 1] as number;
      const expected = Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, policy.patience * prev));
      expect((times[i] as number) - prev).toBeCloseTo(expected, 6);
    }
    const late = times.filter((t) => t > 20_000 && t < 600_000);
    for (let i = 1; i < late.length; i++) expect((late[i] as number) / (late[i - 1] as number)).toBeCloseTo(1 + policy.patience, 9);
  });

  it("stays between minIntervalMs and maxIntervalMs, jitter included", () => {
    const jittery = resolvePollPolicy({ jitter: 1, minIntervalMs: 2_000, maxIntervalMs: 30_000 });
    const random = seeded(7);
    for (let elapsed = 0; elapsed < 3_600_000; elapsed += 997) {
      const delay = nextPollDelay(jittery, { elapsedMs: elapsed, attempt: 3, random });
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(30_000);
    }
  });

  it("applies jitter only as a shortening, except at the floor where it lengthens", () => {
    const jittery = resolvePollPolicy({ ...SECOND, jitter: 0.2 });
    const at = (elapsedMs: number, r: number) => nextPollDelay(jittery, { elapsedMs, attempt: 5, random: () => r });
    expect(at(100_000, 0)).toBe(15_000);
    expect(at(100_000, 1)).toBeCloseTo(12_000, 9);
    expect(at(100_000, 0.5)).toBeCloseTo(13_500, 9);
    expect(at(2_000, 0)).toBe(1_000);
    expect(at(2_000, 1)).toBeCloseTo(1_200, 9);
    const random = seeded(3);
    for (let elapsed = 10_000; elapsed < 700_000; elapsed += 1_234) {
      const delay = nextPollDelay(jittery, { elapsedMs: elapsed, attempt: 2, random });
      expect(delay).toBeLessThanOrEqual(0.15 * elapsed + 1e-9);
      expect(delay).toBeGreaterThanOrEqual(Math.max(1_000, 0.8 * 0.15 * elapsed) - 1e-9);
    }
  });

  it("never sleeps past the deadline", () => {
    expect(nextPollDelay(policy, { elapsedMs: 600_000, attempt: 9, remainingMs: 4_000 })).toBe(4_000);
    expect(nextPollDelay(policy, { elapsedMs: 600_000, attempt: 9, remainingMs: 0 })).toBe(0);
    expect(nextPollDelay(policy, { elapsedMs: 600_000, attempt: 9, remainingMs: -50 })).toBe(0);
    expect(nextPollDelay(policy, { elapsedMs: 0, attempt: 0, remainingMs: 300 })).toBe(300);
  });

  it("lets a Retry-After hint win over the schedule, within [floor, remaining]", () => {
    const base = { elapsedMs: 600_000, attempt: 9 };
    expect(nextPollDelay(policy, { ...base, retryAfterMs: 2_500 })).toBe(2_500);
    expect(nextPollDelay(policy, { ...base, retryAfterMs: 3_600_000 })).toBe(3_600_000);
    expect(nextPollDelay(policy, { ...base, retryAfterMs: 3_600_000, remainingMs: 10_000 })).toBe(10_000);
    expect(nextPollDelay(policy, { ...base, retryAfterMs: 1e12 })).toBe(24 * 3_600_000);
  });

  it("never lets Retry-After: 0, a past date or a negative hint poll faster than the floor, or than the backoff", () => {
    const base = { elapsedMs: 600_000, attempt: 9 };
    for (const retryAfterMs of [0, -5, 250, -Infinity]) {
      expect(nextPollDelay(policy, { ...base, retryAfterMs })).toBe(policy.minIntervalMs);
      const backoff = nextPollDelay(policy, { ...base, consecutiveFailures: 3 });
      expect(nextPollDelay(policy, { ...base, retryAfterMs, consecutiveFailures: 3 })).toBe(backoff);
    }
    // Only the deadline goes below the floor.
    expect(nextPollDelay(policy, { ...base, retryAfterMs: 0, remainingMs: 100 })).toBe(100);
  });

  it("backs off after transient failures: slower each time, up to the ceiling, never a burst", () => {
    const jittery = resolvePollPolicy({ ...SECOND, jitter: 0.1 });
    const delays = [0, 1, 2, 3, 4, 5, 10, 100].map((failures) =>
      nextPollDelay(jittery, { elapsedMs: 3_000, attempt: 4, consecutiveFailures: failures, random: () => 0 }),
    );
    expect(delays.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(delays.at(-2)).toBe(jittery.maxIntervalMs);
    expect(delays.at(-1)).toBe(jittery.maxIntervalMs);
    const random = seeded(11);
    for (let elapsed = 0; elapsed < 2_000_000; elapsed += 4_321) {
      const plain = nextPollDelay(jittery, { elapsedMs: elapsed, attempt: 3, random: () => 0 });
      const failing = nextPollDelay(jittery, { elapsedMs: elapsed, attempt: 3, consecutiveFailures: 1, random });
      expect(failing).toBeGreaterThanOrEqual(Math.min(plain, jittery.maxIntervalMs * 0.9));
    }
  });

  it("continues the same schedule when a wait is resumed from its elapsed time and attempt", () => {
    const jittery = resolvePollPolicy({ jitter: 0.3 });
    const whole = schedule(jittery, 30, seeded(5));
    // Replay the same random draws: the first 12 polls in one process, the rest in another.
    const random = seeded(5);
    const first = schedule(jittery, 12, random);
    const rest = schedule(jittery, 18, random, { elapsedMs: first.at(-1) as number, attempt: 12 });
    expect([...first, ...rest]).toEqual(whole);
    // The same inputs give the same delay, whatever happened before.
    const input = { elapsedMs: 123_456, attempt: 7, random: () => 0.42 };
    expect(nextPollDelay(jittery, input)).toBe(nextPollDelay(jittery, { ...input }));
  });

  it("treats a negative or non-finite elapsed time as the start, never as a burst", () => {
    expect(nextPollDelay(policy, { elapsedMs: -10_000, attempt: 3 })).toBe(policy.minIntervalMs);
    expect(nextPollDelay(policy, { elapsedMs: Number.NaN, attempt: 3 })).toBe(policy.minIntervalMs);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const parse = (init: Record<string, string>) => parseRetryAfter(new Headers(init), now);

  it("reads Retry-After in seconds", () => {
    expect(parse({ "Retry-After": "3" })).toBe(3_000);
    expect(parse({ "retry-after": " 1.5 " })).toBe(1_500);
    expect(parse({ "Retry-After": "0" })).toBe(0);
  });

  it("reads Retry-After as an HTTP date in all three forms, relative to now", () => {
    expect(parse({ "Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT" })).toBe(30_000);
    expect(parse({ "Retry-After": "Thursday, 01-Jan-26 00:00:30 GMT" })).toBe(30_000);
    expect(parse({ "Retry-After": "Thu Jan  1 00:00:30 2026" })).toBe(Date.parse("Thu Jan  1 00:00:30 2026") - now);
    expect(parse({ "Retry-After": "Wed, 31 Dec 2025 23:00:00 GMT" })).toBe(0);
  });

  it("prefers retry-after-ms", () => {
    expect(parse({ "retry-after-ms": "250", "Retry-After": "10" })).toBe(250);
    expect(parse({ "retry-after-ms": "12.2" })).toBe(13);
    expect(parse({ "retry-after-ms": "soon", "Retry-After": "2" })).toBe(2_000);
  });

  it("ignores garbage, turns negatives into 0 and caps absurd values at a day", () => {
    for (const garbage of ["soon", "hello 5", "1e3", "", "   ", "5 s", "NaN", "Tomorrow", "12abc"]) {
      expect(parse({ "Retry-After": garbage })).toBeUndefined();
    }
    expect(parse({ "retry-after-ms": "Infinity" })).toBeUndefined();
    expect(parse({})).toBeUndefined();
    expect(parse({ "Retry-After": "-5" })).toBe(0);
    expect(parse({ "retry-after-ms": "-100" })).toBe(0);
    expect(parse({ "Retry-After": "99999999999" })).toBe(86_400_000);
    expect(parse({ "Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT" })).toBe(86_400_000);
  });

  it("feeds nextPollDelay, where the hint wins", () => {
    const hint = parse({ "Retry-After": "7" });
    expect(nextPollDelay(DEFAULT_POLL_POLICY, { elapsedMs: 500_000, attempt: 20, retryAfterMs: hint })).toBe(7_000);
  });
});
