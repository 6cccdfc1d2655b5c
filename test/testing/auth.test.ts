import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients, DA_STATUS } from "./helpers.js";

let fake: FakeProviders;
let call: ReturnType<typeof clients>;
beforeAll(async () => {
  fake = await startFakeProviders();
  call = clients(fake);
});
afterAll(() => fake.close());

describe("Dify: Authorization: Bearer <app key>", () => {
  const unauthorized = { status: 401, code: "unauthorized", message: "Access token is invalid" };

  test("right key of the right app answers", async () => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    const res = await call.dify(`/apps/annotation-reply/enable/status/${job.id}`);
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ job_id: job.id, job_status: "completed", error_msg: "" });
  });

  test.each([
    ["wrong key", { Authorization: "Bearer app-not-the-key" }],
    ["missing key", {}],
    ["scheme in other case", { Authorization: `bearer ${"app-fake-dify-chatflow-key"}` }],
    ["key in the wrong header", { "X-API-Key": "app-fake-dify-chatflow-key" }],
  ])("%s gives 401 unauthorized", async (_name, headers) => {
    const job = fake.createJob("dify-chatflow", { status: "completed" });
    const res = await fetch(`${fake.urls.difyChatflow}/apps/annotation-reply/enable/status/${job.id}`, { headers });
    expect(res.status).toBe(401);
    expect(await body(res)).toEqual(unauthorized);
  });

  test("each app has its own key", async () => {
    const job = fake.createJob("dify-completion", { status: "waiting" });
    const wrongApp = await fetch(`${fake.urls.difyCompletion}/apps/annotation-reply/enable/status/${job.id}`, {
      headers: { Authorization: `Bearer ${fake.keys.difyChatflow}` },
    });
    expect(wrongApp.status).toBe(401);
    const rightApp = await call.dify(`/apps/annotation-reply/enable/status/${job.id}`, {}, "completion");
    expect(rightApp.status).toBe(200);
  });

  test("the recorded request carries the bearer header and nothing else", async () => {
    const job = fake.createJob("dify-chatflow", { status: "processing" });
    await call.dify(`/apps/annotation-reply/enable/status/${job.id}`);
    const [seen] = job.requests();
    expect(seen?.headers.authorization).toBe(`Bearer ${fake.keys.difyChatflow}`);
    expect(seen?.headers["x-api-key"]).toBeUndefined();
    expect(seen?.query).toEqual({});
    expect(seen?.status).toBe(200);
  });
});

describe("Comfy Cloud: X-API-Key", () => {
  test("right key answers; wrong, missing and bearer give 401", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    const path = `/api/job/${job.id}/status`;
    expect((await call.comfy(path)).status).toBe(200);
    const attempts: Array<Record<string, string>> = [{ "X-API-Key": "nope" }, {}, { Authorization: `Bearer ${fake.keys.comfy}` }];
    for (const headers of attempts) {
      const res = await fetch(`${fake.urls.comfy}${path}`, { headers });
      expect(res.status).toBe(401);
      const b = await body(res);
      expect(b.code).toBe("unauthorized");
      expect(typeof b.message).toBe("string");
    }
  });

  test("a job of another user gives 403 forbidden, both ways", async () => {
    const theirs = fake.createJob("comfy", { status: "success", owner: "comfyOther" });
    const mine = fake.createJob("comfy", { status: "success" });
    const res = await call.comfy(`/api/job/${theirs.id}/status`);
    expect(res.status).toBe(403);
    expect((await body(res)).code).toBe("forbidden");
    expect((await call.comfy(`/api/jobs/${theirs.id}`)).status).toBe(403);
    expect((await call.comfy(`/api/job/${theirs.id}/status`, {}, fake.keys.comfyOther)).status).toBe(200);
    expect((await call.comfy(`/api/job/${mine.id}/status`, {}, fake.keys.comfyOther)).status).toBe(403);
  });

  test("a job submitted with the other user's key belongs to that user", async () => {
    const res = await call.comfy(
      "/api/prompt",
      { method: "POST", body: JSON.stringify({ prompt: { "1": { class_type: "SaveImage", inputs: {} } } }) },
      fake.keys.comfyOther,
    );
    const { prompt_id } = await body(res);
    expect((await call.comfy(`/api/job/${prompt_id}/status`)).status).toBe(403);
  });

  test("an unknown job gives 404 not_found", async () => {
    const res = await call.comfy("/api/job/does-not-exist/status");
    expect(res.status).toBe(404);
    expect((await body(res)).code).toBe("not_found");
  });
});

describe("DeepAffects: apikey query parameter", () => {
  test("right key answers; wrong and missing give 401 with a gateway fault", async () => {
    const job = fake.createJob("deepaffects", { status: "Running" });
    expect((await call.deepaffects(DA_STATUS, {}, { request_id: job.id })).status).toBe(200);
    const wrong = await fetch(`${fake.urls.deepaffects}${DA_STATUS}?apikey=nope&request_id=${job.id}`);
    expect(wrong.status).toBe(401);
    expect(await body(wrong)).toEqual({
      fault: { faultstring: "Invalid ApiKey", detail: { errorcode: "oauth.v2.InvalidApiKey" } },
    });
    const missing = await fetch(`${fake.urls.deepaffects}${DA_STATUS}?request_id=${job.id}`);
    expect(missing.status).toBe(401);
    expect(await body(missing)).toEqual({
      fault: {
        faultstring: "Failed to resolve API Key variable request.queryparam.apikey",
        detail: { errorcode: "steps.oauth.v2.FailedToResolveAPIKey" },
      },
    });
  });

  test("the key in a header instead of the query gives 401", async () => {
    const job = fake.createJob("deepaffects", { status: "Running" });
    const res = await fetch(`${fake.urls.deepaffects}${DA_STATUS}?request_id=${job.id}`, {
      headers: { apikey: fake.keys.deepaffects, Authorization: `Bearer ${fake.keys.deepaffects}` },
    });
    expect(res.status).toBe(401);
  });

  test("the recorded request has the key in the query only", async () => {
    const job = fake.createJob("deepaffects", { status: "Completed" });
    await call.deepaffects(DA_STATUS, {}, { request_id: job.id });
    const [seen] = fake.requests({ api: "deepaffects", jobId: job.id });
    expect(seen?.query).toEqual({ apikey: fake.keys.deepaffects, request_id: job.id });
    expect(seen?.headers.authorization).toBeUndefined();
  });
});

test("options.keys overrides the accepted keys", async () => {
  const custom = await startFakeProviders({ keys: { comfy: "my-own-comfy-key" } });
  try {
    expect(custom.keys.comfy).toBe("my-own-comfy-key");
    const job = custom.createJob("comfy", { status: "success" });
    const ok = await fetch(`${custom.urls.comfy}/api/job/${job.id}/status`, { headers: { "X-API-Key": "my-own-comfy-key" } });
    expect(ok.status).toBe(200);
    const old = await fetch(`${custom.urls.comfy}/api/job/${job.id}/status`, { headers: { "X-API-Key": fake.keys.comfy } });
    expect(old.status).toBe(401);
  } finally {
    await custom.close();
  }
});
