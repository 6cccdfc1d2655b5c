// Track, work and results against a real redis-server and the fake providers: two workers in this
// process share one queue, as two machines would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobTracker, createTrackerWorker, type JobTracker, type Settlement, type TrackerWorker } from "jobstatus/bullmq";
import { createComfyClient, InvalidResponseError, NotFoundError, TimeoutError, type ComfyJobHandle } from "jobstatus/comfy";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: track, work, results", () => {
  let redis: TestRedis;
  let fake: FakeProviders;
  let tracker: JobTracker;
  const workers: TrackerWorker[] = [];
  const reported: Settlement[] = [];

  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedis(), startFakeProviders()]);
    tracker = createJobTracker({ connection: redis.connection });
    for (let i = 0; i < 2; i++) {
      const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
      workers.push(
        createTrackerWorker({
          connection: redis.connection,
          clients: { comfy },
          concurrency: 8,
          poll: { initialDelayMs: 50, minIntervalMs: 100, maxIntervalMs: 200, jitter: 0 },
          onSettled: (settlement) => {
            reported.push(settlement);
          },
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await tracker?.close();
    await fake?.close();
    await redis?.stop();
  });

  function handleOf(id: string): ComfyJobHandle {
    return { provider: "comfy", jobId: id, startedAt: new Date().toISOString() };
  }

  it("result() asked again and again while jobs end gives each one's snapshot, never a half-read outcome", async () => {
    // A job that ends between result()'s read of it and its state check must not be read as it was before.
    const jobs = Array.from({ length: 12 }, (_, i) =>
      fake.createJob("comfy", { script: [{ status: "in_progress", forMs: 150 + i * 40 }, { status: "success" }] }),
    );
    for (const job of jobs) await tracker.track(handleOf(job.id), { timeoutMs: 20_000 });
    const asked = await Promise.all(
      jobs.map(async (job) => {
        const answers: Array<Promise<string>> = [];
        let done = false;
        const until = Date.now() + 3_000;
        // A new question every 2 ms, without waiting for the last, until one has the answer.
        while (!done && Date.now() < until) {
          answers.push(
            tracker.result("comfy", job.id).then(
              (s) => ((done = true), s.state),
              (e: Error) => ((done = true), e.name),
            ),
          );
          await new Promise((r) => setTimeout(r, 2));
        }
        return Promise.all(answers);
      }),
    );
    for (const answers of asked) expect(new Set(answers)).toEqual(new Set(["succeeded"]));
  });

  it("settles every tracked job once, with its terminal snapshot, through result, settled and onSettled", async () => {
    const settled: Settlement[] = [];
    tracker.on("settled", (s) => settled.push(s));
    const jobs = Array.from({ length: 30 }, (_, i) =>
      fake.createJob("comfy", {
        script: [
          { status: "pending", forMs: 100 + i * 10 },
          { status: "in_progress", forMs: 200 },
          { status: i % 5 === 0 ? "error" : "success" },
        ],
      }),
    );
    for (const job of jobs) await tracker.track(handleOf(job.id), { timeoutMs: 20_000 });
    // Tracking again, from a handle or the same id, is a no-op.
    await tracker.track(handleOf(jobs[0]!.id), { timeoutMs: 20_000 });
    const results = await Promise.all(jobs.map((job) => tracker.result("comfy", job.id)));
    expect(results.map((r) => r.state)).toEqual(jobs.map((_, i) => (i % 5 === 0 ? "failed" : "succeeded")));
    expect(results.every((r) => r.terminal && r.handle.provider === "comfy")).toBe(true);
    const ids = jobs.map((j) => j.id);
    const onceEach = (list: Settlement[]) => ids.map((id) => list.filter((s) => s.handle.jobId === id).length);
    expect(onceEach(reported)).toEqual(ids.map(() => 1));
    await expect.poll(() => onceEach(settled)).toEqual(ids.map(() => 1));
    // A result asked for after the job settled comes from Redis, not from an event.
    expect((await tracker.result("comfy", jobs[1]!.id)).state).toBe("succeeded");
    // One status request per poll: a 300 ms job polled every 100-200 ms takes a few, not dozens.
    const polls = jobs.map((job) => job.requests().filter((r) => r.route === "status").length);
    expect(Math.max(...polls)).toBeLessThanOrEqual(8);
    expect(Math.min(...polls)).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it("ends a job at its deadline with a TimeoutError, and a job the provider does not know with its NotFoundError", async () => {
    const slow = fake.createJob("comfy", { status: "pending" });
    await tracker.track(handleOf(slow.id), { timeoutMs: 600 });
    await tracker.track(handleOf("6f1f3c4e-0000-4000-8000-00000000dead"), { timeoutMs: 10_000 });
    const timedOut = await tracker.result("comfy", slow.id).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as TimeoutError).kind).toBe("wait");
    const missing = await tracker.result("comfy", "6f1f3c4e-0000-4000-8000-00000000dead").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(reported.filter((s) => s.handle.jobId === slow.id)).toHaveLength(1);
    expect(reported.find((s) => s.handle.jobId === slow.id)!.error).toBeInstanceOf(TimeoutError);
  }, 10_000);

  it("polls again after a body not as documented, as wait does, and ends with InvalidResponseError after 3 in a row", async () => {
    const twice = fake.createJob("comfy", { script: [{ status: "in_progress", forMs: 100 }, { status: "success" }] });
    const always = fake.createJob("comfy", { status: "in_progress" });
    fake.fault({ api: "comfy", route: "status", jobId: twice.id, malformed: "json", times: 2 });
    fake.fault({ api: "comfy", route: "status", jobId: always.id, malformed: "html" });
    await tracker.track(handleOf(twice.id), { timeoutMs: 10_000 });
    await tracker.track(handleOf(always.id), { timeoutMs: 10_000 });
    expect((await tracker.result("comfy", twice.id)).state).toBe("succeeded");
    const ended = await tracker.result("comfy", always.id).catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(InvalidResponseError);
    // The first bad body, then 3 more in a row: the fourth ends the tracking, as in wait.
    expect(fake.requests({ api: "comfy", route: "status" }).filter((r) => r.jobId === always.id)).toHaveLength(4);
    expect(reported.filter((s) => s.handle.jobId === always.id)).toHaveLength(1);
  }, 10_000);

  it("rejects a result nobody will report once its tracker closes, and one for a job never tracked at once", async () => {
    const other = createJobTracker({ connection: redis.connection });
    const job = fake.createJob("comfy", { status: "pending" });
    await other.track(handleOf(job.id), { timeoutMs: 60_000 });
    const pending = other.result("comfy", job.id).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.close();
    expect(String(await pending)).toMatch(/closed/);
    await expect(tracker.result("comfy", "never-tracked")).rejects.toThrow(/not tracked/);
  });

  it("refuses a bad handle or option before anything reaches Redis", async () => {
    await expect(tracker.track({ provider: "nope", jobId: "x", startedAt: new Date().toISOString() } as never)).rejects.toThrow(
      /handle.provider/,
    );
    await expect(tracker.track(handleOf(""))).rejects.toThrow(/handle.jobId/);
    await expect(tracker.track(handleOf("a"), { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(tracker.track(handleOf("a"), { poll: { patience: 99 } })).rejects.toThrow(/patience/);
  });
});
