// Every answer the fake providers give (each route, each scripted state, each documented fault) must
// be declared by our OpenAPI documents for its route and status, and match the declared schema.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COMFY_STATES, DEEPAFFECTS_STATES, DIFY_STATES } from "../../src/index.js";
import { startFakeProviders, type FakeApi, type FakeProviders, type FaultRule } from "../../src/testing.js";
import WebSocket from "ws";
import { problemsOf, socketMessageProblems, webhookProblems, type Answer, type DocName } from "./conformance.js";

let fake: FakeProviders;
let limited: FakeProviders;
let hooks: Server;
let hookUrl = "";
const delivered: unknown[] = [];
let t = Date.parse("2026-03-01T10:00:00Z");

beforeAll(async () => {
  fake = await startFakeProviders({ now: () => t, webhookBackoffMs: 10 });
  limited = await startFakeProviders({ rateLimits: { deepaffects: true, comfy: { perMinute: 1 }, "dify-chatflow": { perMinute: 1 } } });
  hooks = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      delivered.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await Promise.all([fake.close(), limited.close()]);
  hooks.closeAllConnections();
  await new Promise((r) => hooks.close(r));
});

const DOC_OF: Record<FakeApi, DocName> = {
  "dify-chatflow": "dify-chatflow",
  "dify-completion": "dify-completion",
  comfy: "comfy-cloud",
  deepaffects: "deepaffects",
};
const base = (f: FakeProviders, api: FakeApi) =>
  api === "dify-chatflow"
    ? f.urls.difyChatflow
    : api === "dify-completion"
      ? f.urls.difyCompletion
      : api === "comfy"
        ? f.urls.comfy
        : f.urls.deepaffects;

interface Call {
  api: FakeApi;
  method?: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  key?: string | null;
  on?: FakeProviders;
}

/** Sends one request the documented way and returns the answer as the client saw it. */
async function hit(call: Call): Promise<Answer> {
  const f = call.on ?? fake;
  const method = call.method ?? "GET";
  const key = call.key === undefined ? keyOf(f, call.api) : call.key;
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const query = new URLSearchParams(call.query);
  if (key !== null) {
    if (call.api === "comfy") headers["X-API-Key"] = key;
    else if (call.api === "deepaffects") query.set("apikey", key);
    else headers["Authorization"] = `Bearer ${key}`;
  }
  const search = query.size > 0 ? `?${query}` : "";
  const res = await fetch(`${base(f, call.api)}${call.path}${search}`, {
    method,
    headers,
    redirect: "manual",
    ...(call.body === undefined ? {} : { body: typeof call.body === "string" ? call.body : JSON.stringify(call.body) }),
  });
  return {
    doc: DOC_OF[call.api],
    method,
    path: call.path,
    status: res.status,
    contentType: res.headers.get("content-type"),
    text: await res.text(),
  };
}

function keyOf(f: FakeProviders, api: FakeApi): string {
  return api === "dify-chatflow"
    ? f.keys.difyChatflow
    : api === "dify-completion"
      ? f.keys.difyCompletion
      : api === "comfy"
        ? f.keys.comfy
        : f.keys.deepaffects;
}

/** Runs calls and collects every problem; `seen` keeps each status met, so a vacuous run shows. */
async function check(calls: Call[], seen: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const call of calls) {
    const answer = await hit(call);
    seen.add(`${call.api} ${answer.method} ${answer.status}`);
    problems.push(...problemsOf(answer));
  }
  return problems;
}

/** Fault rules for the statuses a route documents, answered with the fake's default body for each. */
async function withFaults(api: FakeApi, route: FaultRule["route"], statuses: number[], call: Call, seen: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const status of statuses) {
    const rule = fake.fault({ api, route, status, times: 1 });
    problems.push(...(await check([call], seen)));
    rule.remove();
  }
  return problems;
}

