import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEEPAFFECTS_ASYNC_APIS, startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients, DA_ASR, DA_STATUS } from "./helpers.js";

let fake: FakeProviders;
let call: ReturnType<typeof clients>;
beforeAll(async () => {
  fake = await startFakeProviders({ storageOrigin: "http://127.0.0.1:9/bucket" });
  call = clients(fake);
});
afterAll(() => fake.close());

describe("Dify annotation reply", () => {
  const embedding = { embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" };
  test.each([
    ["no field at all", {}, "score_threshold"],
    ["no embedding fields, which disable needs too", { score_threshold: 0.5 }, "embedding_provider_name"],
    [
      "a null embedding model",
      { score_threshold: 0.5, embedding_provider_name: "openai", embedding_model_name: null },
      "embedding_model_name",
    ],
    ["score_threshold that is no float", { score_threshold: "high", ...embedding }, "score_threshold"],
  ])("%s gives 400 invalid_param naming the field, as Dify's reqparse does", async (_name, settings, param) => {
    for (const action of ["enable", "disable"]) {
      const res = await call.dify(`/apps/annotation-reply/${action}`, { method: "POST", body: JSON.stringify(settings) });
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ status: 400, code: "invalid_param", params: param });
    }
  });

  test("Dify sets no range on score_threshold", async () => {
    const res = await call.dify("/apps/annotation-reply/enable", {
      method: "POST",
      body: JSON.stringify({ score_threshold: 1.5, ...embedding }),
    });
    expect(res.status).toBe(200);
  });

  test("a body that is not JSON, or an unknown action, gives 400", async () => {
    expect((await call.dify("/apps/annotation-reply/enable", { method: "POST", body: "score_threshold=1" })).status).toBe(400);
    const res = await call.dify("/apps/annotation-reply/toggle", {
      method: "POST",
      body: JSON.stringify({ score_threshold: 1, ...embedding }),
    });
    expect(res.status).toBe(400);
    expect(await body(res)).toMatchObject({ code: "invalid_param", message: "Unsupported annotation reply action" });
  });

  test("an unknown job, or a job asked under the other action, does not exist", async () => {
    const notFound = { status: 400, code: "invalid_param", message: "The job does not exist." };
    expect(await body(await call.dify("/apps/annotation-reply/enable/status/nope"))).toEqual(notFound);
    const job = fake.createJob("dify-chatflow", { action: "disable", status: "completed" });
    expect(await body(await call.dify(`/apps/annotation-reply/enable/status/${job.id}`))).toEqual(notFound);
    expect((await call.dify(`/apps/annotation-reply/disable/status/${job.id}`)).status).toBe(200);
  });

  test("dot segments are not resolved: an encoded .. is a job id, not a step up", async () => {
    // fetch itself would resolve %2E%2E, so send the raw path with node:http.
    const path = "/dify/chatflow/v1/apps/annotation-reply/enable/status/%2E%2E";
    const answer = await new Promise<{ status?: number; text: string }>((resolve, reject) => {
      const { hostname, port } = new URL(fake.origin);
      const headers = { Authorization: `Bearer ${fake.keys.difyChatflow}` };
      const req = request({ hostname, port, path, headers }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode, text }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ code: "invalid_param", message: "The job does not exist." });
    const [seen] = fake.requests({ api: "dify-chatflow", jobId: ".." });
    expect(seen?.path).toBe(path);
  });

  test("an encoded slash stays inside the job id", async () => {
    fake.createJob("dify-chatflow", { id: "a/b", status: "completed" });
    const res = await call.dify(`/apps/annotation-reply/enable/status/${encodeURIComponent("a/b")}`);
    expect((await body(res)).job_id).toBe("a/b");
  });
});

