import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import {
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  createWebhookHandler,
  toNodeListener,
  TimeoutError,
  type ComfyJobHandle,
  type JobProvider,
  type JobResult,
  type PollPolicyOptions,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";

let fake: FakeProviders;
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders({ webhookBackoffMs: 50 });
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

const fast: PollPolicyOptions = { initialDelayMs: 20, minIntervalMs: 20, maxIntervalMs: 60, jitter: 0 };
const at = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("DeepAffects: all waits of one key together stay under 5 requests a minute", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  const watcher = createWatcher({ limiter: createRateLimiter() });
  try {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const jobs = Array.from({ length: 6 }, () =>
      fake.createJob("deepaffects", { script: [{ status: "Running", forMs: 90_000 }, { status: "Completed" }] }),
    );
    const settled: JobResult[] = [];
    watcher.on("settled", (r) => settled.push(r));
    // The policy alone would poll every second; the provider's budget must win.
    for (const job of jobs)
      watcher.add(
        da,
        { provider: "deepaffects", api: "asr", jobId: job.id, startedAt: at() },
        { poll: { initialDelayMs: 1_000, minIntervalMs: 1_000, maxIntervalMs: 1_000, jitter: 0 } },
      );
    for (let second = 0; second < 6 * 60 && settled.length < jobs.length; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      for (let i = 0; i < 200 && watcher.inFlight > 0; i++) await new Promise((r) => setImmediate(r));
    }
    expect(settled.map((r) => r.snapshot?.state)).toEqual(Array(6).fill("succeeded"));
    const times = fake
      .requests({ api: "deepaffects", route: "status" })
      .filter((r) => jobs.some((j) => j.id === r.jobId))
      .map((r) => r.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(5);
    expect(times.length).toBeGreaterThanOrEqual(6);
  } finally {
    watcher.close();
    vi.useRealTimers();
  }
});

test("a 429 on one job backs off every job of that key", async () => {
  // Times seen by the client: when each request left, and when the 429 came back.
  const sent: Array<{ at: number; url: string }> = [];
  let limitedAt = 0;
  const comfy = createComfyClient({
    apiKey: fake.keys.comfy,
    baseUrl: fake.urls.comfy,
    webSocket: false, // polls only: the backoff is what this test sees
    fetch: async (request) => {
      sent.push({ at: performance.now(), url: request.url });
      const response = await fetch(request);
      if (response.status === 429) limitedAt = performance.now();
      return response;
    },
  });
  const watcher = createWatcher({ limiter: createRateLimiter() });
  try {
    const jobs = Array.from({ length: 3 }, () => fake.createJob("comfy", { status: "executing" }));
    const limited = fake.fault({ api: "comfy", route: "status", jobId: jobs[0]!.id, status: 429, retryAfter: { ms: 500 }, times: 1 });
    faults.push(limited);
    for (const job of jobs) watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() }, { poll: fast });
    for (let i = 0; i < 200 && limitedAt === 0; i++) await sleep(10);
    await sleep(800);
    const others = sent.filter((r) => !r.url.includes(jobs[0]!.id));
    expect(limitedAt).toBeGreaterThan(0);
    // Reading the 429's body takes a moment after its headers arrive; from then on, silence.
    expect(others.filter((r) => r.at > limitedAt + 30 && r.at < limitedAt + 495)).toEqual([]);
    expect(others.filter((r) => r.at >= limitedAt + 495).length).toBeGreaterThan(0);
  } finally {
    watcher.close();
  }
});

test("requests in flight never exceed the cap", async () => {
  let current = 0;
  let highest = 0;
  const comfy = createComfyClient({
    apiKey: fake.keys.comfy,
    baseUrl: fake.urls.comfy,
    fetch: async (request) => {
      highest = Math.max(highest, ++current);
      try {
        return await fetch(request);
      } finally {
        current--;
      }
    },
  });
  const jobs = Array.from({ length: 12 }, () => fake.createJob("comfy", { status: "success" }));
  for (const job of jobs) faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, delayMs: 40, rawStatus: "success" }));
  const watcher = createWatcher({ maxInFlight: 3, limiter: createRateLimiter() });
  const results = jobs.map((job) => watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() }, { poll: fast }).result);
  const done = await Promise.all(results);
  expect(done.every((s) => s.state === "succeeded")).toBe(true);
  expect(highest).toBe(3);
  watcher.close();
});

