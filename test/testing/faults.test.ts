import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";
import { body, clients, DA_STATUS } from "./helpers.js";

let fake: FakeProviders;
let call: ReturnType<typeof clients>;
const rules: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders();
  call = clients(fake);
});
afterEach(() => {
  for (const r of rules.splice(0)) r.remove();
});
afterAll(() => fake.close());
const fault = (rule: Parameters<FakeProviders["fault"]>[0]): FaultHandle => {
  const handle = fake.fault(rule);
  rules.push(handle);
  return handle;
};
const comfyStatus = (id: string) => call.comfy(`/api/job/${id}/status`);

describe("status codes and bodies", () => {
  test("a status with an object body, then the normal answer once times runs out", async () => {
    const job = fake.createJob("comfy", { status: "success" });
    const handle = fault({ api: "comfy", route: "status", status: 500, body: { code: "boom", message: "down" }, times: 1 });
    const first = await comfyStatus(job.id);
    expect(first.status).toBe(500);
    expect(await body(first)).toEqual({ code: "boom", message: "down" });
    expect((await comfyStatus(job.id)).status).toBe(200);
    expect(handle.hits).toBe(1);
  });

  test("without a body, each provider answers in its own error shape", async () => {
    fault({ route: "status", status: 503 });
    const dify = fake.createJob("dify-chatflow", { status: "completed" });
    const da = fake.createJob("deepaffects", { status: "Completed" });
    expect(await body(await call.dify(`/apps/annotation-reply/enable/status/${dify.id}`))).toMatchObject({
      status: 503,
      code: "service_unavailable",
    });
    expect(await body(await comfyStatus(fake.createJob("comfy").id))).toMatchObject({ code: "service_unavailable" });
    expect(await body(await call.deepaffects(DA_STATUS, {}, { request_id: da.id }))).toMatchObject({
      type: "api_error",
      message: expect.any(String),
    });
  });

  test("a string body is sent as is; extra headers are added", async () => {
    const job = fake.createJob("comfy", { status: "success" });
    fault({ api: "comfy", status: 502, body: "upstream said no", headers: { "x-request-id": "r-1" } });
    const res = await comfyStatus(job.id);
    expect(res.status).toBe(502);
    expect(res.headers.get("x-request-id")).toBe("r-1");
    expect(await res.text()).toBe("upstream said no");
  });
});

