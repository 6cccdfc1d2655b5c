// A worker killed with SIGKILL mid-poll loses no job: BullMQ's stalled-job recovery hands the job
// to another worker, which reports it once.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobTracker, createTrackerWorker, type JobTracker } from "jobstatus/bullmq";
import { createComfyClient } from "jobstatus/comfy";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { startWorkerProcess, stopWorkerProcesses } from "./fixtures/processes.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: crashes", () => {
  let redis: TestRedis;
  let fake: FakeProviders;
  let tracker: JobTracker;
  let counter: Redis;

  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedis(), startFakeProviders()]);
    tracker = createJobTracker({ connection: redis.connection });
    counter = new Redis(redis.connection);
  });

  afterAll(async () => {
    stopWorkerProcesses();
    counter?.disconnect();
    await tracker?.close();
    await fake?.close();
    await redis?.stop();
  });

  it("a worker killed with SIGKILL mid-poll hands its job to another worker, which reports it once", async () => {
    const jobs = Array.from({ length: 5 }, () => fake.createJob("comfy", { status: "success" }));
    // The first status request of each job hangs for 10 s: the first worker dies in the middle of it.
    for (const job of jobs) fake.fault({ api: "comfy", route: "status", jobId: job.id, delayMs: 10_000, times: 1 });
    const first = await startWorkerProcess(redis.port, fake);
    const started = new Date().toISOString();
    for (const job of jobs) await tracker.track({ provider: "comfy", jobId: job.id, startedAt: started }, { timeoutMs: 20_000 });
    await expect.poll(() => jobs.every((job) => job.requests().some((r) => r.route === "status")), { timeout: 5_000 }).toBe(true);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));

    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const second = createTrackerWorker({
      connection: redis.connection,
      clients: { comfy },
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
      poll: { initialDelayMs: 50, minIntervalMs: 100, jitter: 0 },
      onSettled: async ({ handle }) => {
        await counter.hincrby("test:reports", handle.jobId, 1);
      },
    });
    try {
      const results = await Promise.all(jobs.map((job) => tracker.result("comfy", job.id)));
      expect(results.map((r) => r.state)).toEqual(jobs.map(() => "succeeded"));
      const reports = await counter.hgetall("test:reports");
      expect(jobs.map((job) => reports[job.id])).toEqual(jobs.map(() => "1"));
      // The dead worker's request and the second worker's: nothing lost, nothing polled in a loop.
      expect(jobs.map((job) => job.requests().filter((r) => r.route === "status").length)).toEqual(jobs.map(() => 2));
    } finally {
      await second.close();
    }
  }, 20_000);

  it("a worker frozen mid-poll past its lock, then thawed, does not report the job a second time", async () => {
    const job = fake.createJob("comfy", { status: "success" });
    // The frozen worker's request is answered 3 s later, long after another worker has settled the job.
    fake.fault({ api: "comfy", route: "status", jobId: job.id, delayMs: 3_000, times: 1 });
    const frozen = await startWorkerProcess(redis.port, fake);
    await tracker.track({ provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() }, { timeoutMs: 20_000 });
    const sent = () => job.requests().filter((r) => r.route === "status");
    await expect.poll(() => sent().length, { timeout: 5_000 }).toBe(1);
    frozen.kill("SIGSTOP");
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const second = createTrackerWorker({
      connection: redis.connection,
      clients: { comfy },
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
      poll: { initialDelayMs: 50, minIntervalMs: 100, jitter: 0 },
      onSettled: async ({ handle }) => {
        await counter.hincrby("test:reports", handle.jobId, 1);
      },
      onError: () => {},
    });
    try {
      expect((await tracker.result("comfy", job.id)).state).toBe("succeeded");
      frozen.kill("SIGCONT");
      // The thawed worker's answer arrives, it sees the outcome already reported, and reports nothing.
      await expect.poll(() => sent().every((r) => r.status === 200), { timeout: 5_000 }).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sent()).toHaveLength(2);
      expect(await counter.hget("test:reports", job.id)).toBe("1");
    } finally {
      frozen.kill("SIGKILL");
      await second.close();
    }
  }, 20_000);
});
