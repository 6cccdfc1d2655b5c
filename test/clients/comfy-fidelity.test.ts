// Comfy Cloud answers as its docs show them (upstream comfy/cloud-overview.md, cloud-api-reference, openapi-cloud.yaml).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  createComfyClient,
  QuotaExceededError,
  RateLimitError,
  SubscriptionInactiveError,
  wait,
  WorkflowRejectedError,
  type ComfyJobHandle,
} from "../../src/index.js";
import { createRateLimiter } from "../../src/index.js";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";

let fake: FakeProviders;
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

const client = (apiKey = fake.keys.comfy) => createComfyClient({ apiKey, baseUrl: fake.urls.comfy, timeoutMs: 2_000 });
const handleOf = (jobId: string): ComfyJobHandle => ({ provider: "comfy", jobId, startedAt: new Date().toISOString() });

describe("429 means the subscription is inactive", () => {
  test("a wait on a key with an inactive subscription ends at once with a non-transient error saying to reactivate", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    const started = performance.now();
    const error = await wait(client(fake.keys.comfyInactive), handleOf(job.id), {
      poll: { initialDelayMs: 0, minIntervalMs: 20, maxIntervalMs: 50 },
      timeoutMs: 20_000,
      limiter: createRateLimiter(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionInactiveError);
    expect(error).not.toBeInstanceOf(RateLimitError);
    const typed = error as SubscriptionInactiveError;
    expect(typed.transient).toBe(false);
    expect(typed.status).toBe(429);
    expect(typed.message).toMatch(/reactivate the subscription/);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(fake.requests({ api: "comfy", route: "status", jobId: job.id })).toHaveLength(1);
  });

  test("submitting on an inactive subscription is a SubscriptionInactiveError, not a rate limit", async () => {
    const error = await client(fake.keys.comfyInactive)
      .submitWorkflow({ "1": { class_type: "KSampler", inputs: {} } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionInactiveError);
    expect((error as SubscriptionInactiveError).transient).toBe(false);
  });

  test("a 429 that carries Retry-After is still a transient rate limit with its hint", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, retryAfter: { seconds: 3 }, times: 1 }));
    const error = await client()
      .getJobStatus(job.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).transient).toBe(true);
    expect((error as RateLimitError).retryAfterMs).toBe(3_000);
  });

  test("a 429 whose Retry-After cannot be read is still a transient rate limit, not an inactive subscription", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, headers: { "Retry-After": "soon" }, times: 1 }));
    const error = await client()
      .getJobStatus(job.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).not.toBeInstanceOf(SubscriptionInactiveError);
    expect((error as RateLimitError).transient).toBe(true);
  });
});

test("402 insufficient credits is a non-transient QuotaExceededError that says to add credits", async () => {
  faults.push(fake.fault({ api: "comfy", route: "start", status: 402, times: 1 }));
  const error = await client()
    .submitWorkflow({ "1": { class_type: "KSampler", inputs: {} } })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(QuotaExceededError);
  expect((error as Error).message).toMatch(/add credits/);
});

describe("a rejected workflow keeps its reason", () => {
  test("ComfyUI's 400 {error, node_errors} becomes a WorkflowRejectedError with the message, type and node errors", async () => {
    // The body shape of ComfyUI's POST /prompt for a workflow that fails validation (ComfyUI server.py, post_prompt).
    const nodeErrors = {
      "4": {
        errors: [
          {
            type: "value_not_in_list",
            message: "Value not in list",
            details: "ckpt_name: 'missing.safetensors' not in []",
            extra_info: {},
          },
        ],
        dependent_outputs: ["9"],
        class_type: "CheckpointLoaderSimple",
      },
    };
    faults.push(
      fake.fault({
        api: "comfy",
        route: "start",
        status: 400,
        times: 1,
        body: {
          error: { type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation", details: "", extra_info: {} },
          node_errors: nodeErrors,
        },
      }),
    );
    const error = await client()
      .submitWorkflow({ "4": { class_type: "CheckpointLoaderSimple", inputs: {} } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowRejectedError);
    const rejected = error as WorkflowRejectedError;
    expect(rejected.message).toContain("Prompt outputs failed validation");
    expect(rejected.errorType).toBe("prompt_outputs_failed_validation");
    expect(rejected.nodeErrors["4"]?.class_type).toBe("CheckpointLoaderSimple");
    expect(rejected.nodeErrors["4"]?.errors[0]?.message).toBe("Value not in list");
    expect(rejected.transient).toBe(false);
  });

  test("the fake's own validation (a node without class_type) reaches the caller's error message", async () => {
    const error = await client()
      .submitWorkflow({ "1": { inputs: {} } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowRejectedError);
    expect((error as Error).message).toContain("missing the class_type property");
  });

  test("node errors that echo the key are redacted", async () => {
    faults.push(
      fake.fault({
        api: "comfy",
        route: "start",
        status: 400,
        times: 1,
        body: {
          error: { type: "invalid_prompt", message: "bad" },
          node_errors: { "1": { errors: [{ message: `key ${fake.keys.comfy}` }] } },
        },
      }),
    );
    const error = (await client()
      .submitWorkflow({ "1": { class_type: "X", inputs: {} } })
      .catch((e: unknown) => e)) as WorkflowRejectedError;
    expect(JSON.stringify(error.nodeErrors)).not.toContain(fake.keys.comfy);
  });

  test("node ids quoted in the message are clipped: ten 6 000-character ids (within the 64 KiB kept of node_errors) make a short message, the ids stay whole in nodeErrors", async () => {
    const huge = "n".repeat(6_000);
    const nodeErrors = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${huge}${i}`, { errors: [] }]));
    faults.push(
      fake.fault({
        api: "comfy",
        route: "start",
        status: 400,
        times: 1,
        body: { error: { type: "invalid_prompt", message: "bad" }, node_errors: nodeErrors },
      }),
    );
    const error = (await client()
      .submitWorkflow({ "1": { class_type: "X", inputs: {} } })
      .catch((e: unknown) => e)) as WorkflowRejectedError;
    expect(error).toBeInstanceOf(WorkflowRejectedError);
    expect(error.message.length).toBeLessThan(2_000);
    expect(error.message).toContain("nodes ");
    expect(Object.keys(error.nodeErrors)).toEqual(Object.keys(nodeErrors));
  });
});

describe("cancel reports what it cancelled", () => {
  test("a pending job is cancelled; a running one is reported as not cancelled and keeps running", async () => {
    const pending = fake.createJob("comfy", { status: "queued_waiting" });
    const running = fake.createJob("comfy", { status: "executing" });
    const result = await client().cancel([pending.id, running.id]);
    expect(result).toEqual({ cancelled: [pending.id], notCancelled: [running.id] });
    expect(fake.job("comfy", running.id)?.status).toBe("executing");
    // cancel never reaches for /api/interrupt, which would stop every running job of the user.
    expect(fake.requests({ api: "comfy" }).filter((r) => r.path.endsWith("/api/interrupt"))).toHaveLength(0);
  });

  test("interruptAllRunningJobs is its own call and stops every running job of the user", async () => {
    const a = fake.createJob("comfy", { status: "executing" });
    const b = fake.createJob("comfy", { status: "executing" });
    await client().interruptAllRunningJobs();
    expect([fake.job("comfy", a.id)?.status, fake.job("comfy", b.id)?.status]).toEqual(["cancelled", "cancelled"]);
  });
});
