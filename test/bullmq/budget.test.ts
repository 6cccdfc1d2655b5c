// Rate budgets hold for the whole fleet: three worker processes sharing one DeepAffects key send no
// more than its 5 requests a minute, and one 429 pauses every worker of a key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobTracker, type JobTracker } from "jobstatus/bullmq";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { startWorkerProcess, stopWorkerProcesses } from "./fixtures/processes.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: fleet-wide rate budgets", () => {
  let redis: TestRedis;
  let fake: FakeProviders;
  let tracker: JobTracker;

  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedis(), startFakeProviders({ rateLimits: { deepaffects: true } })]);
    tracker = createJobTracker({ connection: redis.connection });
    await Promise.all([0, 1, 2].map(() => startWorkerProcess(redis.port, fake)));
  }, 20_000);

  afterAll(async () => {
    stopWorkerProcesses();
    await tracker?.close();
    await fake?.close();
    await redis?.stop();
  });

  it("three workers sharing a DeepAffects key send it 5 status requests a minute, not 5 each", async () => {
    const jobs = Array.from({ length: 12 }, () => fake.createJob("deepaffects", { status: "Completed" }));
    const startedAt = new Date().toISOString();
    for (const job of jobs) await tracker.track({ provider: "deepaffects", api: "asr", jobId: job.id, startedAt }, { timeoutMs: 120_000 });
    const statusRequests = () => jobs.flatMap((job) => job.requests().filter((r) => r.route === "status"));
    await expect.poll(() => statusRequests().length, { timeout: 5_000 }).toBe(5);
    // The rest wait for the minute to pass: nothing more reaches the provider meanwhile, and no 429.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(statusRequests()).toHaveLength(5);
    expect(statusRequests().every((r) => r.status === 200)).toBe(true);
  }, 15_000);

  it("a 429 to one worker pauses the key for every worker, for as long as Retry-After says", async () => {
    const jobs = Array.from({ length: 6 }, () =>
      fake.createJob("comfy", { script: [{ status: "pending", forMs: 3_000 }, { status: "success" }] }),
    );
    const startedAt = new Date().toISOString();
    const limited = fake.fault({ api: "comfy", route: "status", status: 429, retryAfter: { seconds: 2 }, times: 1 });
    for (const job of jobs) await tracker.track({ provider: "comfy", jobId: job.id, startedAt }, { timeoutMs: 20_000 });
    await Promise.all(jobs.map((job) => tracker.result("comfy", job.id)));
    expect(limited.hits).toBe(1);
    const requests = jobs.flatMap((job) => job.requests().filter((r) => r.route === "status"));
    const rejected = requests.find((r) => r.status === 429)!;
    // Polls that took their slot before the pause was set may still land late on a loaded machine (the
    // full suite saw them up to tens of ms after); none lands from 0.5 s on, where unpaused polls every
    // 100-300 ms of six jobs would.
    const during = requests.filter((r) => r.at > rejected.at + 500 && r.at < rejected.at + 1_950);
    expect(during).toEqual([]);
    expect(requests.filter((r) => r.at >= rejected.at + 1_950).length).toBeGreaterThan(0);
  }, 15_000);
});
