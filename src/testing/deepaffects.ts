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

/** Gateway (Apigee) error codes the real proxy uses, per HTTP status. */
const FAULT_CODES: Record<number, string> = {
  400: "params_invalid",
  401: "oauth.v2.InvalidApiKey",
  402: "policies.ratelimit.QuotaViolation",
  404: "messaging.adaptors.http.flow.ApplicationNotFound",
  429: "policies.ratelimit.QuotaViolation",
  500: "api_error",
  502: "messaging.adaptors.http.flow.BadGateway",
  503: "messaging.adaptors.http.flow.ServiceUnavailable",
  504: "messaging.adaptors.http.flow.GatewayTimeout",
};

export function gatewayFault(status: number, faultstring?: string, errorcode?: string): Reply {
  const body: DeepAffects.GatewayFault = {
    fault: {
      faultstring: faultstring ?? statusText(status).message,
      detail: { errorcode: errorcode ?? FAULT_CODES[status] ?? "api_error" },
    },
  };
  return { status, body };
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
  if (api.endsWith("/summary")) return { summary: "A short call about feedback." };
  return {};
}

/** `response.response` of a job at a status: the result once completed, an error note once failed, else null. */
export function deepaffectsResult(job: JobRecord, status: string): unknown {
  if (status === "Completed") return job.result !== undefined ? job.result : defaultDeepAffectsResult(job.deepaffectsApi);
  if (status === "Failed" && job.errorMessage !== undefined) return { error: job.errorMessage };
  return null;
}

export function deepaffectsProvider(ctx: KitContext): Provider {
  const start = (api: string, body: ParsedBody, query: URLSearchParams): Reply => {
    if (body.kind !== "json" || !isPlainObject(body.value)) {
      return gatewayFault(400, "Request body must be a JSON object.", "params_invalid");
    }
    // Media APIs take the media either inline or by URL, never both.
    if (!api.startsWith("/text/")) {
      const hasContent = typeof body.value["content"] === "string";
      const hasUrl = typeof body.value["url"] === "string";
      if (hasContent === hasUrl) return gatewayFault(400, "Give exactly one of content or url.", "params_invalid");
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
    if (!requestId) return gatewayFault(400, "request_id is required.", "params_invalid");
    const job = ctx.jobs.get("deepaffects", requestId);
    if (!job) return { ...gatewayFault(404, "Request not found.", "unknown_route"), jobId: requestId };
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
    error: (code, message) => gatewayFault(code, message),
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