describe("server hints cannot start a request storm", () => {
  // The default policy but for the first check, and no deadline: nothing but the floor stops a storm.
  const defaults: PollPolicyOptions = { initialDelayMs: 0 };
  const cases = [
    ["a 200 with Retry-After: 0", { status: 200, retryAfter: { seconds: 0 } }],
    ["a 200 with an HTTP date in the past", { status: 200, retryAfter: { date: new Date(Date.now() - 3_600_000) } }],
    ["a 200 with retry-after-ms: -5", { status: 200, retryAfter: { ms: -5 } }],
    ["a 429 with Retry-After: 0", { status: 429, retryAfter: { seconds: 0 } }],
    ["a 429 with an HTTP date in the past", { status: 429, retryAfter: { date: new Date(Date.now() - 3_600_000) } }],
  ] as const;
  test.each(cases)("%s: no faster than the floor (500 ms)", async (_name, rule) => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, ...rule }));
    const watcher = createWatcher({ limiter: createRateLimiter() });
    try {
      watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() }, { poll: defaults, maxConsecutiveFailures: 1_000 });
      await sleep(700);
      const times = job.requests().map((r) => r.at);
      // At 0 ms, then 500 ms apart at the soonest: 2 at most in 0.7 s (the storm sent hundreds).
      expect(times.length).toBeGreaterThanOrEqual(1);
      expect(times.length).toBeLessThanOrEqual(2);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(490);
    } finally {
      watcher.close();
    }
  });
});

describe("deadlines are hard", () => {
  test("a job waiting for an in-flight slot behind slow requests of other jobs still times out at its deadline", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const watcher = createWatcher({ limiter: createRateLimiter(), maxInFlight: 2 });
    try {
      const slow = Array.from({ length: 2 }, () => fake.createJob("comfy", { status: "executing" }));
      for (const job of slow) {
        faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, delayMs: 3_000 }));
        watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() }, { poll: { ...fast, initialDelayMs: 0 } });
      }
      for (let i = 0; i < 100 && watcher.inFlight < 2; i++) await sleep(5);
      expect(watcher.inFlight).toBe(2);
      const queued = fake.createJob("comfy", { status: "executing" });
      const added = Date.now();
      const error = await watcher
        .add(comfy, { provider: "comfy", jobId: queued.id, startedAt: at() }, { poll: fast, timeoutMs: 400 })
        .result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(Date.now() - added).toBeLessThan(700);
      expect(queued.requests()).toEqual([]);
    } finally {
      watcher.close();
    }
  });

  test("a provider that never answers and ignores the abort cannot hold a wait past its deadline; the cause says the request got no answer", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const silent: JobProvider<ComfyJobHandle, unknown> = { ...comfy, status: () => new Promise(() => {}) };
    const watcher = createWatcher({ limiter: createRateLimiter() });
    try {
      const added = Date.now();
      const error = await watcher
        .add(silent, { provider: "comfy", jobId: "silent", startedAt: at() }, { poll: fast, timeoutMs: 300 })
        .result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ kind: "wait", cause: { name: "TimeoutError", kind: "request" } });
      expect(Date.now() - added).toBeLessThan(600);
    } finally {
      watcher.close();
    }
  });
});

test("a handle whose startedAt is far in the future is polled on the schedule from now, with no timer overflow", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const watcher = createWatcher({ limiter: createRateLimiter() });
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 50 }, { status: "success" }] });
    const added = Date.now();
    const done = await watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: "2400-01-01T00:00:00.000Z" }, { poll: fast })
      .result;
    expect(done.state).toBe("succeeded");
    expect(Date.now() - added).toBeLessThan(1_000);
    expect(warnings).toEqual([]);
  } finally {
    process.off("warning", onWarning);
    watcher.close();
  }
});

