import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from "vitest";
import type { components as ComfySchemas } from "../../generated/comfy-cloud.js";
import type { components as DeepAffectsSchemas } from "../../generated/deepaffects.js";
import type { components as DifySchemas } from "../../generated/dify-chatflow.js";
import { createComfyClient, createDeepAffectsClient, createDifyClient } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

describe("each seed endpoint through its typed client", () => {
  test("Dify Chatflow: annotation reply job status", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow, app: "chatflow" });
    const job = fake.createJob("dify-chatflow", { action: "enable", status: "processing" });
    const body = await dify.getJobStatus("enable", job.id);
    expect(body).toMatchObject({ job_id: job.id, job_status: "processing" });
    expectTypeOf(body).toEqualTypeOf<DifySchemas["schemas"]["AnnotationReplyJobStatus"]>();
  });

  test("Dify Completion: the same job on the Completion app's API and key", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyCompletion, baseUrl: fake.urls.difyCompletion, app: "completion" });
    const job = fake.createJob("dify-completion", { action: "disable", status: "error", errorMessage: "embedding model unavailable" });
    const body = await dify.getJobStatus("disable", job.id);
    expect(body).toEqual({ job_id: job.id, job_status: "error", error_msg: "embedding model unavailable" });
  });

  test("Comfy Cloud: job status with a raw internal state", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { status: "queued_limited" });
    const body = await comfy.getJobStatus(job.id);
    expect(body.status).toBe("queued_limited");
    expectTypeOf(body).toEqualTypeOf<ComfySchemas["schemas"]["JobStatusResponse"]>();
    expectTypeOf(body.status).toExtend<string>();
  });

  test("DeepAffects: async status carries the result once completed", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Completed", result: { transcript: "Hi! Hello, this is Susan." } });
    const body = await da.getJobStatus(job.id);
    expect(body).toEqual({ status: "Completed", response: { request_id: job.id, response: { transcript: "Hi! Hello, this is Susan." } } });
    expectTypeOf(body).toEqualTypeOf<DeepAffectsSchemas["schemas"]["AsyncStatusResponse"]>();
    expectTypeOf(body.status).toEqualTypeOf<string>();
  });

  test("the full typed openapi-fetch client is there too, with auth applied", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { status: "success" });
    const { data, error } = await comfy.api.GET("/api/jobs/{job_id}", { params: { path: { job_id: job.id } } });
    expect(error).toBeUndefined();
    expect(data?.status).toBe("completed");
  });
});

describe("the credential goes exactly where each provider expects, and nowhere else", () => {
  test("Dify: Authorization Bearer only", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
    const job = fake.createJob("dify-chatflow", { status: "waiting" });
    await dify.getJobStatus("enable", job.id);
    const [request] = job.requests();
    expect(request?.headers.authorization).toBe(`Bearer ${fake.keys.difyChatflow}`);
    expect(request?.headers["x-api-key"]).toBeUndefined();
    expect(request?.query).toEqual({});
  });

  test("Comfy: X-API-Key only", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { status: "executing" });
    await comfy.getJobStatus(job.id);
    const [request] = job.requests();
    expect(request?.headers["x-api-key"]).toBe(fake.keys.comfy);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.query).toEqual({});
  });

  test("DeepAffects: the apikey query parameter only", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Running" });
    await da.getJobStatus(job.id);
    const [request] = job.requests();
    expect(request?.query).toEqual({ apikey: fake.keys.deepaffects, request_id: job.id });
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers["x-api-key"]).toBeUndefined();
  });
});

describe("the key and the time limit reach every request, whichever way it is sent", () => {
  test("DeepAffects: a direct api call gets the key, with or without a query serializer of its own", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Running" });
    const path = "/transaction/generic/api/v1/async/status";
    const plain = await da.api.GET(path, { params: { query: { request_id: job.id } } });
    expect(plain.response.status).toBe(200);
    const own = await da.api.GET(path, { params: { query: { request_id: job.id } }, querySerializer: { allowReserved: true } });
    expect(own.response.status).toBe(200);
    for (const request of job.requests()) expect(request.query).toEqual({ apikey: fake.keys.deepaffects, request_id: job.id });
  });

  test("DeepAffects: an apikey among a call's own query parameters is replaced, not sent twice", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Running" });
    const query = { request_id: job.id, apikey: "someone-else" } as { request_id: string };
    const { response } = await da.api.GET("/transaction/generic/api/v1/async/status", { params: { query } });
    expect(response.status).toBe(200);
    expect(job.requests()[0]?.query).toEqual({ apikey: fake.keys.deepaffects, request_id: job.id });
  });

  test("a caller's fetch gets the time limit's signal inside the Request, and a hang ends on time", async () => {
    const seen: Request[] = [];
    const hanging = (request: Request) =>
      new Promise<Response>((_, reject) => {
        seen.push(request);
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      });
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, fetch: hanging, timeoutMs: 100 });
    await expect(comfy.getJobStatus("job-1")).rejects.toMatchObject({ name: "TimeoutError" });
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects, fetch: hanging, timeoutMs: 100 });
    const error = await da.getJobStatus("job-2").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError" });
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(fake.keys.deepaffects);
    expect(seen).toHaveLength(2);
    for (const request of seen) expect(request.signal.aborted).toBe(true);
    expect(new URL(seen[1]!.url).searchParams.get("apikey")).toBe(fake.keys.deepaffects);
  });
});

describe("bad input fails before any request, with a typed error naming the problem", () => {
  test("an empty or whitespace key, a key with surrounding spaces", () => {
    expect(() => createComfyClient({ apiKey: "" })).toThrow(/apiKey is missing or empty/);
    expect(() => createDifyClient({ apiKey: "   " })).toThrow(expect.objectContaining({ name: "InvalidArgumentError" }));
    expect(() => createDeepAffectsClient({ apiKey: " k-123 " })).toThrow(/whitespace/);
  });

  test("a base URL that is not http(s), or that carries credentials", () => {
    expect(() => createComfyClient({ apiKey: "k", baseUrl: "ftp://example.com" })).toThrow(/absolute http\(s\) URL/);
    expect(() => createComfyClient({ apiKey: "k", baseUrl: "not a url" })).toThrow(/absolute http\(s\) URL/);
    expect(() => createDifyClient({ apiKey: "k", baseUrl: "https://user:pw@example.com/v1" })).toThrow(/credentials/);
  });

  test("Dify's action must be enable or disable, its app chatflow or completion", async () => {
    expect(() => createDifyClient({ apiKey: "k", app: "workflow" as "chatflow" })).toThrow(/app must be "chatflow" or "completion"/);
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
    await expect(dify.getJobStatus("toggle" as "enable", "abc")).rejects.toThrow(/action must be "enable" or "disable"/);
  });

  test.each(["", ".", "..", "a/b", "../../apps", "x?y=1", "x#frag", "%2F", "a%2Fb", "a\\b", "a b", "a\nb"])(
    "job id %j never reaches another path",
    async (jobId) => {
      const before = fake.requests().length;
      const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
      const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
      await expect(comfy.getJobStatus(jobId)).rejects.toMatchObject({ name: "InvalidArgumentError" });
      await expect(dify.getJobStatus("enable", jobId)).rejects.toMatchObject({ name: "InvalidArgumentError" });
      expect(fake.requests().length).toBe(before);
    },
  );
});
