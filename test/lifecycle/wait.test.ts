import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  AuthenticationError,
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  InvalidArgumentError,
  InvalidResponseError,
  JobFailedError,
  NotFoundError,
  TimeoutError,
  wait,
  watch,
  type JobSnapshot,
  type PollPolicyOptions,
  type WaitOptions,
  type WaitState,
  type WatcherOptions,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";

let fake: FakeProviders;
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

const fast: PollPolicyOptions = { initialDelayMs: 20, minIntervalMs: 20, maxIntervalMs: 60, jitter: 0 };
const startedNow = () => new Date().toISOString();

function clients() {
  return {
    chatflow: createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow }),
    completion: createDifyClient({ apiKey: fake.keys.difyCompletion, baseUrl: fake.urls.difyCompletion, app: "completion" }),
    // Polling alone: on a runtime with a WebSocket, pushed ends would skip the states polls see (comfy-push*.test.ts).
    comfy: createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, webSocket: false }),
    deepaffects: createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects }),
  };
}

describe("start, then wait, on all four seed APIs", () => {
  test("Dify Chatflow and Completion: configure annotation reply, wait for completed", async () => {
    const { chatflow, completion } = clients();
    for (const dify of [chatflow, completion]) {
      const handle = await dify.configureAnnotationReply("enable", {
        score_threshold: 0.9,
        embedding_provider_name: "openai",
        embedding_model_name: "text-embedding-3-small",
      });
      expect(handle).toMatchObject({ provider: "dify", app: dify.app, action: "enable" });
      expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
      const done = await wait(dify, handle, { poll: fast, timeoutMs: 10_000 });
      expect(done).toMatchObject({ state: "succeeded", terminal: true, rawStatus: "completed" });
      expect(done.raw.job_id).toBe(handle.jobId);
    }
  });

  test("Comfy Cloud: submit a workflow, wait for success, read outputs, cancel another", async () => {
    const { comfy } = clients();
    const handle = await comfy.submitWorkflow({ "3": { class_type: "KSampler", inputs: { seed: 1 } } });
    const done = await wait(comfy, handle, { poll: fast, timeoutMs: 10_000 });
    expect(done).toMatchObject({ state: "succeeded", rawStatus: "success" });
    const detail = await comfy.getJob(handle.jobId);
    expect(detail.status).toBe("completed");
    expect(detail.outputs).toBeTruthy();

    const queued = fake.createJob("comfy", { status: "queued_waiting" });
    await comfy.cancel(queued.id);
    const cancelled = await wait(comfy, { provider: "comfy", jobId: queued.id, startedAt: startedNow() }, { poll: fast, timeoutMs: 5_000 });
    expect(cancelled).toMatchObject({ state: "cancelled", terminal: true });
  });

  test("DeepAffects: start an async API by name, the status body carries the result", async () => {
    const { deepaffects } = clients();
    const handle = await deepaffects.start("diarize", {
      url: "https://example.com/call.wav",
      encoding: "WAV",
      languageCode: "en-US",
      sampleRate: 8000,
    });
    expect(handle).toMatchObject({ provider: "deepaffects", api: "diarize" });
    const done = await wait(deepaffects, handle, {
      poll: { ...fast, initialDelayMs: 1_600 },
      limiter: createRateLimiter(),
      timeoutMs: 10_000,
    });
    expect(done.state).toBe("succeeded");
    expect(done.raw.response?.response).toBeTruthy();
  });
});

describe("outcomes", () => {
  test("a failed job resolves by default, with the provider's message", async () => {
    const { chatflow } = clients();
    const job = fake.createJob("dify-chatflow", {
      action: "enable",
      script: [{ status: "processing", forMs: 100 }, { status: "error" }],
      errorMessage: "quota exceeded",
    });
    const done = await wait(
      chatflow,
      { provider: "dify", app: "chatflow", action: "enable", jobId: job.id, startedAt: startedNow() },
      { poll: fast },
    );
    expect(done).toMatchObject({ state: "failed", terminal: true, errorMessage: "quota exceeded" });
  });

  test("throwOnFailure rejects with a JobFailedError carrying the snapshot", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "non_retryable_error", errorMessage: "out of VRAM" });
    const error = await wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { poll: fast, throwOnFailure: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).snapshot).toMatchObject({ state: "failed", rawStatus: "non_retryable_error" });
    expect((error as Error).message).toContain("out of VRAM");
  });

  test("transitional and unknown states keep the wait going and are reported through onUpdate", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", {
      script: [
        { status: "executing", forMs: 80 },
        { status: "erroring", forMs: 80 },
        { status: "quantum_superposition", forMs: 80 },
        { status: "cancel_requested", forMs: 80 },
        { status: "cancelled" },
      ],
    });
    const seen: Array<[string, string | undefined]> = [];
    const done = await wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { poll: fast, onUpdate: (s) => seen.push([s.state, s.rawStatus]) },
    );
    expect(done.state).toBe("cancelled");
    expect(seen).toEqual([
      ["running", "executing"],
      ["running", "erroring"],
      ["unknown", "quantum_superposition"],
      ["running", "cancel_requested"],
      ["cancelled", "cancelled"],
    ]);
  });
});

