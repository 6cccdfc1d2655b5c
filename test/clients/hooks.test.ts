import { afterAll, beforeAll, expect, test } from "vitest";
import { APIError, createComfyClient, createDeepAffectsClient, createDifyClient, RateLimitError, ServerError } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

const DA_KEY = "da+key/with=odd&chars'x";
// encodeURIComponent leaves `'` raw; a URL's query, as URLSearchParams, spells it %27.
const spellings = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  encodeURIComponent(encodeURIComponent(secret)),
  new URLSearchParams({ k: secret }).toString().slice(2),
];

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ keys: { deepaffects: DA_KEY } });
});
afterAll(() => fake.close());

test("a DeepAffects request hook sees every poll without the key in its URL, and the key still reaches the provider", async () => {
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects });
  const seen: string[] = [];
  da.api.use({
    onRequest({ request }) {
      seen.push(`request ${request.url}`);
    },
    onResponse({ request, response }) {
      seen.push(`response ${response.status} ${request.url} ${response.url}`);
    },
  });
  const job = fake.createJob("deepaffects", { status: "Completed" });
  await da.getJobStatus(job.id);
  await da.getJobStatus(job.id);
  expect(seen).toHaveLength(4);
  expect(seen[0]).toMatch(/^request http:\/\/127\.0\.0\.1:\d+\/deepaffects\/transaction\/generic\/api\/v1\/async\/status\?request_id=/);
  expect(seen[1]).toMatch(/^response 200 /);
  for (const line of seen) for (const spelling of spellings(DA_KEY)) expect(line).not.toContain(spelling);
  expect(seen.join("\n")).not.toContain("apikey");
  // The provider got the key on each of them.
  const received = fake.requests({ api: "deepaffects", jobId: job.id });
  expect(received.map((r) => r.query["apikey"])).toEqual([DA_KEY, DA_KEY]);
});

test("a hook that adds a query parameter keeps it, and the key is still put on", async () => {
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects });
  da.api.use({
    onRequest({ request }) {
      const url = new URL(request.url);
      url.searchParams.set("trace", "t1");
      return new Request(url, request);
    },
  });
  const job = fake.createJob("deepaffects", { status: "Running" });
  await da.getJobStatus(job.id);
  const [received] = fake.requests({ api: "deepaffects", jobId: job.id });
  expect(received?.query).toMatchObject({ trace: "t1", apikey: DA_KEY, request_id: job.id });
});

test("the fetch option, the way to see the raw request, still sees the key", async () => {
  const urls: string[] = [];
  const da = createDeepAffectsClient({
    apiKey: DA_KEY,
    baseUrl: fake.urls.deepaffects,
    fetch: (request) => {
      urls.push(request.url);
      return fetch(request);
    },
  });
  da.api.use({ onRequest() {} });
  const job = fake.createJob("deepaffects", { status: "Running" });
  await da.getJobStatus(job.id);
  expect(new URL(urls[0]!).searchParams.get("apikey")).toBe(DA_KEY);
});

test("APIError.headers holds the failed answer's headers, with cookies and the echoed key redacted", async () => {
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects });
  const job = fake.createJob("deepaffects", { status: "Running" });
  fake.fault({
    api: "deepaffects",
    jobId: job.id,
    status: 503,
    times: 1,
    headers: {
      "set-cookie": "session=s3cr3t; HttpOnly",
      "x-echo": `upstream /status?apikey=${encodeURIComponent(DA_KEY)}`,
      "x-raw-echo": `key ${DA_KEY} rejected`,
      "x-request-id": "req-42",
    },
  });
  const error = await da.getJobStatus(job.id).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ServerError);
  const { headers } = error as APIError;
  expect(headers["x-request-id"]).toBe("req-42");
  expect(headers["content-type"]).toMatch(/json/);
  expect(headers["set-cookie"]).toBe("[REDACTED]");
  expect(headers["x-echo"]).toBe("upstream /status?apikey=[REDACTED]");
  expect(headers["x-raw-echo"]).toBe("key [REDACTED] rejected");
  const text = JSON.stringify(error) + JSON.stringify(headers);
  for (const spelling of [...spellings(DA_KEY), "s3cr3t"]) expect(text).not.toContain(spelling);
});

test("a 429's Retry-After is in APIError.headers as sent", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const job = fake.createJob("comfy", { status: "pending" });
  fake.fault({ api: "comfy", jobId: job.id, status: 429, retryAfter: { seconds: 7 }, times: 1 });
  const error = (await comfy.getJobStatus(job.id).catch((e: unknown) => e)) as RateLimitError;
  expect(error).toBeInstanceOf(RateLimitError);
  expect(error.headers["retry-after"]).toBe("7");
  expect(error.retryAfterMs).toBe(7000);
});

test("a Comfy or Dify request hook sees no key header, in onRequest or in onResponse's request, and the key still reaches the provider", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
  const seen: string[] = [];
  const hook = {
    onRequest({ request }: { request: Request }) {
      seen.push(JSON.stringify([...request.headers]));
    },
    onResponse({ request, response }: { request: Request; response: Response }) {
      seen.push(`${response.status} ${JSON.stringify([...request.headers])}`);
    },
  };
  comfy.api.use(hook);
  dify.api.use(hook);
  const comfyJob = fake.createJob("comfy", { status: "success" });
  const difyJob = fake.createJob("dify-chatflow", { status: "completed" });
  await comfy.getJobStatus(comfyJob.id);
  await dify.getJobStatus("enable", difyJob.id);
  const { data } = await comfy.api.GET("/api/job/{job_id}/status", { params: { path: { job_id: comfyJob.id } } });
  expect(data?.status).toBe("success");
  expect(seen).toHaveLength(6);
  expect(seen.filter((line) => line.startsWith("200 "))).toHaveLength(3);
  for (const line of seen) {
    expect(line).not.toContain(fake.keys.comfy);
    expect(line).not.toContain(fake.keys.difyChatflow);
    expect(line.toLowerCase()).not.toMatch(/x-api-key|authorization/);
  }
});
