import { afterEach, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients, DA_ASR, DA_STATUS } from "./helpers.js";

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

test("DeepAffects' real budget: 5 a minute per API path, then the documented rate_limit error (429 assumed, no Retry-After)", async () => {
  let t = 0;
  fake = await startFakeProviders({ now: () => t, rateLimits: { deepaffects: true } });
  const call = clients(fake);
  const job = fake.createJob("deepaffects", { status: "Running" });
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) {
    t = i * 1000;
    codes.push((await call.deepaffects(DA_STATUS, {}, { request_id: job.id })).status);
  }
  expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  const limited = await call.deepaffects(DA_STATUS, {}, { request_id: job.id });
  expect(limited.status).toBe(429);
  expect(limited.headers.get("retry-after")).toBeNull();
  expect(await body(limited)).toEqual({ type: "rate_limit", message: "The request has been rate limited." });

  // Another API path has its own budget.
  expect((await call.deepaffects(DA_ASR, { method: "POST", body: JSON.stringify({ url: "https://x" }) })).status).toBe(202);
  // The window slides: once the first call is a minute old, one more fits.
  t = 60_001;
  expect((await call.deepaffects(DA_STATUS, {}, { request_id: job.id })).status).toBe(200);
  expect((await call.deepaffects(DA_STATUS, {}, { request_id: job.id })).status).toBe(429);
});

test("a daily budget outlasts the minute", async () => {
  let t = 0;
  fake = await startFakeProviders({ now: () => t, rateLimits: { deepaffects: { perMinute: 2, perDay: 3 } } });
  const call = clients(fake);
  const job = fake.createJob("deepaffects", { status: "Running" });
  const codes: number[] = [];
  for (const at of [0, 1, 120_000, 240_000]) {
    t = at;
    codes.push((await call.deepaffects(DA_STATUS, {}, { request_id: job.id })).status);
  }
  expect(codes).toEqual([200, 200, 200, 429]);
  const res = await call.deepaffects(DA_STATUS, {}, { request_id: job.id });
  expect(res.status).toBe(429);
  // The day budget is the key's, over every API: a start on another path is over it too.
  expect((await call.deepaffects(DA_ASR, { method: "POST", body: JSON.stringify({ url: "https://x" }) })).status).toBe(429);
});

test("limits apply per key, and to other providers when asked", async () => {
  const t = 0;
  fake = await startFakeProviders({ now: () => t, rateLimits: { comfy: { perMinute: 1 } } });
  const call = clients(fake);
  const mine = fake.createJob("comfy", { status: "success" });
  const theirs = fake.createJob("comfy", { status: "success", owner: "comfyOther" });
  expect((await call.comfy(`/api/job/${mine.id}/status`)).status).toBe(200);
  const limited = await call.comfy(`/api/job/${mine.id}/status`);
  expect(limited.status).toBe(429);
  expect(await body(limited)).toMatchObject({ code: "too_many_requests" });
  expect((await call.comfy(`/api/job/${theirs.id}/status`, {}, fake.keys.comfyOther)).status).toBe(200);
  // Unauthenticated requests are refused before they can spend anyone's budget.
  expect((await fetch(`${fake.urls.comfy}/api/job/${mine.id}/status`)).status).toBe(401);
});