describe("deadlines, aborts, failures", () => {
  test("the deadline is kept: a TimeoutError with the last snapshot, settled before the deadline", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    const started = Date.now();
    const error = await wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { poll: { ...fast, minIntervalMs: 200, maxIntervalMs: 5_000 }, timeoutMs: 1_000 },
    ).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ kind: "wait", lastSnapshot: { state: "running", rawStatus: "executing" } });
    // Timers fire late on a loaded machine: allow for that, not for a sleep past the deadline.
    expect(took).toBeLessThanOrEqual(1_150);
    expect(took).toBeGreaterThanOrEqual(800);
  });

  test("a request that hangs past the deadline still ends the wait by the deadline", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, hang: true }));
    const started = Date.now();
    const error = await wait(comfy, { provider: "comfy", jobId: job.id, startedAt: startedNow() }, { poll: fast, timeoutMs: 700 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThanOrEqual(850);
  });

  test("an abort during a sleep ends the wait at once, with no further request", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    const controller = new AbortController();
    const pending = wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { signal: controller.signal, poll: { ...fast, minIntervalMs: 5_000, maxIntervalMs: 5_000 } },
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(job.requests()).toHaveLength(1);
    const started = Date.now();
    controller.abort(new Error("user gave up"));
    await expect(pending).rejects.toThrow("user gave up");
    expect(Date.now() - started).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 100));
    expect(job.requests()).toHaveLength(1);
  });

  test("transient failures are retried as slower polls; the job is still found", async () => {
    const { chatflow } = clients();
    const job = fake.createJob("dify-chatflow", { action: "enable", status: "completed" });
    faults.push(fake.fault({ api: "dify-chatflow", route: "status", jobId: job.id, status: 503, times: 2 }));
    faults.push(fake.fault({ api: "dify-chatflow", route: "status", jobId: job.id, reset: true, times: 1 }));
    const done = await wait(
      chatflow,
      { provider: "dify", app: "chatflow", action: "enable", jobId: job.id, startedAt: startedNow() },
      { poll: { ...fast, minIntervalMs: 100, maxIntervalMs: 2_000 } },
    );
    expect(done.state).toBe("succeeded");
    const times = job.requests().map((r) => r.at);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // each failure in a row doubles the interval: slower polls, never a burst
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.5);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.5);
  });

  test.each([
    ["401", { status: 401 }, AuthenticationError],
    ["404", { status: 404 }, NotFoundError],
  ] as const)("a permanent failure (%s) ends the wait at once", async (_label, rule, ErrorClass) => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, ...rule }));
    await expect(wait(comfy, { provider: "comfy", jobId: job.id, startedAt: startedNow() }, { poll: fast })).rejects.toBeInstanceOf(
      ErrorClass,
    );
    expect(job.requests()).toHaveLength(1);
  });

  test("Dify's 400 invalid_param for a missing job ends the wait at once as NotFound", async () => {
    const { chatflow } = clients();
    const handle = {
      provider: "dify",
      app: "chatflow",
      action: "disable",
      jobId: "0b9f5c52-1111-4a43-9d4c-7f5e2f6e7d10",
      startedAt: startedNow(),
    } as const;
    await expect(wait(chatflow, handle, { poll: fast })).rejects.toBeInstanceOf(NotFoundError);
  });

  test("Retry-After is honoured: no poll before the server said", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "success" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, retryAfter: { ms: 600 }, times: 1 }));
    const done = await wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { poll: fast, limiter: createRateLimiter() },
    );
    expect(done.state).toBe("succeeded");
    const [first, second] = job.requests().map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(590);
  });

  test("strict mode rejects a body that is not the documented shape; the tolerant default reads it", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, rawStatus: "warp_drive" }));
    const strict = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, strict: true });
    await expect(strict.getJobStatus(job.id)).rejects.toThrow(InvalidResponseError);
    await expect(strict.getJobStatus(job.id)).rejects.toThrow(/warp_drive/);
    const tolerant = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    expect((await tolerant.getJobStatus(job.id)).status).toBe("warp_drive");
  });

  test.each(["toString", "__proto__", "constructor", "hasOwnProperty"])(
    "strict mode refuses the status %j, a name every plain object has but no state table lists",
    async (rawStatus) => {
      const job = fake.createJob("comfy", { status: "executing" });
      faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, rawStatus }));
      const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, strict: true });
      await expect(comfy.getJobStatus(job.id)).rejects.toThrow(InvalidResponseError);
      const { chatflow } = clients();
      const strictDify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow, strict: true });
      const handle = await chatflow.configureAnnotationReply("enable", {
        score_threshold: 0.9,
        embedding_provider_name: "openai",
        embedding_model_name: "text-embedding-3-small",
      });
      faults.push(fake.fault({ api: "dify-chatflow", route: "status", jobId: handle.jobId, rawStatus }));
      await expect(strictDify.status(handle)).rejects.toThrow(InvalidResponseError);
    },
  );

  test("a handle of another provider or app is refused before any request", async () => {
    const { completion, comfy } = clients();
    const before = fake.requests().length;
    await expect(
      wait(completion, { provider: "dify", app: "chatflow", action: "enable", jobId: "j", startedAt: startedNow() }),
    ).rejects.toThrow(/not for the Dify completion app/);
    await expect(wait(comfy, { provider: "dify", jobId: "j" } as never)).rejects.toThrow(/not a Comfy Cloud job/);
    expect(fake.requests().length).toBe(before);
  });
});