describe("many jobs on one watcher", () => {
  test("jobs added and removed while it runs; results as events, promises and an async iterable", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const updates: string[] = [];
    watcher.on("update", (s) => updates.push(`${s.handle.jobId}:${s.state}`));

    const a = fake.createJob("dify-chatflow", {
      action: "enable",
      script: [{ status: "processing", forMs: 100 }, { status: "completed" }],
    });
    const b = fake.createJob("comfy", { script: [{ status: "executing", forMs: 150 }, { status: "success" }] });
    const c = fake.createJob("comfy", { status: "executing" });
    const jobA = watcher.add(dify, { provider: "dify", app: "chatflow", action: "enable", jobId: a.id, startedAt: at() }, { poll: fast });
    watcher.add(comfy, { provider: "comfy", jobId: b.id, startedAt: at() }, { poll: fast });
    const jobC = watcher.add(comfy, { provider: "comfy", jobId: c.id, startedAt: at() }, { poll: fast });
    expect(watcher.add(comfy, { provider: "comfy", jobId: b.id, startedAt: at() })).toBe(
      watcher.add(comfy, { provider: "comfy", jobId: b.id, startedAt: at() }),
    );
    expect(watcher.size).toBe(3);

    await sleep(60);
    jobC.remove();
    await expect(jobC.result).rejects.toThrow(/removed from the watcher/);
    const late = fake.createJob("dify-chatflow", { action: "disable", status: "completed" });
    watcher.add(dify, { provider: "dify", app: "chatflow", action: "disable", jobId: late.id, startedAt: at() }, { poll: fast });

    const ended: JobResult[] = [];
    for await (const result of watcher.results()) ended.push(result);
    expect(ended.map((r) => `${r.handle.jobId}:${r.snapshot?.state}`).sort()).toEqual(
      [`${a.id}:succeeded`, `${b.id}:succeeded`, `${late.id}:succeeded`].sort(),
    );
    expect((await jobA.result).state).toBe("succeeded");
    expect(updates).toContain(`${a.id}:running`);
    expect(watcher.size).toBe(0);
    const polls = c.requests().length;
    await sleep(100);
    expect(c.requests().length).toBe(polls);
    watcher.close();
  });

  test("close() stops everything: pending results reject, nothing more is sent", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const job = fake.createJob("comfy", { status: "executing" });
    const watched = watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() }, { poll: fast });
    await sleep(80);
    watcher.close();
    await expect(watched.result).rejects.toThrow(/closed/);
    const count = job.requests().length;
    await sleep(100);
    expect(job.requests().length).toBe(count);
    expect(() => watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: at() })).toThrow(/closed/);
  });

  test("adaptive: learned durations are saved with each wait, as JSON", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const watcher = createWatcher({ adaptive: true, limiter: createRateLimiter() });
    const finished = fake.createJob("comfy", { status: "success" });
    await watcher.add(comfy, { provider: "comfy", jobId: finished.id, startedAt: at() }, { poll: fast }).result;
    const running = fake.createJob("comfy", { status: "executing" });
    const watched = watcher.add(comfy, { provider: "comfy", jobId: running.id, startedAt: at() }, { poll: fast });
    const saved = JSON.parse(JSON.stringify(watched.save()));
    expect(saved).toMatchObject({ version: 1, handle: { jobId: running.id }, deadline: expect.any(String), adaptive: { version: 1 } });
    watcher.close();
  });
});

describe("webhooks", () => {
  let server: Server;
  let hookUrl: string;
  const token = "whk_0123456789abcdef0123";
  const watcher = createWatcher({ limiter: createRateLimiter() });

  beforeAll(async () => {
    server = createServer(toNodeListener(createWebhookHandler({ watcher, token })));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/deepaffects`;
  });
  afterAll(async () => {
    watcher.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test("a delivery ends the wait with zero status polls", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const handle = await da.start(
      "asr",
      { url: "https://example.com/a.flac", encoding: "FLAC", sampleRate: 8000, languageCode: "en-US" },
      { webhook: `${hookUrl}?token=${token}` },
    );
    expect(handle.webhook).toBe(true);
    const done = await watcher.add(da, handle).result;
    expect(done.state).toBe("succeeded");
    expect(done.raw.response?.response).toBeTruthy();
    expect(fake.requests({ api: "deepaffects", route: "status", jobId: handle.jobId })).toEqual([]);
  });

  test("a missing or wrong token is refused with no side effect; a replay changes nothing", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Running" });
    const watched = watcher.add(da, { provider: "deepaffects", api: "asr", jobId: job.id, startedAt: at(), webhook: true });
    const post = (url: string, body: unknown) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const payload = { request_id: job.id, response: { transcript: "hello" } };
    expect((await post(hookUrl, payload)).status).toBe(401);
    expect((await post(`${hookUrl}?token=${token}x`, payload)).status).toBe(401);
    expect((await post(`${hookUrl}?token=${token.slice(0, -1)}`, payload)).status).toBe(401);
    expect(watcher.size).toBeGreaterThan(0);
    expect((await fetch(`${hookUrl}?token=${token}`, { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await post(`${hookUrl}?token=${token}`, { request_id: job.id })).status).toBe(400);
    expect((await post(`${hookUrl}?token=${token}`, { request_id: job.id, response: "x".repeat(2 * 1024 * 1024) })).status).toBe(400);
    expect((await post(`${hookUrl}?token=${token}`, payload)).status).toBe(200);
    expect((await watched.result).raw.response?.response).toEqual({ transcript: "hello" });
    const replay = await post(`${hookUrl}?token=${token}`, { ...payload, response: { transcript: "changed" } });
    expect(await replay.json()).toMatchObject({ ok: true, duplicate: true });
  });
});
