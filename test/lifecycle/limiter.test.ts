import { maxSliding } from "../../bench/lib/rates.js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, createRateLimiter, createWatcher, type RateBudget } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a slot counts from its request's end, so a slow request delays the next use of its slot", () => {
  const limiter = createRateLimiter();
  const budget: RateBudget[] = [{ requests: 2, intervalMs: 1_000 }];
  expect(limiter.acquire("k", budget, 0)).toBe(0);
  expect(limiter.acquire("k", budget, 0)).toBe(0);
  limiter.release("k", budget, 300);
  limiter.release("k", budget, 20);
  // The one that ended at 20 frees first, at 20 + 1000, not 1000 after its grant at 0.
  const at = limiter.acquire("k", budget, 500);
  expect(at).toBeGreaterThanOrEqual(1_020);
  expect(at).toBeLessThan(1_030);
  expect(limiter.acquire("k", budget, 1_025)).toBe(1_025);
  expect(limiter.acquire("k", budget, 1_026)).toBeGreaterThanOrEqual(1_300);
});

test("while every slot is in flight, none frees before a whole window from now", () => {
  const limiter = createRateLimiter();
  const budget: RateBudget[] = [{ requests: 2, intervalMs: 1_000 }];
  limiter.acquire("k", budget, 0);
  limiter.acquire("k", budget, 0);
  expect(limiter.acquire("k", budget, 10)).toBeGreaterThanOrEqual(1_010);
  expect(limiter.acquire("other key", budget, 10)).toBe(10);
});

test("asks turned away are handed the times their slots free, in turn", () => {
  const limiter = createRateLimiter();
  const budget: RateBudget[] = [{ requests: 4, intervalMs: 1_000 }];
  // A minute-budget's shape: the window's requests ended together, so its slots free together.
  for (let i = 0; i < 4; i++) limiter.acquire("k", budget, 0);
  for (let i = 0; i < 4; i++) limiter.release("k", budget, i < 2 ? 0 : 500);
  const times = Array.from({ length: 9 }, () => limiter.acquire("k", budget, 100));
  // Two slots free at 1 s, two at 1.5 s; the next four a window after those are used; then another lap.
  expect(times.map((t) => Math.round(t / 100) * 100)).toEqual([1_000, 1_000, 1_500, 1_500, 2_000, 2_000, 2_500, 2_500, 3_000]);
  // A slot that is free goes to whoever asks then, queued or not: the queue only spaces the turned-away.
  expect(limiter.acquire("k", budget, 1_002)).toBe(1_002);
});

test("the budget holds where the provider counts, on arrival, when requests leave late by varying delays", async () => {
  // Half the requests leave 150 ms after their grant (a busy event loop, a slow uplink), half at once:
  // counted from grants, the late ones bunch up against the next window's prompt ones at the server.
  let sent = 0;
  const comfy = createComfyClient({
    apiKey: fake.keys.comfy,
    baseUrl: fake.urls.comfy,
    fetch: async (request) => {
      if (sent++ % 10 < 5) await sleep(150);
      return fetch(request);
    },
  });
  const budget = { requests: 5, intervalMs: 500 };
  const watcher = createWatcher({ limiter: createRateLimiter(), rateBudgets: { comfy: [budget] } });
  try {
    const jobs = Array.from({ length: 10 }, () => fake.createJob("comfy", { status: "executing" }));
    const poll = { initialDelayMs: 0, minIntervalMs: 10, maxIntervalMs: 20, jitter: 0 };
    for (const job of jobs)
      watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() }, { poll, timeoutMs: 10_000 });
    await sleep(2_500);
    const ids = new Set(jobs.map((j) => j.id));
    const arrivals = fake
      .requests({ api: "comfy", route: "status" })
      .filter((r) => ids.has(r.jobId!))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    expect(arrivals.length).toBeGreaterThanOrEqual(15); // the budget bound all along
    expect(maxSliding(arrivals, budget.intervalMs)).toBeLessThanOrEqual(budget.requests);
  } finally {
    watcher.close();
  }
});

test("a pause until NaN is ignored: it neither lifts later pauses nor the budgets", () => {
  const limiter = createRateLimiter();
  const budget: RateBudget[] = [{ requests: 1, intervalMs: 1_000 }];
  limiter.pause("k", Number.NaN);
  expect(limiter.pausedUntil("k")).toBe(0);
  expect(limiter.acquire("k", budget, 0)).toBe(0);
  expect(limiter.acquire("k", budget, 10)).toBeGreaterThanOrEqual(1_000);
  limiter.pause("k", 5_000);
  limiter.pause("k", Number.NaN);
  expect(limiter.pausedUntil("k")).toBe(5_000);
});
