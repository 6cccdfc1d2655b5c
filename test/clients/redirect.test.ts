/**
 * A redirect to another origin never carries the provider key, for every API and for Comfy's file
 * view (a 302 to signed storage); a same-origin redirect keeps working; a
 * redirect loop ends in a typed error. A 307 or 308 on a start call (a POST) sends the same method and
 * body again, as fetch does, to another origin too, but never the key.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createComfyClient, createDeepAffectsClient, createDifyClient, createRateLimiter, InvalidResponseError } from "../../src/index.js";
import { startFakeProviders, type FakeApi, type FakeProviders, type FaultHandle } from "../../src/testing.js";
import { APIS, keyOf, makeClient, RAW, SECRET_KEYS, spellingsOf, urlOf } from "../fixtures/apis.js";

let fake: FakeProviders;
let other: Server;
let otherOrigin = "";
const faults: FaultHandle[] = [];
const seen: Array<{ url: string; method: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  fake = await startFakeProviders({ keys: SECRET_KEYS });
  // Another origin (another port): answers any GET with a body every API's status reader accepts.
  other = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", method: req.method ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      // A body every API's status reader and start call accept.
      const body = JSON.stringify({
        job_status: "completed",
        status: "success",
        job_id: "elsewhere",
        prompt_id: "elsewhere",
        request_id: "elsewhere",
        api: "asr",
        response: { request_id: "elsewhere", response: {} },
      });
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
    });
  });
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterEach(() => {
  faults.splice(0).forEach((f) => f.remove());
  seen.length = 0;
});
afterAll(async () => {
  other.closeAllConnections();
  await new Promise((r) => other.close(r));
  await fake.close();
});

const redirect = (api: FakeApi, jobId: string, status: number, location: string, times?: number) =>
  faults.push(fake.fault({ api, route: "status", jobId, status, body: "", headers: { Location: location }, ...(times ? { times } : {}) }));

/** The canonical status URL of a job, as a server would name it, without any credential in it. */
function statusUrl(api: FakeApi, jobId: string): string {
  const path =
    api === "deepaffects"
      ? `/transaction/generic/api/v1/async/status?request_id=${jobId}`
      : api === "comfy"
        ? `/api/job/${jobId}/status`
        : `/apps/annotation-reply/enable/status/${jobId}`;
  return `${urlOf(api, fake.urls)}${path}`;
}

describe.each(APIS)("%s", (api) => {
  const key = () => keyOf(api, fake.keys);
  const client = () => makeClient(api, { apiKey: key(), baseUrl: urlOf(api, fake.urls), timeoutMs: 3_000 });

  test.each([301, 302, 303, 307, 308])("a %i to another origin is followed without the key", async (status) => {
    const job = fake.createJob(api, { status: RAW[api].running });
    redirect(api, job.id, status, `${otherOrigin}/signed/status?sig=abc`, 1);
    const body = await client().getJobStatus(job.id);
    expect(body[RAW[api].field]).toBe(api.startsWith("dify") ? "completed" : "success");
    expect(seen).toHaveLength(1);
    const [request] = seen as [(typeof seen)[number]];
    expect(request.url).toBe("/signed/status?sig=abc");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["x-api-key"]).toBeUndefined();
    const everything = JSON.stringify(seen);
    for (const form of spellingsOf(key())) expect(everything).not.toContain(form);
  });

  test.each([301, 302, 303, 307, 308])("a same-origin %i, then a hop to another origin, still drops the key", async (status) => {
    const first = fake.createJob(api, { status: RAW[api].running });
    const second = fake.createJob(api, { status: RAW[api].running });
    redirect(api, first.id, status, statusUrl(api, second.id), 1);
    redirect(api, second.id, 302, `${otherOrigin}/signed/status?sig=def`, 1);
    await client().getJobStatus(first.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers["x-api-key"]).toBeUndefined();
    for (const form of spellingsOf(key())) expect(JSON.stringify(seen)).not.toContain(form);
  });

  test("a same-origin redirect keeps the key and works", async () => {
    const job = fake.createJob(api, { status: RAW[api].done });
    redirect(api, job.id, 307, statusUrl(api, job.id), 1);
    const body = await client().getJobStatus(job.id);
    expect(body[RAW[api].field]).toBe(RAW[api].done);
    const hops = fake.requests({ api, jobId: job.id });
    expect(hops.map((r) => r.status)).toEqual([307, 200]);
  });

  test("a redirect loop ends in an InvalidResponseError without the key", async () => {
    const looping = fake.createJob(api, { status: RAW[api].done });
    redirect(api, looping.id, 302, statusUrl(api, looping.id));
    const error = await client()
      .getJobStatus(looping.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/more than 5 redirects/);
    expect(fake.requests({ api, jobId: looping.id })).toHaveLength(6);
    for (const form of spellingsOf(key())) expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(form);
  });
});