describe("Retry-After in three forms", () => {
  test("seconds", async () => {
    fault({ api: "comfy", route: "status", retryAfter: { seconds: 7 }, times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });
  test("an HTTP date", async () => {
    const date = new Date("2031-05-06T07:08:09Z");
    fault({ api: "comfy", route: "status", status: 503, retryAfter: { date }, times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("Tue, 06 May 2031 07:08:09 GMT");
  });
  test("milliseconds, as retry-after-ms", async () => {
    fault({ api: "comfy", route: "status", retryAfter: { ms: 1500 }, times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after-ms")).toBe("1500");
    expect(res.headers.get("retry-after")).toBeNull();
  });
});

describe("transport faults", () => {
  test("a delay holds the answer back", async () => {
    fault({ api: "comfy", delayMs: 150, times: 1 });
    const started = Date.now();
    const res = await comfyStatus(fake.createJob("comfy", { status: "success" }).id);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test("a hang never answers", async () => {
    const job = fake.createJob("comfy");
    fault({ api: "comfy", jobId: job.id, hang: true });
    await expect(
      fetch(`${fake.urls.comfy}/api/job/${job.id}/status`, {
        headers: { "X-API-Key": fake.keys.comfy },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    const [seen] = job.requests();
    expect(seen?.status).toBeUndefined();
  });

  test("a reset drops the connection", async () => {
    fault({ api: "comfy", reset: true, times: 1 });
    const err = await comfyStatus(fake.createJob("comfy").id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String((err as Error & { cause?: { code?: string } }).cause?.code)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });
});

describe("bad bodies", () => {
  test("malformed JSON", async () => {
    fault({ api: "comfy", malformed: "json", times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  test("an HTML error page", async () => {
    fault({ api: "comfy", status: 502, malformed: "html", times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("<html>");
  });

  test("an empty body", async () => {
    fault({ api: "comfy", malformed: "empty", times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.headers.get("content-length")).toBe("0");
    expect(await res.text()).toBe("");
  });

  test("a truncated body ends the connection early", async () => {
    fault({ api: "comfy", malformed: "truncated", times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test("an oversize body of exactly the asked size", async () => {
    fault({ api: "comfy", oversizeBytes: 3 * 1024 * 1024, times: 1 });
    const res = await comfyStatus(fake.createJob("comfy").id);
    expect(res.headers.get("content-length")).toBe(String(3 * 1024 * 1024));
    const text = await res.text();
    expect(text.length).toBe(3 * 1024 * 1024);
    expect(JSON.parse(text)).toHaveProperty("padding");
  });

  test("an undocumented status value in an otherwise normal answer", async () => {
    const comfy = fake.createJob("comfy", { status: "executing" });
    const dify = fake.createJob("dify-completion", { status: "processing" });
    const da = fake.createJob("deepaffects", { status: "Running" });
    fault({ api: "comfy", route: "status", rawStatus: "cancel_pending" });
    fault({ api: "dify-completion", rawStatus: "paused" });
    fault({ api: "deepaffects", rawStatus: "In Progress" });
    expect(await body(await comfyStatus(comfy.id))).toMatchObject({ id: comfy.id, status: "cancel_pending" });
    expect(await body(await call.dify(`/apps/annotation-reply/enable/status/${dify.id}`, {}, "completion"))).toEqual({
      job_id: dify.id,
      job_status: "paused",
      error_msg: "",
    });
    expect((await body(await call.deepaffects(DA_STATUS, {}, { request_id: da.id }))).status).toBe("In Progress");
    // Auth still applies: a rawStatus rule does not open the door.
    expect((await fetch(`${fake.urls.comfy}/api/job/${comfy.id}/status`)).status).toBe(401);
  });
});

describe("matching", () => {
  test("rules match in insertion order, per job, and can be removed", async () => {
    const a = fake.createJob("comfy", { status: "success" });
    const b = fake.createJob("comfy", { status: "success" });
    fault({ api: "comfy", jobId: a.id, status: 404 });
    const broad = fault({ api: "comfy", route: "*", status: 500 });
    expect((await comfyStatus(a.id)).status).toBe(404);
    expect((await comfyStatus(b.id)).status).toBe(500);
    expect((await call.comfy(`/api/jobs/${b.id}`)).status).toBe(500);
    expect(broad.hits).toBe(2);
    broad.remove();
    expect((await comfyStatus(b.id)).status).toBe(200);
  });

  test("times counts down across requests", async () => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    const handle = fault({ api: "dify-chatflow", route: "status", status: 429, times: 2 });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await call.dify(`/apps/annotation-reply/enable/status/${job.id}`)).status);
    expect(codes).toEqual([429, 429, 200]);
    expect(handle.hits).toBe(2);
  });

  test("a start route fault keyed by a DeepAffects request_id", async () => {
    fault({ api: "deepaffects", route: "start", jobId: "mine", status: 402, times: 1 });
    const res = await call.deepaffects(
      "/audio/generic/api/v1/async/asr",
      { method: "POST", body: JSON.stringify({ url: "https://x" }) },
      { request_id: "mine" },
    );
    expect(res.status).toBe(402);
    expect(fake.job("deepaffects", "mine")).toBeUndefined();
  });

  test("bad rules are refused", () => {
    expect(() => fake.fault({ route: "everything" as "*" })).toThrow(TypeError);
    expect(() => fake.fault({ times: 0 })).toThrow(TypeError);
    expect(() => fake.fault({ malformed: "xml" as "json" })).toThrow(TypeError);
  });
});
