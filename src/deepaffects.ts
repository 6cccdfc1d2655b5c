/**
 * `jobstatus/deepaffects`: the DeepAffects client, its webhook handler and the shared lifecycle
 * (`wait`, `watch`, `createWatcher`, the errors), and no other provider's code.
 *
 * **DeepAffects** (by SeerNet) offers speech, text and video analysis. Each of its async APIs
 * ({@link DEEPAFFECTS_APIS}: `asr`, `diarize`, `recognise_emotion`, `summary`, ...) starts a job
 * that one shared status endpoint reports, and that ends with a webhook.
 *
 * - **Endpoints:** `POST <the API's path>?webhook=<url>` starts a job and answers 202 with its
 *   `request_id`; `GET /transaction/generic/api/v1/async/status?request_id=...` reports any job,
 *   with the result in `response` once it ended. When a job ends, DeepAffects POSTs
 *   `{ request_id, response }` to the webhook URL (and retries); {@link createWebhookHandler}
 *   receives it and ends the job's wait. Base URL `https://proxy.api.deepaffects.com`.
 * - **Auth:** the `apikey` query parameter on every call; it never appears in an error, a log line
 *   or a printed URL.
 * - **Limits:** 5 requests a minute and 100 a day per key; every wait and watcher of one key shares
 *   those budgets, and a 429 pauses every job of the key.
 * - **States** ({@link DEEPAFFECTS_STATES}): `Running` and `In Progress` are running, `Completed`
 *   succeeded, `Failed` failed; matching ignores case, spaces, `_` and `-`.
 * - **Polling:** the first check after 15 s, then at least 12 s apart; while a webhook is
 *   expected, a slow fallback poll (every 60 s by default).
 *
 * @example
 * ```ts
 * import { createDeepAffectsClient, createWatcher } from "jobstatus/deepaffects";
 *
 * const deepaffects = createDeepAffectsClient({ apiKey: process.env.DEEPAFFECTS_API_KEY! });
 * const watcher = createWatcher(); // give it to createWebhookHandler({ watcher, token }) too
 * const handle = await deepaffects.start("asr", body, { webhook: `https://hooks.example.com/deepaffects?token=${token}` });
 * const done = await watcher.add(deepaffects, handle).result;
 * ```
 *
 * @module jobstatus/deepaffects
 */
export * from "./shared-exports.js";
import { createDeepAffectsClient as createClient, type DeepAffectsClient, type DeepAffectsClientOptions } from "./providers/deepaffects.js";
import { sharedRateLimiter } from "./lifecycle/limiter.js";
export {
  DEEPAFFECTS_DEFAULT_WAIT_MS,
  DEEPAFFECTS_APIS,
  DEEPAFFECTS_STATES,
  type DeepAffectsAccepted,
  type DeepAffectsApi,
  type DeepAffectsBody,
  type DeepAffectsClient,
  type DeepAffectsClientOptions,
  type StartBudgetLimiter,
  type DeepAffectsJobStatus,
  type DeepAffectsPaths,
  type DeepAffectsRawStatus,
  type DeepAffectsSnapshot,
  type DeepAffectsWebhookPayload,
  type StartOptions,
} from "./providers/deepaffects.js";
export {
  createWebhookHandler,
  toNodeListener,
  type NodeRequestLike,
  type NodeResponseLike,
  type WebhookHandlerOptions,
} from "./lifecycle/webhook.js";
export {
  deepAffectsResult,
  type DeepAffectsAsrResult,
  type DeepAffectsChaptersResult,
  type DeepAffectsDenoiseResult,
  type DeepAffectsDiarizeResult,
  type DeepAffectsEmotionResult,
  type DeepAffectsFeaturizeResult,
  type DeepAffectsIdentifyResult,
  type DeepAffectsInteractionResult,
  type DeepAffectsPunctuateResult,
  type DeepAffectsResults,
  type DeepAffectsSpeakerSegment,
  type DeepAffectsSpeakerValue,
  type DeepAffectsSummaryResult,
  type DeepAffectsSummarySegment,
  type DeepAffectsTimedSegment,
  type DeepAffectsVadResult,
  type DeepAffectsWord,
} from "./providers/deepaffects-results.js";

/**
 * A DeepAffects client. The provider allows 5 requests a minute to each API and 100 a day: job starts
 * and the waits' polls take their slots from the same limiter (by default the process-wide one), so
 * a start over budget fails with a RateLimitError before anything is sent. Prefer webhooks, with
 * polling as a slow fallback.
 * @example
 * const da = createDeepAffectsClient({ apiKey: process.env.DEEPAFFECTS_API_KEY! });
 * const handle = await da.start("asr", { url: "https://example.com/call.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 });
 * const status = await da.getJobStatus(handle.jobId);
 */
export function createDeepAffectsClient(options: DeepAffectsClientOptions): DeepAffectsClient {
  return createClient({ limiter: sharedRateLimiter, ...options });
}
