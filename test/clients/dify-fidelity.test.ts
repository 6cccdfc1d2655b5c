// Dify answers as its docs and server show them (upstream dify/service/*, langgenius/dify api/).
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import {
  createDifyClient,
  createRateLimiter,
  InvalidArgumentError,
  JobExpiredError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  TimeoutError,
  wait,
  type DifyJobHandle,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";

let fake: FakeProviders;
let t = Date.parse("2026-03-01T10:00:00Z");
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders({ now: () => t });
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

const dify = () => createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow, timeoutMs: 2_000 });
const handleOf = (jobId: string, startedAt = new Date().toISOString()): DifyJobHandle => ({
  provider: "dify",
  app: "chatflow",
  action: "enable",
  jobId,
  startedAt,
});
const fast = { initialDelayMs: 0, minIntervalMs: 20, maxIntervalMs: 50, jitter: 0 };

describe("the annotation-reply body", () => {
  test("the embedding fields are required, also for disable, and missing ones fail before any request", async () => {
    const before = fake.requests({ api: "dify-chatflow", route: "start" }).length;
    for (const action of ["enable", "disable"] as const) {
      const error = await dify()
        .configureAnnotationReply(action, { score_threshold: 0.9 } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(/embedding_provider_name/);
    }
    expect(fake.requests({ api: "dify-chatflow", route: "start" })).toHaveLength(before);
  });

  test("a complete body starts the job", async () => {
    const handle = await dify().configureAnnotationReply("disable", {
      score_threshold: 0.9,
      embedding_provider_name: "openai",
      embedding_model_name: "text-embedding-3-small",
    });
    expect(handle).toMatchObject({ provider: "dify", action: "disable" });
  });
});

describe("Dify forgets an ended job after 10 minutes", () => {
  test("a job this client saw alive, asked again after Dify forgot it, is a JobExpiredError, not a plain not-found", async () => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    const client = dify();
    expect((await client.status(handleOf(job.id))).state).toBe("succeeded");
    t += 601_000;
    const error = await client.status(handleOf(job.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobExpiredError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as JobExpiredError).reason).toBe("seen-before");
    expect((error as Error).message).toMatch(/10 minutes after it ends/);
  });

  test("a resumed wait on a job older than the TTL ends with JobExpiredError (older-than-ttl)", async () => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    t += 601_000;
    const startedAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const saved = {
      version: 1 as const,
      handle: handleOf(job.id, startedAt),
      deadline: null,
      attempts: 3,
      failures: 0,
      nextPollAt: new Date().toISOString(),
    };
    const error = await wait(dify(), saved, { limiter: createRateLimiter(), poll: fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobExpiredError);
    expect((error as JobExpiredError).reason).toBe("older-than-ttl");
  });

  test("an id never seen, on a fresh handle, stays a plain NotFoundError", async () => {
    const error = await dify()
      .status(handleOf("4f7d1c2e-0000-4000-8000-000000000001"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).not.toBeInstanceOf(JobExpiredError);
  });
});

describe("errors that retrying cannot clear", () => {
  test("429 rate_limit_error (a plan quota) ends a wait at once; 429 too_many_requests is retried", async () => {
    const job = fake.createJob("dify-chatflow", { status: "processing" });
    faults.push(
      fake.fault({
        api: "dify-chatflow",
        route: "status",
        jobId: job.id,
        status: 429,
        body: { status: 429, code: "rate_limit_error", message: "Workflow executions quota exceeded." },
      }),
    );
    const error = await wait(dify(), handleOf(job.id), { limiter: createRateLimiter(), poll: fast, timeoutMs: 20_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).transient).toBe(false);
    expect(fake.requests({ api: "dify-chatflow", route: "status", jobId: job.id })).toHaveLength(1);
    faults.splice(0).forEach((f) => f.remove());

    faults.push(
      fake.fault({
        api: "dify-chatflow",
        route: "status",
        jobId: job.id,
        status: 429,
        times: 1,
        body: { status: 429, code: "too_many_requests", message: "Too many requests." },
      }),
    );
    const busy = await dify()
      .getJobStatus("enable", job.id)
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(RateLimitError);
  });

  test("403 forbidden says it is an access restriction or a plan limit, not that another key is needed", async () => {
    const job = fake.createJob("dify-chatflow", { status: "processing" });
    faults.push(fake.fault({ api: "dify-chatflow", route: "status", jobId: job.id, status: 403, times: 1 }));
    const error = await dify()
      .getJobStatus("enable", job.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as Error).message).toMatch(/access restriction or a plan limit/);
    expect((error as Error).message).not.toMatch(/use the key of the account/);
  });
});

describe("every wait has a deadline", () => {
  test("a job stuck in processing, waited on without timeoutMs, ends with a TimeoutError at Dify's default deadline", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const job = fake.createJob("dify-chatflow", { status: "processing" });
      const client = dify();
      let outcome: unknown;
      const started = Date.now();
      void wait(client, handleOf(job.id), { limiter: createRateLimiter() }).then(
        (s) => (outcome = s),
        (e: unknown) => (outcome = e),
      );
      for (let step = 0; step < 400 && outcome === undefined; step++) {
        await vi.advanceTimersByTimeAsync(10_000);
        for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      }
      expect(outcome).toBeInstanceOf(TimeoutError);
      expect(Date.now() - started).toBeLessThanOrEqual(30 * 60_000 + 10_000);
      expect(client.pollDefaults.defaultTimeoutMs).toBe(30 * 60_000);
    } finally {
      vi.useRealTimers();
    }
  });

  test("timeoutMs: Infinity asks for a wait without end, and is allowed", async () => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    const done = await wait(dify(), handleOf(job.id), { limiter: createRateLimiter(), poll: fast, timeoutMs: Infinity });
    expect(done.state).toBe("succeeded");
  });
});

test("score_threshold is sent as given: Dify documents a float and checks no range", async () => {
  const handle = await dify().configureAnnotationReply("enable", {
    score_threshold: 1.5,
    embedding_provider_name: "openai",
    embedding_model_name: "text-embedding-3-small",
  });
  expect(handle.jobId).toBeTruthy();
  const sent = fake.requests({ api: "dify-chatflow", route: "start" }).at(-1);
  expect(sent?.body).toMatchObject({ score_threshold: 1.5 });
  await expect(
    dify().configureAnnotationReply("enable", {
      score_threshold: Number.NaN,
      embedding_provider_name: "openai",
      embedding_model_name: "m",
    }),
  ).rejects.toBeInstanceOf(InvalidArgumentError);
});
