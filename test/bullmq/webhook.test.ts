// A DeepAffects webhook delivery received by any process ends the tracked job for the whole fleet,
// without waiting for the job's next poll.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobTracker, createTrackerWorker, type JobTracker, type TrackerWorker } from "jobstatus/bullmq";
import { createDeepAffectsClient, createWebhookHandler, toNodeListener } from "jobstatus/deepaffects";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

const TOKEN = "fleet-webhook-token-0123456789";

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: webhooks across the fleet", () => {
  let redis: TestRedis;
  let fake: FakeProviders;
  let receiver: JobTracker; // the process that receives webhooks: it tracks nothing itself
  let tracker: JobTracker;
  let worker: TrackerWorker;
  let server: Server;
  let hookUrl: string;
  let reports = 0;

  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedis(), startFakeProviders()]);
    tracker = createJobTracker({ connection: redis.connection });
    receiver = createJobTracker({ connection: redis.connection });
    server = createServer(toNodeListener(createWebhookHandler({ watcher: receiver, token: TOKEN })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=${TOKEN}`;
    worker = createTrackerWorker({
      connection: redis.connection,
      clients: { deepaffects: createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects }) },
      // The first poll would come after 20 s: only the delivery can end the job within the test.
      poll: { initialDelayMs: 20_000 },
      onSettled: () => {
        reports++;
      },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await Promise.all([tracker?.close(), receiver?.close()]);
    await new Promise((resolve) => server?.close(resolve));
    await fake?.close();
    await redis?.stop();
  });

  it("a delivery to another process settles the job at once, with no status request, reported once", async () => {
    const job = fake.createJob("deepaffects", {
      script: [{ status: "In Progress", forMs: 800 }, { status: "Completed" }],
      webhook: hookUrl,
      result: { text: "hello" },
    });
    await tracker.track(
      { provider: "deepaffects", api: "asr", jobId: job.id, startedAt: new Date().toISOString(), webhook: true },
      { timeoutMs: 60_000 },
    );
    const began = Date.now();
    const snapshot = await tracker.result("deepaffects", job.id);
    expect(snapshot.state).toBe("succeeded");
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(job.requests().filter((r) => r.route === "status")).toHaveLength(0);
    expect(reports).toBe(1);
    // A redelivery, or one for a job Redis does not hold, changes nothing.
    expect(await receiver.deliver("deepaffects", job.id, {})).toBe(false);
    expect(await receiver.deliver("deepaffects", "no-such-job", {})).toBe(false);
  }, 15_000);

  it("a job started with a webhook is polled only at the webhook fallback rate, as wait polls it", async () => {
    // Its own queue (prefix), so the worker above with its 20 s first poll does not take the job.
    const fallback = { connection: redis.connection, prefix: "fallback" };
    const own = createJobTracker(fallback);
    const fast = createTrackerWorker({
      ...fallback,
      clients: { deepaffects: createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects }) },
      poll: { initialDelayMs: 50, minIntervalMs: 100, maxIntervalMs: 200, jitter: 0 },
      webhookFallbackMs: 1_500,
    });
    try {
      // No webhook URL at the fake: nothing is delivered, so only the fallback polls can end the job.
      const job = fake.createJob("deepaffects", { script: [{ status: "In Progress", forMs: 100 }, { status: "Completed" }] });
      const began = Date.now();
      await own.track({ provider: "deepaffects", api: "asr", jobId: job.id, startedAt: new Date(began).toISOString(), webhook: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(job.requests().filter((r) => r.route === "status")).toHaveLength(0);
      expect((await own.result("deepaffects", job.id)).state).toBe("succeeded");
      expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
      expect(job.requests().filter((r) => r.route === "status")).toHaveLength(1);
    } finally {
      await fast.close();
      await own.close();
    }
  }, 15_000);
});