describe("Comfy Cloud", () => {
  test("a prompt must be an object of nodes with a class_type, answered as ComfyUI's post_prompt does", async () => {
    const missing = await call.comfy("/api/prompt", { method: "POST", body: JSON.stringify({}) });
    expect(missing.status).toBe(400);
    expect(await body(missing)).toEqual({ error: "no prompt", node_errors: [] });
    for (const sent of [{ prompt: [] }, { prompt: "x" }, { prompt: { "1": {} } }]) {
      const res = await call.comfy("/api/prompt", { method: "POST", body: JSON.stringify(sent) });
      expect(res.status).toBe(400);
      expect((await body(res)).error.type).toBe("invalid_prompt");
    }
    const ok = await body(
      await call.comfy("/api/prompt", {
        method: "POST",
        body: JSON.stringify({ prompt: { "1": { class_type: "SaveImage", inputs: {} } } }),
      }),
    );
    expect(ok).toEqual({ prompt_id: expect.any(String), number: expect.any(Number), node_errors: {} });
  });

  test("a failed job carries error_message and execution_error", async () => {
    const job = fake.createJob("comfy", { status: "non_retryable_error", errorMessage: "CUDA out of memory" });
    const raw = await body(await call.comfy(`/api/job/${job.id}/status`));
    expect(raw).toMatchObject({ id: job.id, status: "non_retryable_error", error_message: "CUDA out of memory" });
    const detail = await body(await call.comfy(`/api/jobs/${job.id}`));
    expect(detail.status).toBe("failed");
    expect(detail.execution_error.exception_message).toBe("CUDA out of memory");
    expect(detail.outputs).toEqual({});
  });

  test("a given result becomes the outputs", async () => {
    const outputs = { "12": { gifs: [{ filename: "clip.mp4", subfolder: "", type: "output" }] } };
    const job = fake.createJob("comfy", { status: "success", result: outputs });
    const detail = await body(await call.comfy(`/api/jobs/${job.id}`));
    expect(detail).toMatchObject({ status: "completed", outputs, outputs_count: 1 });
  });

  test("the queue cancels pending jobs of the caller only", async () => {
    const pending = fake.createJob("comfy", { status: "queued_waiting" });
    const running = fake.createJob("comfy", { status: "executing" });
    const theirs = fake.createJob("comfy", { status: "queued_limited", owner: "comfyOther" });
    const res = await call.comfy("/api/queue", { method: "POST", body: JSON.stringify({ delete: [pending.id, running.id, theirs.id] }) });
    expect(await body(res)).toEqual({ deleted: [pending.id], cleared: false });
    expect([pending.status, running.status, theirs.status]).toEqual(["cancelled", "executing", "queued_limited"]);
    expect((await body(await call.comfy(`/api/jobs/${pending.id}`))).status).toBe("cancelled");
    expect(pending.requests().map((r) => r.route)).toEqual(["cancel", "detail"]);
  });

  test("clear cancels every pending job; interrupt cancels running ones; bad bodies are 400", async () => {
    const a = fake.createJob("comfy", { status: "submitted" });
    expect((await body(await call.comfy("/api/queue", { method: "POST", body: JSON.stringify({ clear: true }) }))).cleared).toBe(true);
    expect(a.status).toBe("cancelled");
    const b = fake.createJob("comfy", { status: "executing" });
    expect((await call.comfy("/api/interrupt", { method: "POST" })).status).toBe(200);
    expect(b.status).toBe("cancelled");
    for (const sent of [{ delete: "x" }, { clear: "yes" }, { purge: true }]) {
      expect((await call.comfy("/api/queue", { method: "POST", body: JSON.stringify(sent) })).status).toBe(400);
    }
  });

  test("the file view redirects to the storage origin", async () => {
    const res = await call.comfy("/api/view?filename=ComfyUI_00001_.png");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:9\/bucket\/signed\/ComfyUI_00001_\.png\?/);
    expect((await call.comfy("/api/view")).status).toBe(400);
    expect((await fetch(`${fake.urls.comfy}/api/view?filename=a.png`, { redirect: "manual" })).status).toBe(401);
  });

  test("by default the redirect lands on the kit's own keyless storage", async () => {
    const own = await startFakeProviders();
    try {
      const res = await fetch(`${own.urls.comfy}/api/view?filename=a.png`, { headers: { "X-API-Key": own.keys.comfy } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      const storage = own.requests({ route: "storage" });
      expect(storage).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe("DeepAffects", () => {
  test("every async API answers 202 and honours request_id and webhook", async () => {
    for (const path of DEEPAFFECTS_ASYNC_APIS) {
      const media = path.startsWith("/text/") ? { texts: ["hello"] } : { content: "UklGRg==" };
      const res = await call.deepaffects(path, { method: "POST", body: JSON.stringify(media) }, { request_id: `id-${path}` });
      expect(res.status).toBe(202);
      expect(await body(res)).toEqual({ request_id: `id-${path}`, api: path });
    }
    expect(fake.job("deepaffects", "id-/audio/generic/api/v2/async/diarize")).toBeDefined();
  });

  test("media APIs need exactly one of content or url", async () => {
    for (const media of [{}, { content: "a", url: "https://x" }]) {
      const res = await call.deepaffects(DA_ASR, { method: "POST", body: JSON.stringify(media) });
      expect(res.status).toBe(400);
      expect((await body(res)).type).toBe("params_invalid");
    }
  });

  test("unknown request ids give 404, a missing one 400, an unknown path 404", async () => {
    const unknown = await call.deepaffects(DA_STATUS, {}, { request_id: "nope" });
    expect(unknown.status).toBe(404);
    expect(await body(unknown)).toMatchObject({ type: "unknown_route" });
    expect((await call.deepaffects(DA_STATUS)).status).toBe(400);
    expect((await call.deepaffects("/audio/generic/api/v9/async/nothing", { method: "POST", body: "{}" })).status).toBe(404);
  });

  test("a failed job and a custom result", async () => {
    const failed = fake.createJob("deepaffects", { status: "Failed", errorMessage: "audio too short" });
    expect(await body(await call.deepaffects(DA_STATUS, {}, { request_id: failed.id }))).toEqual({
      status: "Failed",
      response: { request_id: failed.id, response: { error: "audio too short" } },
    });
    const emotion = fake.createJob("deepaffects", { status: "Completed", deepaffectsApi: "/audio/generic/api/v2/async/recognise_emotion" });
    const done = await body(await call.deepaffects(DA_STATUS, {}, { request_id: emotion.id }));
    expect(done.response.response[0]).toHaveProperty("emotion");
    const custom = fake.createJob("deepaffects", { status: "Completed", result: { transcript: "mine" } });
    expect((await body(await call.deepaffects(DA_STATUS, {}, { request_id: custom.id }))).response.response).toEqual({
      transcript: "mine",
    });
  });
});