describe("extreme and bad options", () => {
  test.each([
    ["timeoutMs: 1e300", { timeoutMs: 1e300 }],
    ["timeoutMs: Infinity", { timeoutMs: Infinity }],
    ["deadline: 1e300", { deadline: 1e300 }],
    ["deadline past the last Date", { deadline: 8.64e15 + 1 }],
  ] as const)("%s is no deadline: onProgress gets valid JSON with deadline null, and it resumes", async (_name, extreme) => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    const saved: WaitState[] = [];
    const first = wait(
      comfy,
      { provider: "comfy", jobId: job.id, startedAt: startedNow() },
      { poll: fast, ...extreme, onProgress: (state) => void saved.push(JSON.parse(JSON.stringify(state)) as WaitState) },
    );
    for (let i = 0; i < 100 && saved.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    job.setStatus("success");
    expect(await first).toMatchObject({ state: "succeeded" });
    expect(saved.length).toBeGreaterThan(0);
    expect(saved[0]).toMatchObject({ deadline: null });
    expect(Number.isNaN(Date.parse(saved[0]!.nextPollAt))).toBe(false);
    expect(await wait(comfy, saved[0]!)).toMatchObject({ state: "succeeded" });
  });

  const bad: Array<[string, WaitOptions]> = [];
  for (const value of [0, -1, Number.NaN, "5" as unknown as number]) {
    for (const name of ["timeoutMs", "requestTimeoutMs", "maxConsecutiveFailures", "webhookFallbackMs"] as const)
      bad.push([name, { [name]: value }]);
    for (const name of ["minIntervalMs", "maxIntervalMs", "patience"] as const) bad.push([name, { poll: { [name]: value } }]);
  }
  bad.push(
    ["maxConsecutiveFailures", { maxConsecutiveFailures: 2.5 }],
    ["webhookFallbackMs", { webhookFallbackMs: 1e12 }],
    ["initialDelayMs", { poll: { initialDelayMs: -1 } }],
  );
  test.each(bad)("%s in %j is refused with an InvalidArgumentError naming it, before any request", async (name, options) => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    const handle = { provider: "comfy" as const, jobId: job.id, startedAt: startedNow() };
    const error = await wait(comfy, handle, { ...options, limiter: createRateLimiter() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain(name);
    const watcher = createWatcher();
    expect(() => watcher.add(comfy, handle, options)).toThrow(InvalidArgumentError);
    watcher.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(job.requests()).toEqual([]);
  });

  test.each<[string, WatcherOptions, string]>([
    ["poll", { poll: { minIntervalMs: Number.NaN } }, "minIntervalMs"],
    ["rateBudgets", { rateBudgets: { comfy: [{ requests: 0, intervalMs: 1_000 }] } }, "rateBudgets.comfy"],
    ["rateBudgets", { rateBudgets: { comfy: [{ requests: 1, intervalMs: Number.NaN }] } }, "rateBudgets.comfy"],
  ])("a watcher with a bad %s is refused when created, naming it", (_name, options, named) => {
    expect(() => createWatcher(options)).toThrow(InvalidArgumentError);
    expect(() => createWatcher(options)).toThrow(named);
  });
});

describe("watch", () => {
  test("yields each change of state and ends at the terminal one", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", {
      script: [{ status: "queued_waiting", forMs: 60 }, { status: "executing", forMs: 60 }, { status: "success" }],
    });
    const states: string[] = [];
    for await (const snapshot of watch(comfy, { provider: "comfy", jobId: job.id, startedAt: startedNow() }, { poll: fast })) {
      states.push(`${snapshot.state}:${snapshot.rawStatus}`);
    }
    expect(states).toEqual(["queued:queued_waiting", "running:executing", "succeeded:success"]);
  });

  test("leaving the loop stops polling at once", async () => {
    const { comfy } = clients();
    const job = fake.createJob("comfy", { status: "executing" });
    let first: JobSnapshot | undefined;
    for await (const snapshot of watch(comfy, { provider: "comfy", jobId: job.id, startedAt: startedNow() }, { poll: fast })) {
      first = snapshot;
      break;
    }
    expect(first?.state).toBe("running");
    const count = job.requests().length;
    await new Promise((r) => setTimeout(r, 200));
    expect(job.requests().length).toBe(count);
  });
});
