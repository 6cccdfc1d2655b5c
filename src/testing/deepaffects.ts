import { randomUUID } from "node:crypto";
import { isPlainObject, type ParsedBody, type Reply } from "./http.js";
import type { JobRecord } from "./jobs.js";
import { statusText, type KitContext, type Principal, type Provider } from "./provider.js";
import type { DeepAffects } from "./wire.js";

/** The async APIs listed in upstream NOTES.md. */
export const DEEPAFFECTS_ASYNC_APIS: readonly string[] = [
  "/audio/generic/api/v1/async/asr",
  "/audio/generic/api/v2/async/diarize",
  "/audio/generic/api/v2/async/recognise_emotion",
  "/audio/generic/api/v1/async/analytics/interaction",
  "/audio/generic/api/v2/async/diarization/identify",
  "/audio/generic/api/v1/async/vad",
  "/audio/generic/api/v2/async/denoise",
  "/audio/generic/api/v1/async/featurize",
  "/audio/custom/ellipsis/api/v1/async/is_depressed",
  "/text/generic/api/v1/async/summary",
  "/text/generic/api/v1/async/punctuate",
  "/video/generic/api/alpha/async/videochapters",
];

const STATUS_PATH = "/transaction/generic/api/v1/async/status";

/**
 * The documented error types per HTTP status (errors.md, "Error types": "JSON with a type and optional
 * message"). Which status carries `rate_limit` or `queued` is not documented.
 */
const ERROR_TYPES: Record<number, string> = {
  400: "params_invalid",
  404: "unknown_route",
  500: "api_error",
  502: "api_error",
  503: "api_error",
  504: "api_error",
};

/** `{type, message}`, the error body errors.md describes. */
export function typedError(status: number, message?: string, type?: string): Reply {
  const body: DeepAffects.TypedError = { type: type ?? ERROR_TYPES[status] ?? "api_error", message: message ?? statusText(status).message };
  return { status, body };
}

/** The gateway's `{fault}` body, as errors.md's example shows for an invalid key. */
export function gatewayFault(status: number, faultstring?: string, errorcode?: string): Reply {
  const body: DeepAffects.GatewayFault = {
    fault: { faultstring: faultstring ?? statusText(status).message, detail: { errorcode: errorcode ?? "oauth.v2.InvalidApiKey" } },
  };
  return { status, body };
}

/** The error body for a status: the gateway's fault for 401 and 402, the documented `{type, message}` otherwise. */
function deepaffectsError(status: number, message?: string): Reply {
  if (status === 401) return gatewayFault(401, message ?? "Invalid ApiKey", "oauth.v2.InvalidApiKey");
  // 402 "Over plan quota on this endpoint" has no documented body: the gateway's shape is our assumption.
  if (status === 402) return gatewayFault(402, message ?? "Over plan quota on this endpoint.", "over_quota");
  return typedError(status, message);
}

/** A plausible result body per API, for jobs created without `result`. */
export function defaultDeepAffectsResult(api: string): unknown {
  if (api.endsWith("/asr")) {
    const words = [
      ["1", 0, 1, "Hi"],
      ["2", 1.2, 2, "Hello"],
      ["2", 2, 2.6, "this"],
      ["2", 2.6, 3, "is"],
      ["2", 3, 4, "Susan"],
    ].map(([speaker_id, start, end, word]) => ({ speaker_id, start, end, word, confidence: 0.97 }));
    return { num_speakers: 2, confidence: 0.97, transcript: "Hi! Hello, this is Susan.", words };
  }
  if (api.endsWith("/diarize") || api.endsWith("/diarization/identify")) {
    return {
      num_speakers: 2,
      segments: [
        { speaker_id: "speaker1", start: 0, end: 1 },
        { speaker_id: "speaker2", start: 1.2, end: 4 },
      ],
    };
  }
  if (api.endsWith("/recognise_emotion")) {
    return [
      { emotion: "happy", start: 0, end: 3 },
      { emotion: "neutral", start: 3, end: 6 },
    ];
  }
  if (api.endsWith("/punctuate")) return { punctuated_texts: ["So it's more fluid than it is."] };
  if (api.endsWith("/is_depressed")) return { depressed: false };
  if (api.endsWith("/denoise")) return { url: "https://time-limited.wav", sampleRate: 8000, encoding: "FLAC", languageCode: "en-US" };
  if (api.endsWith("/vad")) return { segments: [{ tag: "speech", start: 0, end: 1 }] };
  if (api.endsWith("/summary")) return { summary: "A short call about feedback." };
  return {};
}

/** `response.response` of a job at a status: the result once completed, an error note once failed, else null. */
export function deepaffectsResult(job: JobRecord, status: string): unknown {
  if (status === "Completed") return job.result !== undefined ? job.result : defaultDeepAffectsResult(job.deepaffectsApi);
  if (status === "Failed" && job.errorMessage !== undefined) return { error: job.errorMessage };
  return null;
}

