import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, createDifyClient, InvalidArgumentError, NotFoundError, RateLimitError, ServerError } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

const comfyClient = () => createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
const gaps = (ats: number[]) => ats.slice(1).map((at, i) => at - ats[i]!);

test("getJobStatus with maxRetries rides out two 503s, backing off 0.5 s then 1 s at least", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 503, times: 2 });
  const body = await comfyClient().getJobStatus(job.id, { maxRetries: 3 });
  expect(body.status).toBe("in_progress");
  const ats = fake.requests({ api: "comfy", route: "status", jobId: job.id }).map((r) => r.at);
  expect(ats).toHaveLength(3);
  const [first, second] = gaps(ats);
  expect(first).toBeGreaterThanOrEqual(490);
  expect(second).toBeGreaterThanOrEqual(990);
});

test("without maxRetries a direct call is not retried", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 503, times: 1 });
  await expect(comfyClient().getJobStatus(job.id)).rejects.toBeInstanceOf(ServerError);
  expect(fake.requests({ api: "comfy", route: "status", jobId: job.id })).toHaveLength(1);
});

test("getJob retries a dropped connection and gives up after maxRetries with the last error", async () => {
  const job = fake.createJob("comfy", { status: "success" });
  fake.fault({ api: "comfy", route: "detail", jobId: job.id, reset: true, times: 2 });
  await expect(comfyClient().getJob(job.id, { maxRetries: 1 })).rejects.toMatchObject({ name: "ConnectionError" });
  expect(fake.requests({ api: "comfy", route: "detail", jobId: job.id })).toHaveLength(2);
});

test("a 429's Retry-After is honoured when longer than the backoff", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, retryAfter: { ms: 1200 }, times: 1 });
  await comfyClient().getJobStatus(job.id, { maxRetries: 1 });
  const ats = fake.requests({ api: "comfy", route: "status", jobId: job.id }).map((r) => r.at);
  expect(gaps(ats)[0]).toBeGreaterThanOrEqual(1190);
});

test("a 429 asking for more than a minute ends the call at once with its RateLimitError", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, retryAfter: { seconds: 3600 }, times: 1 });
  const started = Date.now();
  const error = await comfyClient()
    .getJobStatus(job.id, { maxRetries: 5 })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitError);
  expect(Date.now() - started).toBeLessThan(400);
  expect(fake.requests({ api: "comfy", route: "status", jobId: job.id })).toHaveLength(1);
});

test("an answer that will not change (Dify's missing job) is not retried", async () => {
  const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
  await expect(dify.getJobStatus("enable", "no-such-job", { maxRetries: 3 })).rejects.toBeInstanceOf(NotFoundError);
  expect(fake.requests({ api: "dify-chatflow", jobId: "no-such-job" })).toHaveLength(1);
});

test("the signal ends a retry's sleep at once", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 500 });
  const controller = new AbortController();
  const started = Date.now();
  const call = comfyClient().getJobStatus(job.id, { maxRetries: 10, signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 200);
  await expect(call).rejects.toThrow("stop");
  expect(Date.now() - started).toBeLessThan(450);
  expect(fake.requests({ api: "comfy", route: "status", jobId: job.id })).toHaveLength(1);
});

test("each attempt keeps the per-request time limit", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  fake.fault({ api: "comfy", route: "status", jobId: job.id, delayMs: 1000, times: 1 });
  const body = await comfyClient().getJobStatus(job.id, { maxRetries: 1, timeoutMs: 150 });
  expect(body.status).toBe("in_progress");
  expect(fake.requests({ api: "comfy", route: "status", jobId: job.id })).toHaveLength(2);
});

test("maxRetries that is not a whole number in [0, 10] is an InvalidArgumentError before any request", async () => {
  const job = fake.createJob("comfy", { status: "in_progress" });
  for (const maxRetries of [-1, 1.5, 11, Number.NaN, Infinity, "3" as unknown as number]) {
    await expect(comfyClient().getJobStatus(job.id, { maxRetries })).rejects.toBeInstanceOf(InvalidArgumentError);
  }
  expect(fake.requests({ api: "comfy", jobId: job.id })).toHaveLength(0);
});