/** Each API's start call (a POST with a JSON body), and the path it posts to. */
function starter(api: FakeApi) {
  const options = { apiKey: keyOf(api, fake.keys), baseUrl: urlOf(api, fake.urls), timeoutMs: 3_000 };
  if (api === "comfy") {
    const comfy = createComfyClient(options);
    const workflow = { "1": { class_type: "KSampler", inputs: { seed: 7 } } };
    return { path: "/api/prompt", body: { prompt: workflow }, start: async () => (await comfy.submitWorkflow(workflow)).jobId };
  }
  if (api === "deepaffects") {
    // Starts take slots of DeepAffects' 5-a-minute budget: a limiter per call keeps this file's starts apart.
    const da = createDeepAffectsClient({ ...options, limiter: createRateLimiter() });
    const body = { url: "https://example.com/call.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 };
    return { path: "/audio/generic/api/v1/async/asr", body, start: async () => (await da.start("asr", body)).jobId };
  }
  const dify = createDifyClient({ ...options, app: api === "dify-chatflow" ? "chatflow" : "completion" });
  const settings = { score_threshold: 0.9, embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" };
  return {
    path: "/apps/annotation-reply/enable",
    body: settings,
    start: async () => (await dify.configureAnnotationReply("enable", settings)).jobId,
  };
}

describe.each(APIS)("%s start call", (api) => {
  const key = () => keyOf(api, fake.keys);

  test.each([307, 308])("a same-origin %i sends the same POST and body again, with the key", async (status) => {
    const { path, body, start } = starter(api);
    faults.push(fake.fault({ api, route: "start", status, body: "", headers: { Location: `${urlOf(api, fake.urls)}${path}` }, times: 1 }));
    const before = fake.requests({ api }).length;
    const jobId = await start();
    const hops = fake.requests({ api }).slice(before);
    expect(hops.map((r) => [r.method, r.route])).toEqual([
      ["POST", "start"],
      ["POST", "start"],
    ]);
    expect(hops[0]!.status).toBe(status);
    expect(hops[1]!.status).toBeLessThan(300);
    expect(hops[1]!.body).toEqual(body);
    expect(jobId).toMatch(/\S/);
  });

  test.each([307, 308])("a %i to another origin sends the POST and body there, without the key", async (status) => {
    const { body, start } = starter(api);
    faults.push(fake.fault({ api, route: "start", status, body: "", headers: { Location: `${otherOrigin}/upload?sig=abc` }, times: 1 }));
    expect(await start()).toBe("elsewhere");
    expect(seen).toHaveLength(1);
    const [request] = seen as [(typeof seen)[number]];
    expect(request).toMatchObject({ method: "POST", url: "/upload?sig=abc" });
    expect(JSON.parse(request.body)).toEqual(body);
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["x-api-key"]).toBeUndefined();
    for (const form of spellingsOf(key())) expect(JSON.stringify(seen)).not.toContain(form);
  });

  test.each([301, 302, 303])("a %i to another origin turns the POST into a GET without the body or the key", async (status) => {
    const { start } = starter(api);
    faults.push(fake.fault({ api, route: "start", status, body: "", headers: { Location: `${otherOrigin}/accepted` }, times: 1 }));
    expect(await start()).toBe("elsewhere");
    expect(seen).toMatchObject([{ method: "GET", url: "/accepted", body: "" }]);
    expect(seen[0]!.headers["content-type"]).toBeUndefined();
    for (const form of spellingsOf(key())) expect(JSON.stringify(seen)).not.toContain(form);
  });
});

describe("Comfy's file view: a 302 to a signed storage URL", () => {
  // Comfy's file view answers 302 to a signed storage URL. fetch drops Authorization on a
  // cross-origin redirect but keeps custom headers such as X-API-Key: the client must not.
  let storage: Server;
  let fake: FakeProviders;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    storage = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "text/plain", "content-length": "3" }).end("PNG");
    });
    await new Promise<void>((resolve) => storage.listen(0, "127.0.0.1", resolve));
    const { port } = storage.address() as AddressInfo;
    fake = await startFakeProviders({ storageOrigin: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await fake.close();
    storage.closeAllConnections();
    await new Promise((resolve) => storage.close(resolve));
  });

  test("a cross-origin redirect is followed without the key", async () => {
    seen.length = 0;
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const { data, response } = await comfy.api.GET("/api/view", { params: { query: { filename: "ComfyUI_0001.png" } }, parseAs: "text" });
    expect(response.status).toBe(200);
    expect(data).toBe("PNG");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.["x-api-key"]).toBeUndefined();
    expect(seen[0]?.authorization).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(fake.keys.comfy);
  });

  test("control: plain fetch following the same redirect does carry X-API-Key", async () => {
    seen.length = 0;
    const response = await fetch(`${fake.urls.comfy}/api/view?filename=x.png`, { headers: { "X-API-Key": fake.keys.comfy } });
    expect(await response.text()).toBe("PNG");
    expect(seen[0]?.["x-api-key"]).toBe(fake.keys.comfy);
  });
});
