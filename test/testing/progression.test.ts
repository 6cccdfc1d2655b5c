import { afterEach, describe, expect, test, vi } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients, DA_STATUS, until } from "./helpers.js";

let fake: FakeProviders | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
});

describe("scripted states on an injected clock (options.now)", () => {
  test("Dify walks waiting, processing, completed", async () => {
    let t = 1_000_000;
    fake = await startFakeProviders({ now: () => t });
    const call = clients(fake);
    const started = await call.dify("/apps/annotation-reply/enable", {
      method: "POST",
      body: JSON.stringify({ score_threshold: 0.8, embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" }),
    });
    expect(started.status).toBe(200);
    const { job_id, job_status } = await body(started);
    expect(job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(job_status).toBe("waiting");
    const seen: string[] = [];
    for (const at of [0, 299, 300, 999, 1000, 60_000]) {
      t = 1_000_000 + at;
      seen.push((await body(await call.dify(`/apps/annotation-reply/enable/status/${job_id}`))).job_status);
    }
    expect(seen).toEqual(["waiting", "waiting", "processing", "processing", "completed", "completed"]);
  });

  test("Comfy reports raw states on /status and mapped ones on /jobs/{id}", async () => {
    let t = 0;
    fake = await startFakeProviders({ now: () => t });
    const call = clients(fake);
    const { prompt_id } = await body(
      await call.comfy("/api/prompt", { method: "POST", body: JSON.stringify({ prompt: { "3": { class_type: "KSampler" } } }) }),
    );
    const pairs: Array<[string, string, boolean]> = [];
    for (const at of [0, 250, 600, 1500]) {
      t = at;
      const raw = await body(await call.comfy(`/api/job/${prompt_id}/status`));
      const detail = await body(await call.comfy(`/api/jobs/${prompt_id}`));
      pairs.push([raw.status, detail.status, "outputs" in detail]);
    }
    expect(pairs).toEqual([
      ["submitted", "pending", false],
      ["queued_waiting", "pending", false],
      ["executing", "in_progress", false],
      ["success", "completed", true],
    ]);
  });

  test("DeepAffects goes Running then Completed with a transcript", async () => {
    let t = 0;
    fake = await startFakeProviders({ now: () => t });
    const call = clients(fake);
    const started = await call.deepaffects("/audio/generic/api/v1/async/asr", {
      method: "POST",
      body: JSON.stringify({ url: "https://example.org/a.flac", encoding: "FLAC", sampleRate: 8000, languageCode: "en-US" }),
    });
    expect(started.status).toBe(202);
    const { request_id, api } = await body(started);
    expect(api).toBe("/audio/generic/api/v1/async/asr");
    const running = await body(await call.deepaffects(DA_STATUS, {}, { request_id }));
    expect(running).toEqual({ status: "Running", response: { request_id, response: null } });
    t = 5000;
    const done = await body(await call.deepaffects(DA_STATUS, {}, { request_id }));
    expect(done.status).toBe("Completed");
    expect(done.response.response.transcript).toBe("Hi! Hello, this is Susan.");
  });
});

describe("vitest fake timers (Date only)", () => {
  test("advancing the mocked clock advances the job", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    fake = await startFakeProviders();
    const call = clients(fake);
    const job = fake.createJob("comfy", {
      script: [{ status: "queued_waiting", forMs: 60_000 }, { status: "executing", forMs: 60_000 }, { status: "success" }],
    });
    expect((await body(await call.comfy(`/api/job/${job.id}/status`))).status).toBe("queued_waiting");
    vi.setSystemTime(new Date("2030-01-01T00:01:30Z"));
    const mid = await body(await call.comfy(`/api/job/${job.id}/status`));
    expect(mid.status).toBe("executing");
    expect(mid.last_state_update).toBe("2030-01-01T00:01:00.000Z");
    vi.setSystemTime(new Date("2030-01-01T00:05:00Z"));
    expect(job.status).toBe("success");
  });
});

describe("real time", () => {
  test("a short script finishes on its own", async () => {
    fake = await startFakeProviders({ defaultScripts: { "dify-chatflow": [{ status: "waiting", forMs: 80 }, { status: "completed" }] } });
    const call = clients(fake);
    // Taken before the start request: the job's script clock starts while that request is served.
    const started = Date.now();
    const { job_id } = await body(
      await call.dify("/apps/annotation-reply/disable", {
        method: "POST",
        body: JSON.stringify({ score_threshold: 0, embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" }),
      }),
    );
    await until(
      async () => (await body(await call.dify(`/apps/annotation-reply/disable/status/${job_id}`))).job_status === "completed",
      2000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });
});

describe("job control", () => {
  test("an instant state, a forced state and a state that goes backwards", async () => {
    fake = await startFakeProviders();
    const call = clients(fake);
    const job = fake.createJob("dify-chatflow", { id: "job-1", status: "completed" });
    expect(job.status).toBe("completed");
    job.setStatus("processing");
    const res = await body(await call.dify("/apps/annotation-reply/enable/status/job-1"));
    expect(res.job_status).toBe("processing");
    job.setStatus("error");
    expect((await body(await call.dify("/apps/annotation-reply/enable/status/job-1"))).error_msg).toBe("Annotation reply job failed.");
    expect(fake.job("dify-chatflow", "job-1")).toBe(job);
    expect(fake.job("dify-completion", "job-1")).toBeUndefined();
    expect(job.requests().map((r) => r.route)).toEqual(["status", "status"]);
  });

  test("createJob rejects contradictory or empty input", async () => {
    fake = await startFakeProviders();
    const f = fake;
    expect(() => f.createJob("comfy", { status: "success", script: [{ status: "success" }] })).toThrow(TypeError);
    expect(() => f.createJob("comfy", { script: [] })).toThrow(TypeError);
    expect(() => f.createJob("nope" as "comfy")).toThrow(TypeError);
  });
});