const settings = { score_threshold: 0.9, embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" };

describe.each(["dify-chatflow", "dify-completion"] as const)("%s", (api) => {
  test("every route, state and documented fault answers as the document declares", async () => {
    const seen = new Set<string>();
    const calls: Call[] = [];
    for (const action of ["enable", "disable"]) {
      calls.push({ api, method: "POST", path: `/apps/annotation-reply/${action}`, body: settings });
      calls.push({ api, method: "POST", path: `/apps/annotation-reply/${action}`, body: { score_threshold: 0.9 } });
      calls.push({ api, method: "POST", path: `/apps/annotation-reply/${action}`, body: "not json" });
      calls.push({ api, method: "POST", path: `/apps/annotation-reply/${action}`, body: settings, key: "wrong" });
      for (const status of Object.keys(DIFY_STATES)) {
        const job = fake.createJob(api, { action: action as "enable" | "disable", status, errorMessage: "embedding failed" });
        calls.push({ api, path: `/apps/annotation-reply/${action}/status/${job.id}` });
        calls.push({ api, path: `/apps/annotation-reply/${action === "enable" ? "disable" : "enable"}/status/${job.id}` });
      }
      calls.push({ api, path: `/apps/annotation-reply/${action}/status/0b7e3f0e-0000-4000-8000-000000000000`, key: "wrong" });
    }
    const problems = await check(calls, seen);
    // A job Dify has forgotten (600 s after it ended).
    const ended = fake.createJob(api, { status: "completed" });
    t += 601_000;
    problems.push(...(await check([{ api, path: `/apps/annotation-reply/enable/status/${ended.id}` }], seen)));
    const running = fake.createJob(api, { status: "processing" });
    problems.push(
      ...(await withFaults(
        api,
        "status",
        [400, 401, 403, 429, 500],
        { api, path: `/apps/annotation-reply/enable/status/${running.id}` },
        seen,
      )),
    );
    problems.push(
      ...(await withFaults(
        api,
        "start",
        [400, 401, 403, 429, 500],
        { api, method: "POST", path: "/apps/annotation-reply/enable", body: settings },
        seen,
      )),
    );
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        `${api} GET 200`,
        `${api} GET 400`,
        `${api} GET 401`,
        `${api} POST 200`,
        `${api} POST 400`,
        `${api} POST 401`,
      ]),
    );
  });
});

test("comfy: every route, raw state and documented fault answers as the document declares", async () => {
  const seen = new Set<string>();
  const calls: Call[] = [];
  const workflow = { "1": { class_type: "SaveImage", inputs: {} } };
  calls.push({ api: "comfy", method: "POST", path: "/api/prompt", body: { prompt: workflow } });
  calls.push({ api: "comfy", method: "POST", path: "/api/prompt", body: {} });
  calls.push({ api: "comfy", method: "POST", path: "/api/prompt", body: { prompt: { "1": {} } } });
  calls.push({ api: "comfy", method: "POST", path: "/api/prompt", body: { prompt: workflow }, key: "wrong" });
  calls.push({ api: "comfy", method: "POST", path: "/api/prompt", body: { prompt: workflow }, key: fake.keys.comfyInactive });
  for (const status of Object.keys(COMFY_STATES)) {
    const job = fake.createJob("comfy", { status, errorMessage: "CUDA out of memory" });
    calls.push({ api: "comfy", path: `/api/job/${job.id}/status` }, { api: "comfy", path: `/api/jobs/${job.id}` });
  }
  const mine = fake.createJob("comfy", { status: "executing" });
  const unknown = "0b7e3f0e-0000-4000-8000-000000000000";
  for (const path of [`/api/job/${mine.id}/status`, `/api/jobs/${mine.id}`]) {
    calls.push(
      { api: "comfy", path, key: fake.keys.comfyOther },
      { api: "comfy", path, key: "wrong" },
      { api: "comfy", path, key: fake.keys.comfyInactive },
    );
  }
  calls.push({ api: "comfy", path: `/api/job/${unknown}/status` }, { api: "comfy", path: `/api/jobs/${unknown}` });
  const pending = fake.createJob("comfy", { status: "queued_waiting" });
  calls.push({ api: "comfy", method: "POST", path: "/api/queue", body: { delete: [pending.id, mine.id] } });
  calls.push({ api: "comfy", method: "POST", path: "/api/queue", body: { delete: "x" } });
  calls.push({ api: "comfy", method: "POST", path: "/api/queue", body: { clear: true }, key: "wrong" });
  calls.push(
    { api: "comfy", method: "POST", path: "/api/interrupt" },
    { api: "comfy", method: "POST", path: "/api/interrupt", key: "wrong" },
  );
  calls.push({ api: "comfy", path: "/api/view", query: { filename: "ComfyUI_00001_.png" } }, { api: "comfy", path: "/api/view" });
  const problems = await check(calls, seen);
  const running = fake.createJob("comfy", { status: "executing" });
  problems.push(
    ...(await withFaults("comfy", "status", [401, 403, 404, 500], { api: "comfy", path: `/api/job/${running.id}/status` }, seen)),
  );
  problems.push(
    ...(await withFaults(
      "comfy",
      "start",
      [400, 402, 429, 500, 503],
      { api: "comfy", method: "POST", path: "/api/prompt", body: { prompt: workflow } },
      seen,
    )),
  );
  // The fake's request budget: a 429 with Retry-After, read as a rate limit.
  problems.push(
    ...(await check(
      [1, 2].map(() => ({ api: "comfy" as const, on: limited, path: `/api/job/${limited.createJob("comfy").id}/status` })),
      seen,
    )),
  );
  expect(problems).toEqual([]);
  expect(seen).toContain("comfy GET 429");
  expect(seen).toContain("comfy POST 429");
});

