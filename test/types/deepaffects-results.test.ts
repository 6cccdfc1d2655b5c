/**
 * DeepAffects results typed per API (their docs' shapes): `start` types the handle's api, and
 * `deepAffectsResult` reads a polled or delivered result as that API's, on the fake provider.
 */
import { afterAll, beforeAll, expect, expectTypeOf, test } from "vitest";
import {
  createDeepAffectsClient,
  deepAffectsResult,
  InvalidArgumentError,
  wait,
  type DeepAffectsAsrResult,
  type DeepAffectsEmotionResult,
  type DeepAffectsResults,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ defaultScripts: { deepaffects: [{ status: "Completed" }] } });
});
afterAll(() => fake.close());

const fast = { poll: { initialDelayMs: 10, minIntervalMs: 10, maxIntervalMs: 50 } };
const audio = { url: "https://example.com/call.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 };

test("an asr job's handle names its api, and its result reads as a transcript", async () => {
  const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
  const handle = await da.start("asr", audio);
  expectTypeOf(handle.api).toEqualTypeOf<"asr">();
  const done = await wait(da, handle, { ...fast, throwOnFailure: true });
  const result = deepAffectsResult(done, handle.api);
  expectTypeOf(result).toEqualTypeOf<DeepAffectsAsrResult | undefined>();
  expect(result?.transcript).toBe("Hi! Hello, this is Susan.");
  expect(result?.words[0]).toMatchObject({ word: "Hi", start: 0, end: 1 });
});

test("a result delivered by webhook reads the same way; another API's name is refused", () => {
  const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
  const handle = {
    provider: "deepaffects",
    api: "recognise_emotion",
    jobId: "req-1",
    startedAt: new Date().toISOString(),
    webhook: true,
  } as const;
  const delivered = da.fromWebhook!(handle, { request_id: "req-1", response: [{ emotion: "joy", start: 0, end: 3 }] });
  const emotions = deepAffectsResult(delivered, "recognise_emotion");
  expectTypeOf(emotions).toEqualTypeOf<DeepAffectsEmotionResult | undefined>();
  expect(emotions?.[0]?.emotion).toBe("joy");
  expect(() => deepAffectsResult(delivered, "asr")).toThrow(InvalidArgumentError);
  expect(() => deepAffectsResult(delivered, "asr")).toThrow('this snapshot is of a "recognise_emotion" job, not "asr"');
});

test("no result before the job has succeeded", async () => {
  const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
  const job = fake.createJob("deepaffects", { status: "Running" });
  const snapshot = await da.status({ provider: "deepaffects", api: "asr", jobId: job.id, startedAt: new Date().toISOString() });
  expect(snapshot.state).toBe("running");
  expect(deepAffectsResult(snapshot, "asr")).toBeUndefined();
});

test("every API has an entry; the depression API's status result is not documented", () => {
  expectTypeOf<keyof DeepAffectsResults>().toEqualTypeOf<keyof typeof import("../../src/index.js").DEEPAFFECTS_APIS>();
  expectTypeOf<DeepAffectsResults["is_depressed"]>().toBeUnknown();
  expectTypeOf<DeepAffectsResults["punctuate"]["punctuated_texts"]>().toEqualTypeOf<string[]>();
  // @ts-expect-error a diarization result has no transcript
  expectTypeOf<DeepAffectsResults["diarize"]["transcript"]>();
});
