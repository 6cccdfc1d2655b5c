/**
 * `jobstatus/testing`: fake Dify, Comfy Cloud and DeepAffects servers for your own tests.
 *
 * One real `node:http` server on 127.0.0.1 serves every job endpoint of the four APIs, with each
 * provider's auth rules, scripted job states, injectable faults, rate limits and webhooks.
 * It works with real time and with vitest fake timers (the clock is read on every request).
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, expect, test } from "vitest";
 * import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
 *
 * let fake: FakeProviders;
 * beforeAll(async () => { fake = await startFakeProviders(); });
 * afterAll(() => fake.close());
 *
 * test("my app reads a finished Comfy job", async () => {
 *   const job = fake.createJob("comfy", { status: "success" });
 *   const res = await fetch(`${fake.urls.comfy}/api/job/${job.id}/status`, {
 *     headers: { "X-API-Key": fake.keys.comfy },
 *   });
 *   expect((await res.json()).status).toBe("success");
 * });
 * ```
 *
 * Each fake follows its provider's documented endpoints, auth, states, error bodies and limits
 * (see the per-provider pages), and serves them under its own path prefix of one origin: use
 * `fake.urls.<api>` as a client's `baseUrl` and `fake.keys.<api>` as its `apiKey`.
 * Comfy Cloud's WebSocket is there too, at `fake.urls.comfy` with `ws:` and `/ws?clientId=..&token=..`;
 * `fake.comfySockets` drops, closes and disturbs its connections.
 *
 * @module jobstatus/testing
 */

import { startFakeProviders as start } from "./testing/server.js";
import type { FakeProviders, FakeProvidersOptions } from "./testing/types.js";

/**
 * Starts the fake providers on a free port of 127.0.0.1 and resolves once they listen.
 * Always `close()` the result (for example in `afterAll`).
 *
 * @example
 * ```ts
 * const fake = await startFakeProviders({ cors: true, rateLimits: { deepaffects: true } });
 * const client = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
 * // ... exercise your code ...
 * await fake.close();
 * ```
 */
export function startFakeProviders(options?: FakeProvidersOptions): Promise<FakeProviders> {
  return start(options);
}

/**
 * The default API keys the fake providers accept (override with `options.keys`).
 *
 * @example
 * ```ts
 * const fake = await startFakeProviders();
 * fake.keys.comfy === DEFAULT_KEYS.comfy; // true
 * ```
 */
export { DEFAULT_KEYS } from "./testing/server.js";

/**
 * Default job scripts per API, used by the start routes: each job ends in about 1-2 s.
 *
 * @example
 * ```ts
 * const fast = await startFakeProviders({
 *   defaultScripts: { comfy: [{ status: "executing", forMs: 50 }, { status: "success" }] },
 * });
 * DEFAULT_SCRIPTS.deepaffects; // [{ status: "Running", forMs: 1200 }, { status: "Completed" }]
 * ```
 */
export { DEFAULT_SCRIPTS } from "./testing/jobs.js";

/**
 * The DeepAffects async API paths the fake serves (`POST <path>?apikey=..&webhook=..`).
 *
 * @example
 * ```ts
 * for (const path of DEEPAFFECTS_ASYNC_APIS) {
 *   await fetch(`${fake.urls.deepaffects}${path}?apikey=${fake.keys.deepaffects}`, { method: "POST", body: "{}" });
 * }
 * ```
 */
export { DEEPAFFECTS_ASYNC_APIS } from "./testing/deepaffects.js";

/**
 * Maps a raw Comfy Cloud state (as `GET /api/job/{id}/status` sends it) to the user-facing one of
 * `GET /api/jobs/{id}`: pending, in_progress, completed, failed or cancelled.
 *
 * @example
 * ```ts
 * comfyDetailStatus("queued_waiting"); // "pending"
 * comfyDetailStatus("non_retryable_error"); // "failed"
 * ```
 */
export { comfyDetailStatus } from "./testing/comfy.js";

/**
 * Types of the kit.
 *
 * @example
 * ```ts
 * const rule: FaultRule = { api: "comfy", route: "status", status: 429, retryAfter: { seconds: 2 }, times: 1 };
 * const steps: ScriptStep[] = [{ status: "waiting", forMs: 100 }, { status: "completed" }];
 * ```
 */
export type {
  FakeApi,
  FakeComfySockets,
  FakeJob,
  FakeJobInit,
  FakeKeys,
  FakeProviders,
  FakeProvidersOptions,
  FakeRoute,
  FakeUrls,
  FaultHandle,
  FaultRule,
  RateLimit,
  RecordedRequest,
  RecordedRoute,
  RequestFilter,
  RetryAfter,
  ScriptStep,
  WebhookDelivery,
} from "./testing/types.js";