test("deepaffects: every async API, status, documented error and webhook answers as the document declares", async () => {
  const seen = new Set<string>();
  const calls: Call[] = [];
  const { DEEPAFFECTS_ASYNC_APIS } = await import("../../src/testing/deepaffects.js");
  for (const path of DEEPAFFECTS_ASYNC_APIS) {
    const body = path.startsWith("/text/")
      ? { text: "hello there" }
      : { url: "https://example.com/a.wav", encoding: "FLAC", sampleRate: 8000, languageCode: "en-US" };
    calls.push({ api: "deepaffects", method: "POST", path, body, query: { webhook: hookUrl, request_id: `rq-${path}` } });
    calls.push({ api: "deepaffects", method: "POST", path, body: path.startsWith("/text/") ? "x" : {}, query: { webhook: hookUrl } });
    for (const status of [...Object.keys(DEEPAFFECTS_STATES)]) {
      const job = fake.createJob("deepaffects", {
        status,
        deepaffectsApi: path,
        ...(status === "Failed" ? { errorMessage: "audio too short" } : {}),
      });
      calls.push({ api: "deepaffects", path: "/transaction/generic/api/v1/async/status", query: { request_id: job.id } });
    }
  }
  calls.push({ api: "deepaffects", path: "/transaction/generic/api/v1/async/status", query: { request_id: "nope" } });
  calls.push({ api: "deepaffects", path: "/transaction/generic/api/v1/async/status" });
  calls.push({ api: "deepaffects", path: "/transaction/generic/api/v1/async/status", query: { request_id: "nope" }, key: "wrong" });
  calls.push({ api: "deepaffects", path: "/transaction/generic/api/v1/async/status", query: { request_id: "nope" }, key: null });
  const problems = await check(calls, seen);
  const running = fake.createJob("deepaffects", { status: "Running" });
  const status = { api: "deepaffects" as const, path: "/transaction/generic/api/v1/async/status", query: { request_id: running.id } };
  problems.push(...(await withFaults("deepaffects", "status", [400, 401, 402, 404, 500, 502, 503], status, seen)));
  problems.push(
    ...(await check(
      Array.from({ length: 6 }, () => ({ ...status, on: limited })),
      seen,
    )),
  );
  expect(seen).toContain("deepaffects GET 429");
  // Webhooks: every API's delivery, once its job has ended.
  t += 10_000;
  for (const job of fake.requests({ api: "deepaffects", route: "start" }))
    if (job.jobId) fake.job("deepaffects", job.jobId)?.setStatus("Completed");
  const deadline = performance.now() + 3_000;
  while (delivered.length < DEEPAFFECTS_ASYNC_APIS.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(delivered.length).toBeGreaterThanOrEqual(DEEPAFFECTS_ASYNC_APIS.length);
  for (const payload of delivered) problems.push(...webhookProblems("deepaffects", "asyncResult", payload));
  expect(problems).toEqual([]);
});

test("comfy: every message the fake's WebSocket sends is one the document declares for /ws", async () => {
  const live = await startFakeProviders();
  const messages: Array<{ type?: unknown; data?: unknown }> = [];
  try {
    const socket = new WebSocket(`${live.urls.comfy.replace(/^http/, "ws")}/ws?clientId=conformance&token=${live.keys.comfy}`);
    socket.on("message", (data, binary) => {
      if (!binary) messages.push(JSON.parse(String(data)));
    });
    await new Promise((resolve, reject) => socket.on("open", resolve).on("error", reject));
    const ran = live.createJob("comfy", { script: [{ status: "executing", forMs: 150 }, { status: "success" }] });
    live.createJob("comfy", { script: [{ status: "executing", forMs: 100 }, { status: "error" }], errorMessage: "CUDA out of memory" });
    const cancelled = live.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    setTimeout(() => cancelled.setStatus("cancelled"), 100);
    const ends = () => messages.filter((m) => String(m.type).startsWith("execution_") && m.type !== "execution_start").length;
    await expect.poll(ends, { timeout: 5_000 }).toBe(3);
    socket.close();
    expect(ran.status).toBe("success");
  } finally {
    await live.close();
  }
  const types = new Set(messages.map((m) => m.type));
  for (const type of [
    "status",
    "execution_start",
    "executing",
    "progress",
    "executed",
    "execution_success",
    "execution_error",
    "execution_interrupted",
  ])
    expect(types, `the fake sent no ${type}`).toContain(type);
  expect(messages.flatMap(socketMessageProblems)).toEqual([]);
});

describe("the check can fail", () => {
  test("an undeclared status, an undeclared content type and a body off its schema are each reported", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    // Undocumented on purpose: Comfy lists no 503 for the status endpoint, nor an HTML body.
    const rule = fake.fault({ api: "comfy", route: "status", status: 503, times: 1 });
    const undeclared = problemsOf(await hit({ api: "comfy", path: `/api/job/${job.id}/status` }));
    rule.remove();
    expect(undeclared.join()).toMatch(/status not declared/);
    const html = fake.fault({ api: "comfy", route: "detail", status: 500, malformed: "html", times: 1 });
    expect(problemsOf(await hit({ api: "comfy", path: `/api/jobs/${job.id}` })).join()).toMatch(/content type text\/html not declared/);
    html.remove();
    const off = fake.fault({ api: "dify-chatflow", route: "status", rawStatus: "bogus", times: 1 });
    const dify = fake.createJob("dify-chatflow", { status: "processing" });
    expect(problemsOf(await hit({ api: "dify-chatflow", path: `/apps/annotation-reply/enable/status/${dify.id}` })).join()).toMatch(
      /must be equal to one of the allowed values/,
    );
    off.remove();
  });

  test("a socket message off its schema, or of a type the document lacks, is reported", () => {
    const id = "8c89fa2a-691e-4b3b-bdb2-4481016365ad";
    expect(socketMessageProblems({ type: "progress", data: { prompt_id: id, node: "3", value: 1 } }).join()).toMatch(
      /required property 'max'/,
    );
    expect(socketMessageProblems({ type: "executing", data: { prompt_id: id, node: 3 } }).join()).toMatch(/must be string/);
    expect(socketMessageProblems({ type: "job_done", data: { prompt_id: id } }).join()).toMatch(/no schema WebSocketJobDoneMessage/);
  });
});
