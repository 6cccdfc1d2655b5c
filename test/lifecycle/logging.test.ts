import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, createDeepAffectsClient, createRateLimiter, createWatcher, wait, type Logger } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

const DA_KEY = "da+key/with=odd&chars'x";
let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ keys: { deepaffects: DA_KEY } });
});
afterAll(() => fake.close());

function collector(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (message: string) => lines.push([level, message]);
  return { lines, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

const fast = { initialDelayMs: 0, minIntervalMs: 20, maxIntervalMs: 200, jitter: 0 };

test("a wait logs each retry decision at info and each sleep at debug", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  // Long enough that polls see it running after the two failures, however slow the machine.
  const job = fake.createJob("comfy", { script: [{ status: "in_progress", forMs: 1_200 }, { status: "success" }] });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 503, times: 2 });
  const logger = collector();
  const done = await wait(
    comfy,
    { provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() },
    { poll: fast, logger, logLevel: "debug", timeoutMs: 10_000 },
  );
  expect(done.state).toBe("succeeded");
  const info = logger.lines.filter(([level]) => level === "info").map(([, line]) => line);
  expect(info).toEqual([
    expect.stringMatching(new RegExp(`^jobstatus: comfy job ${job.id}: poll failed \\(ServerError\\), 1 in a row; retrying in \\d+ ms$`)),
    expect.stringMatching(/poll failed \(ServerError\), 2 in a row; retrying in \d+ ms$/),
  ]);
  const sleeps = logger.lines.filter(([level, line]) => level === "debug" && line.includes("next poll in"));
  expect(sleeps.length).toBeGreaterThanOrEqual(3);
  expect(sleeps.some(([, line]) => line.includes(": running, next poll in"))).toBe(true);
});

test("a wait that ends on an error polling cannot fix says so, and a watcher's logger covers its jobs", async () => {
  const comfy = createComfyClient({ apiKey: "wrong-key", baseUrl: fake.urls.comfy });
  const logger = collector();
  const watcher = createWatcher({ logger, logLevel: "info" });
  const job = watcher.add(comfy, { provider: "comfy", jobId: "j-401", startedAt: new Date().toISOString() }, { poll: fast });
  await expect(job.result).rejects.toMatchObject({ name: "AuthenticationError" });
  watcher.close();
  expect(logger.lines).toEqual([
    ["info", "jobstatus: comfy job j-401: poll failed (AuthenticationError), which polling again would not change: the wait ends"],
  ]);
});

test("a DeepAffects wait through a 429 logs no spelling of the key", async () => {
  const clientLogger = collector();
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects, logger: clientLogger, logLevel: "debug" });
  const job = fake.createJob("deepaffects", { status: "Completed" });
  fake.fault({ api: "deepaffects", jobId: job.id, status: 429, retryAfter: { ms: 50 }, times: 1 });
  const logger = collector();
  await wait(
    da,
    { provider: "deepaffects", api: "asr", jobId: job.id, startedAt: new Date().toISOString() },
    {
      poll: { ...fast, minIntervalMs: 20 },
      limiter: createRateLimiter(),
      logger,
      logLevel: "debug",
      timeoutMs: 10_000,
    },
  );
  expect(logger.lines.some(([, line]) => line.includes("pauses"))).toBe(true);
  expect(clientLogger.lines.filter(([, line]) => line.includes("answer 429"))).toHaveLength(1);
  const all = [...logger.lines, ...clientLogger.lines].map(([, line]) => line).join("\n");
  for (const spelling of [
    DA_KEY,
    encodeURIComponent(DA_KEY),
    encodeURIComponent(encodeURIComponent(DA_KEY)),
    new URLSearchParams({ k: DA_KEY }).toString().slice(2),
  ])
    expect(all).not.toContain(spelling);
});
