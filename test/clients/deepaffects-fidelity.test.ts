// DeepAffects answers as its developer docs show them (upstream deepaffects/developer-docs/*).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  createDeepAffectsClient,
  createRateLimiter,
  QuotaExceededError,
  RateLimitError,
  type DeepAffectsJobHandle,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders, type FaultHandle } from "../../src/testing.js";

let fake: FakeProviders;
let t = Date.parse("2026-03-01T10:00:00Z");
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders({ now: () => t, rateLimits: { deepaffects: true } });
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

const client = () =>
  createDeepAffectsClient({
    apiKey: fake.keys.deepaffects,
    baseUrl: fake.urls.deepaffects,
    timeoutMs: 2_000,
    limiter: createRateLimiter(),
  });
const audio = { url: "https://example.com/a.wav", encoding: "FLAC", sampleRate: 8000, languageCode: "en-US" };

describe("rate limits as the docs describe them", () => {
  test("a rate_limit error is a transient RateLimitError whatever status it arrives with", async () => {
    for (const status of [429, 400, 403]) {
      faults.push(
        fake.fault({
          api: "deepaffects",
          route: "status",
          status,
          times: 1,
          body: { type: "rate_limit", message: "The request has been rate limited." },
        }),
      );
      const error = await client()
        .getJobStatus("req-1")
        .catch((e: unknown) => e);
      expect(error, `status ${status}`).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).transient).toBe(true);
    }
  });

  test("the fake's own budget answers the documented rate_limit error, without an invented Retry-After", async () => {
    t += 86_400_000;
    const job = fake.createJob("deepaffects", { status: "Running" });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(
        `${fake.urls.deepaffects}/transaction/generic/api/v1/async/status?apikey=${fake.keys.deepaffects}&request_id=${job.id}`,
      );
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(await last!.json()).toEqual({ type: "rate_limit", message: "The request has been rate limited." });
    expect(last!.headers.get("retry-after")).toBeNull();
    const error = await createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects })
      .getJobStatus(job.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
  });

  test("job starts count against their API's minute budget: the sixth start in a minute is refused before it is sent", async () => {
    t += 86_400_000;
    const da = client();
    for (let i = 0; i < 5; i++) await da.start("asr", audio);
    const before = fake.requests({ api: "deepaffects", route: "start" }).length;
    const error = await da.start("asr", audio).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(0);
    expect(fake.requests({ api: "deepaffects", route: "start" })).toHaveLength(before);
    // Another API has its own minute budget.
    await expect(da.start("diarize", audio)).resolves.toMatchObject({ api: "diarize" });
  });

  test("402 over quota is a QuotaExceededError, not retried", async () => {
    faults.push(fake.fault({ api: "deepaffects", route: "status", status: 402, times: 1 }));
    const error = await client()
      .getJobStatus("req-2")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).transient).toBe(false);
  });
});

describe("webhook payloads per API", () => {
  test("the depression API's {request_id, depressed} delivery keeps its result", () => {
    const da = client();
    const handle: DeepAffectsJobHandle = {
      provider: "deepaffects",
      api: "is_depressed",
      jobId: "dep-1",
      startedAt: new Date().toISOString(),
      webhook: true,
    };
    const snapshot = da.fromWebhook!(handle, { request_id: "dep-1", depressed: true });
    expect(snapshot.state).toBe("succeeded");
    expect((snapshot.raw as { response: { response: unknown } }).response.response).toEqual({ depressed: true });
  });
});
