// The many-jobs benchmark at a tiny size: the shape of the results only, never their timings.
import { expect, test } from "vitest";
import { runManyJobs } from "../../bench/many-jobs.js";

test("many jobs: every job is watched to its end and the figures are all there", async () => {
  const result = await runManyJobs({
    jobs: 50,
    deepaffectsJobs: 2,
    minLengthMs: 100,
    spreadMs: 300,
    poll: { initialDelayMs: 50, minIntervalMs: 50, maxIntervalMs: 100 },
    timeLimitMs: 8_000,
    profileJobs: 0,
  });
  expect(result.jobs).toEqual({ added: 50, succeeded: 50, failed: 0, lost: 0 });
  expect(result.config.mix).toMatchObject({ deepaffects: 2, comfy: 12, comfyOther: 12, difyChatflow: 12, difyCompletion: 12 });
  expect(result.rates.map((r) => r.key).sort()).toEqual(["comfy", "comfyOther", "deepaffects", "difyChatflow", "difyCompletion"]);
  for (const rate of result.rates) expect(rate.maxSliding).toBeLessThanOrEqual(rate.requests);
  expect(Number.isFinite(result.heap.perJobBytes)).toBe(true);
  expect(result.loopDelayMs.p99).toBeGreaterThanOrEqual(0);
  expect(result.detectionLagMs.p50).toBeGreaterThanOrEqual(0);
  expect(result.targets.map((t) => typeof t.pass)).toEqual(["boolean", "boolean", "boolean", "boolean"]);
  expect(result.profile).toBeUndefined();
});
