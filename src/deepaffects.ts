/** `jobstatus/deepaffects`: the DeepAffects client, its webhook handler and the shared lifecycle. */
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
  type DeepAffectsWebhookPayload,
  type StartOptions,
} from "./providers/deepaffects.js";
export { createWebhookHandler, toNodeListener, type NodeRequestLike, type NodeResponseLike, type WebhookHandlerOptions } from "./lifecycle/webhook.js";

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
