// Redis restarting with persistence on loses no tracked job: workers and the tracker reconnect, and
// every job is settled and reported once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobTracker, createTrackerWorker, type JobTracker, type Settlement, type TrackerWorker } from "jobstatus/bullmq";
import { createComfyClient } from "jobstatus/comfy";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: Redis restarts", () => {
  let redis: TestRedis;
  let fake: FakeProviders;
  let tracker: JobTracker;
  let worker: TrackerWorker;
  const reported: Settlement[] = [];

  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedis({ persistent: true }), startFakeProviders()]);
    tracker = createJobTracker({ connection: redis.connection });
    worker = createTrackerWorker({
      connection: redis.connection,
      clients: { comfy: createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy }) },
      poll: { initialDelayMs: 50, minIntervalMs: 100, maxIntervalMs: 200, jitter: 0 },
      // A poll running as Redis stops leaves its job active; the stalled check hands it back once its lock lapses.
      lockDurationMs: 2_000,
      stalledIntervalMs: 500,
      onSettled: (settlement) => {
        reported.push(settlement);
      },
      onError: () => {}, // connection errors while Redis is down are expected here
    });
  });
  afterAll(async () => {
    await worker?.close();
    await tracker?.close();
    await fake?.close();
    await redis?.stop();
  });

  it("jobs tracked before a restart settle after it, each reported once", async () => {
    const jobs = Array.from({ length: 10 }, () =>
      fake.createJob("comfy", { script: [{ status: "in_progress", forMs: 1_500 }, { status: "success" }] }),
    );
    const startedAt = new Date().toISOString();
    for (const job of jobs) await tracker.track({ provider: "comfy", jobId: job.id, startedAt }, { timeoutMs: 30_000 });
    await expect.poll(() => jobs.every((job) => job.requests().length > 0), { timeout: 5_000 }).toBe(true);
    await redis.restart(300);
    const results = await Promise.all(jobs.map((job) => tracker.result("comfy", job.id)));
    expect(results.map((r) => r.state)).toEqual(jobs.map(() => "succeeded"));
    expect(jobs.map((job) => reported.filter((s) => s.handle.jobId === job.id).length)).toEqual(jobs.map(() => 1));
  }, 40_000);
});