/** What the webhook receives: `{request_id, response}`, except the depression API's `{request_id, depressed}` (its own page). */
export function webhookPayload(job: JobRecord, status: string): DeepAffects.WebhookPayload {
  const result = deepaffectsResult(job, status);
  if (job.deepaffectsApi.endsWith("/is_depressed") && isPlainObject(result)) return { ...result, request_id: job.id };
  return { request_id: job.id, response: result };
}

/**
 * DeepAffects' async APIs and job status.
 *
 * | Behaviour | Source |
 * |---|---|
 * | `apikey` query parameter; a wrong key is 401 `{fault: {faultstring: "Invalid ApiKey", detail: {errorcode: "oauth.v2.InvalidApiKey"}}}` | deepaffects/developer-docs/errors.md, "Example error response"; authentication.md |
 * | No `apikey` at all: 401 `steps.oauth.v2.FailedToResolveAPIKey` | assumption (the usual answer of the Apigee gateway the example comes from) |
 * | Async start answers 202 `{request_id, api}`; `request_id` echoes the caller's or is generated | each API page, "Output Parameters (Async)" |
 * | Media APIs take exactly one of `content` or `url` | asr-api.md and the other audio pages, "Body Parameters" |
 * | Other errors: `{type, message}` with `params_invalid` (400), `unknown_route` (404), `api_error` (50X) | errors.md, "HTTP Status codes" and "Error types" |
 * | 402 over quota with a `{fault}` body | status: errors.md; body: assumption |
 * | Status `{status, response: {request_id, response}}`, status `Running`, `Completed` or `Failed` | job-status-api.md, "Output" and "Output Parameters" |
 * | An unknown `request_id` on the status endpoint: 404 | assumption (errors.md: 404 "The resource does not exist.") |
 * | With `rateLimits: {deepaffects: true}`: 5 a minute to each API path, 100 a day per key; over it a `rate_limit` error, 429, no Retry-After | concepts.md, "Rate Limiting"; the 429 status is an assumption |
 * | Webhook: POST `{request_id, response}`, for is_depressed `{request_id, depressed}`; up to 5 tries with exponential backoff until a 200 | each API page, "Webhook" output; concepts.md, "Webhooks" |
 * | Webhooks go only to loopback hosts | test-kit safety; the docs say the opposite ("DO NOT use LOCALHOST", faq.md) |
 */
export function deepaffectsProvider(ctx: KitContext): Provider {
  const start = (api: string, body: ParsedBody, query: URLSearchParams): Reply => {
    if (body.kind !== "json" || !isPlainObject(body.value)) {
      return typedError(400, "Request body must be a JSON object.");
    }
    // Media APIs take the media either inline or by URL, never both.
    if (!api.startsWith("/text/")) {
      const hasContent = typeof body.value["content"] === "string";
      const hasUrl = typeof body.value["url"] === "string";
      if (hasContent === hasUrl) return typedError(400, "Give exactly one of content or url.");
    }
    const requestId = query.get("request_id") || randomUUID();
    const webhook = query.get("webhook") || undefined;
    const job = ctx.jobs.create("deepaffects", {
      id: requestId,
      deepaffectsApi: api,
      ...(webhook ? { webhook } : {}),
    });
    ctx.jobTouched(job);
    const answer: DeepAffects.AsyncAccepted = { request_id: job.id, api };
    return { status: 202, body: answer, jobId: job.id };
  };

  const status = (requestId: string | null): Reply => {
    if (!requestId) return typedError(400, "request_id is required.");
    const job = ctx.jobs.get("deepaffects", requestId);
    if (!job) return { ...typedError(404, "The resource does not exist."), jobId: requestId };
    ctx.jobTouched(job);
    const { status: current } = ctx.jobs.state(job);
    const body: DeepAffects.AsyncStatusResponse = {
      status: current,
      response: { request_id: job.id, response: deepaffectsResult(job, current) },
    };
    return { status: 200, body, jobId: job.id };
  };

  return {
    api: "deepaffects",
    prefix: "/deepaffects",
    statusField: "status",
    error: deepaffectsError,
    // "Once you go over the rate limit you will receive a `rate_limit` error response" (concepts.md);
    // the status 429 is our assumption, and no source shows a Retry-After header.
    rateLimited: () => typedError(429, "The request has been rate limited.", "rate_limit"),
    match(method, parts, query) {
      const path = `/${parts.join("/")}`;
      if (method === "POST" && DEEPAFFECTS_ASYNC_APIS.includes(path)) {
        const requestId = query.get("request_id") || undefined;
        return { route: "start", ...(requestId ? { jobId: requestId } : {}), run: (i) => start(path, i.body, i.query) };
      }
      if (method === "GET" && path === STATUS_PATH) {
        const requestId = query.get("request_id");
        return { route: "status", ...(requestId ? { jobId: requestId } : {}), run: () => status(requestId) };
      }
      return undefined;
    },
    authenticate(_req, query): Principal | Reply {
      const sent = query.get("apikey");
      if (sent === null) {
        return gatewayFault(401, "Failed to resolve API Key variable request.queryparam.apikey", "steps.oauth.v2.FailedToResolveAPIKey");
      }
      if (sent !== ctx.keys.deepaffects) return gatewayFault(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey");
      return { key: sent, user: "main" };
    },
  };
}
