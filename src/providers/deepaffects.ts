/**
 * DeepAffects async APIs (speech, text, video): start a job, poll the shared status endpoint, or
 * receive the result by webhook. Auth: the `apikey` query parameter on every call, which is why
 * every error is built from redacted text and never from a URL.
 */
import type { Client, Middleware } from "openapi-fetch";
import type { components, paths } from "../../generated/deepaffects.js";
import type { RetryInit } from "../core/retry.js";
import { createProviderHttp, type ClientOptions, type ErrorAnswer, type ErrorBody } from "../core/client.js";
import { InvalidArgumentError, QuotaExceededError, RateLimitError, type APIError } from "../core/errors.js";
import { createNormalizer, rateKeyFor } from "../core/normalize.js";
import { parseRetryAfter } from "../core/retry-after.js";
import {
  makeSnapshot,
  type DeepAffectsJobHandle,
  type JobProvider,
  type JobSnapshot,
  type RateBudget,
  type StateTable,
  type StatusInit,
} from "../core/state.js";
import { requireHttpUrl, requireJobId, requireOneOf } from "../core/validate.js";

type Schemas = components["schemas"];
/** The body of `GET /transaction/generic/api/v1/async/status`: `status`, and the result in `response.response`. */
export type DeepAffectsJobStatus = Schemas["AsyncStatusResponse"];
/** The 202 body an async API answers with when it accepts a job: `request_id` and `api`. */
export type DeepAffectsAccepted = Schemas["AsyncAccepted"];
/** What DeepAffects POSTs to the webhook URL when a job ends: `request_id` and the API's `response`. */
export type DeepAffectsWebhookPayload = Schemas["WebhookPayload"];
/** The generated OpenAPI paths of openapi/deepaffects.yaml, as `client.api` is typed. */
export type DeepAffectsPaths = paths;

/** The async APIs by name, and the path that starts each. */
export const DEEPAFFECTS_APIS = {
  asr: "/audio/generic/api/v1/async/asr",
  diarize: "/audio/generic/api/v2/async/diarize",
  recognise_emotion: "/audio/generic/api/v2/async/recognise_emotion",
  interaction_analytics: "/audio/generic/api/v1/async/analytics/interaction",
  identify_speakers: "/audio/generic/api/v2/async/diarization/identify",
  vad: "/audio/generic/api/v1/async/vad",
  denoise: "/audio/generic/api/v2/async/denoise",
  featurize: "/audio/generic/api/v1/async/featurize",
  is_depressed: "/audio/custom/ellipsis/api/v1/async/is_depressed",
  summary: "/text/generic/api/v1/async/summary",
  punctuate: "/text/generic/api/v1/async/punctuate",
  videochapters: "/video/generic/api/alpha/async/videochapters",
} as const satisfies Record<string, keyof paths>;

/** The name of an async API, such as `asr`, `diarize` or `recognise_emotion`. */
export type DeepAffectsApi = keyof typeof DEEPAFFECTS_APIS;
type StartPath<N extends DeepAffectsApi> = (typeof DEEPAFFECTS_APIS)[N];
/** The request body of one async API, from our document. */
export type DeepAffectsBody<N extends DeepAffectsApi> = paths[StartPath<N>] extends {
  post: { requestBody?: { content: { "application/json": infer B } } };
}
  ? B
  : never;

/**
 * Status values and what each means. Matching ignores case, spaces, `_` and `-`, and any status
 * that mentions "progress" is running, as SeerNet's own client assumes.
 */
export const DEEPAFFECTS_STATES = {
  Running: "running",
  "In Progress": "running",
  Completed: "succeeded",
  Failed: "failed",
} as const satisfies StateTable;

/**
 * A `status` DeepAffects sends: one of {@link DEEPAFFECTS_STATES}, or another spelling or a string not
 * seen yet (matched loosely, else its state is `unknown`).
 */
export type DeepAffectsRawStatus = keyof typeof DEEPAFFECTS_STATES | (string & {});
/** What one DeepAffects status check (or webhook delivery) saw: the status body as `raw`, its `status` as `rawStatus`. */
export type DeepAffectsSnapshot = JobSnapshot<DeepAffectsJobStatus, DeepAffectsJobHandle, DeepAffectsRawStatus>;

const STATUS_PATH = "/transaction/generic/api/v1/async/status";

/**
 * Without `timeoutMs`, a wait on a DeepAffects job gives up after this long. DeepAffects documents no
 * processing time; six hours is our choice (long recordings, and polls spaced by the 100 a day budget).
 */
export const DEEPAFFECTS_DEFAULT_WAIT_MS = 6 * 60 * 60_000;

/** "5 requests per minute to each API", "capped at 100 requests per day" (developer-docs concepts.md, "Rate Limiting"). */
const MINUTE_BUDGET: RateBudget = { requests: 5, intervalMs: 60_000 };
const DAY_BUDGET: RateBudget = { requests: 100, intervalMs: 86_400_000 };

/** The part of a rate limiter (`createRateLimiter()`) that job starts take their slots from. */
export interface StartBudgetLimiter {
  /** Takes a slot of every budget at `now` and returns `now`, or takes nothing and returns when to ask again. */
  acquire(key: string, budgets: readonly RateBudget[], now: number): number;
  /** Gives a slot back when its request has ended at `at`. */
  release(key: string, budgets: readonly RateBudget[], at: number): void;
}

/** Options of `createDeepAffectsClient`. */
export interface DeepAffectsClientOptions extends ClientOptions {
  /**
   * The limiter whose budgets job starts count against, shared with the waits that use it (default:
   * the process-wide one). A start takes a slot of its API's minute budget and of the key's day budget.
   */
  limiter?: StartBudgetLimiter;
}

/** Options of `deepaffects.start`, besides the request's signal and time limit. */
export interface StartOptions extends StatusInit {
  /** Where DeepAffects should POST `{request_id, response}` when the job ends (its docs ask for one on every call). */
  webhook?: string;
  /** Your own id for the job; DeepAffects makes one when absent. */
  requestId?: string;
}

export interface DeepAffectsClient extends JobProvider<DeepAffectsJobHandle, DeepAffectsJobStatus, DeepAffectsRawStatus> {
  readonly provider: "deepaffects";
  /** The full typed openapi-fetch client of our DeepAffects document, with auth applied. */
  readonly api: Client<paths>;
  /** `GET /transaction/generic/api/v1/async/status`: the typed body (with the result once done), or a typed error. */
  getJobStatus(requestId: string, init?: RetryInit): Promise<DeepAffectsJobStatus>;
  /**
   * Starts an async API by name (`asr`, `diarize`, `recognise_emotion`, ...) and returns the job's
   * handle, its `api` typed as that name (for `deepAffectsResult`).
   */
  start<N extends DeepAffectsApi>(api: N, body: DeepAffectsBody<N>, options?: StartOptions): Promise<DeepAffectsJobHandle & { api: N }>;
}

/** Either documented error body: the gateway's `{fault: {faultstring, detail: {errorcode}}}` or `{type, message}` (errors.md). */
const readError = (body: unknown): ErrorBody => {
  const typed = body as { fault?: { faultstring?: unknown; detail?: { errorcode?: unknown } }; type?: unknown; message?: unknown } | null;
  const fault = typed?.fault;
  if (!fault && typeof typed?.type === "string") return { code: typed.type, message: typed.message as string | undefined };
  return { code: fault?.detail?.errorcode as string | undefined, message: fault?.faultstring as string | undefined };
};

/**
 * A `rate_limit` error is a rate limit whatever status it comes with (concepts.md: "you will receive a
 * `rate_limit` error response", no status given); `queued` asks to "try this request again in a few
 * minutes" (errors.md). 402 is "Over plan quota on this endpoint": retrying does not clear it.
 */
function deepaffectsError({ status, error, response, head, details }: ErrorAnswer): APIError | undefined {
  if (error.code === "rate_limit" || error.code === "queued") {
    const retryAfterMs = parseRetryAfter(response.headers);
    const when = retryAfterMs === undefined ? "later" : `in ${Math.ceil(retryAfterMs / 1000)} s`;
    const why =
      error.code === "queued" ? "DeepAffects queued the lookup" : "DeepAffects allows 5 requests a minute to each API and 100 a day";
    return new RateLimitError(`${head}. ${why}: try again ${when} (a wait retries this by itself).`, { ...details, retryAfterMs });
  }
  if (status === 402) {
    return new QuotaExceededError(
      `${head}. Over the plan's quota on this endpoint: retrying will not help until the quota allows it.`,
      details,
    );
  }
  return undefined;
}

// Rebuilds a Request with the key in its query: for a redirect hop back home (its Location has no key)
// and a direct `api` call with its own query serializer. Our own calls get the key from `authQuery`.
const apiKeyQuery = (apiKey: string): Middleware => ({
  onRequest({ request }) {
    const url = new URL(request.url);
    url.searchParams.set("apikey", apiKey);
    return new Request(url, request);
  },
});

const normalize = /* @__PURE__ */ createNormalizer(DEEPAFFECTS_STATES, (raw) => {
  const folded = raw.toLowerCase().replace(/[\s_-]+/g, "");
  return folded.includes("progress") ? "inprogress" : folded;
});

function failureMessage(body: DeepAffectsJobStatus): string | undefined {
  const inner: unknown = body.response?.response;
  if (typeof inner === "string") return inner;
  if (inner && typeof inner === "object") {
    const { message, error } = inner as { message?: unknown; error?: unknown };
    if (typeof message === "string") return message;
    if (typeof error === "string") return error;
  }
  return undefined;
}

/** The error text of a delivered result that holds nothing but an error note; undefined otherwise. */
function failureOnly(inner: unknown): string | undefined {
  if (!inner || typeof inner !== "object" || Array.isArray(inner)) return undefined;
  const keys = Object.keys(inner);
  if (keys.length === 0 || keys.some((k) => k !== "error" && k !== "message")) return undefined;
  const { error, message } = inner as { error?: unknown; message?: unknown };
  return typeof error === "string" ? error : typeof message === "string" ? message : undefined;
}

/**
 * A DeepAffects client. The provider allows 5 requests a minute per API and 100 a day, so waits on
 * one key share a rate budget; prefer webhooks, with polling as a slow fallback.
 * @example
 * const da = createDeepAffectsClient({ apiKey: process.env.DEEPAFFECTS_API_KEY! });
 * const handle = await da.start("asr", { url: "https://example.com/call.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 });
 * const status = await da.getJobStatus(handle.jobId);
 */
export function createDeepAffectsClient(options: DeepAffectsClientOptions): DeepAffectsClient {
  const http = createProviderHttp<paths>(
    {
      provider: "deepaffects",
      displayName: "DeepAffects",
      envName: "DEEPAFFECTS_API_KEY",
      defaultBaseUrl: "https://proxy.api.deepaffects.com",
      // The key goes in by openapi-fetch's query serializer; the middleware only puts it back on a redirect hop.
      auth: apiKeyQuery,
      authQuery: "apikey",
      readError,
      errorFor: deepaffectsError,
    },
    options,
  );
  const { api } = http;
  const apiNames = Object.keys(DEEPAFFECTS_APIS) as DeepAffectsApi[];
  const rateKey = rateKeyFor("deepaffects", http.apiKey);
  const limiter = options.limiter;

  /**
   * A slot of the API's minute budget and of the key's day budget (the one polls share), or a
   * RateLimitError before anything is sent. Returns what gives the slots back when the request ends.
   */
  function takeStartSlot(which: DeepAffectsApi): () => void {
    if (!limiter) return () => {};
    const minuteKey = `${rateKey}:start:${which}`;
    const now = Date.now();
    const dayAt = limiter.acquire(rateKey, [DAY_BUDGET], now);
    const minuteAt = dayAt > now ? dayAt : limiter.acquire(minuteKey, [MINUTE_BUDGET], now);
    if (minuteAt > now) {
      // The day slot was taken but no request is sent: giving it back counts it as one ended now (the safe side).
      if (dayAt <= now) limiter.release(rateKey, [DAY_BUDGET], now);
      const waitS = Math.ceil((minuteAt - now) / 1000);
      throw new RateLimitError(
        `DeepAffects POST ${DEEPAFFECTS_APIS[which]} was not sent: DeepAffects allows 5 requests a minute to each API and 100 a day, and this key has used them (or is paused after a rate_limit). Try again in ${waitS} s.`,
        { provider: "deepaffects", operation: `POST ${DEEPAFFECTS_APIS[which]}`, code: "rate_limit", retryAfterMs: minuteAt - now },
      );
    }
    return () => {
      const at = Date.now();
      limiter.release(rateKey, [DAY_BUDGET], at);
      limiter.release(minuteKey, [MINUTE_BUDGET], at);
    };
  }

  async function requestStatus(requestId: string, init?: StatusInit) {
    const request_id = requireJobId(requestId, "deepaffects", "requestId");
    const { data, response } = await http.call(`GET ${STATUS_PATH}`, init, (send) =>
      api.GET(STATUS_PATH, { params: { query: { request_id } }, ...send }),
    );
    if (http.strict && (typeof data.status !== "string" || (data.response != null && typeof data.response !== "object"))) {
      throw http.invalid(`GET ${STATUS_PATH}`, "with a body not shaped {status: string, response: {request_id, response}}");
    }
    return { body: data, response };
  }

  function checkHandle(handle: unknown): DeepAffectsJobHandle {
    const h = handle as Partial<DeepAffectsJobHandle> | null;
    if (!h || h.provider !== "deepaffects") {
      throw new InvalidArgumentError("deepaffects: this handle is not a DeepAffects job's; use the client of its provider.", {
        provider: "deepaffects",
      });
    }
    requireOneOf(h.api, apiNames, "handle.api", "deepaffects");
    requireJobId(h.jobId, "deepaffects", "handle.jobId");
    return h as DeepAffectsJobHandle;
  }

  return {
    provider: "deepaffects",
    api,
    rateKey,
    // 5 requests a minute per key: one poll every 12 s at the very most, and slower by default.
    pollDefaults: { initialDelayMs: 15_000, minIntervalMs: 12_000, maxIntervalMs: 120_000, defaultTimeoutMs: DEEPAFFECTS_DEFAULT_WAIT_MS },
    rateBudgets: [MINUTE_BUDGET, DAY_BUDGET],
    normalize,
    kindOf: (handle) => `deepaffects:${handle.api}`,
    checkHandle,
    async getJobStatus(requestId, init) {
      return (await requestStatus(requestId, init)).body;
    },
    async start(name, body, startOptions = {}) {
      const which = requireOneOf(name, apiNames, "api", "deepaffects") as typeof name;
      if (!body || typeof body !== "object")
        throw new InvalidArgumentError(`deepaffects: ${which} needs a request body object.`, { provider: "deepaffects" });
      const webhook = startOptions.webhook === undefined ? undefined : requireHttpUrl(startOptions.webhook, "webhook", "deepaffects");
      const request_id =
        startOptions.requestId === undefined ? undefined : requireJobId(startOptions.requestId, "deepaffects", "requestId");
      const path = DEEPAFFECTS_APIS[which] as (typeof DEEPAFFECTS_APIS)["asr"];
      const startedAt = new Date().toISOString();
      const release = takeStartSlot(which);
      let data: DeepAffectsAccepted;
      try {
        ({ data } = await http.call(`POST ${path}`, startOptions, (send) =>
          // The provider's pages list `webhook` as required; without one, polling is how the result arrives.
          api.POST(path, { params: { query: { webhook: webhook as string, request_id } }, body: body as DeepAffectsBody<"asr">, ...send }),
        ));
      } finally {
        release();
      }
      if (typeof data.request_id !== "string" || data.request_id === "") throw http.invalid(`POST ${path}`, "without a request_id");
      return { provider: "deepaffects", api: which, jobId: data.request_id, startedAt, ...(webhook ? { webhook: true } : {}) };
    },
    fromWebhook(handle, payload) {
      const delivery = payload as Partial<DeepAffectsWebhookPayload> | null;
      if (!delivery || typeof delivery !== "object" || delivery.request_id !== handle.jobId) {
        throw http.invalid("webhook", "with a payload that is not {request_id, response} for this job");
      }
      // A delivery is sent when the job has ended, well or not. One whose result is only an error note
      // ({error} or {message}, as a Failed status body carries it) is a failure. Shaped like a status
      // body so readers of `raw.response.response` find the result whichever way it arrived.
      // The depression API delivers `{request_id, depressed}`: the payload itself is its result.
      const { request_id: _id, ...rest } = delivery as Record<string, unknown>;
      const result = "response" in delivery ? delivery.response : rest;
      const failure = failureOnly(result);
      const status = failure === undefined ? "Completed" : "Failed";
      const raw: DeepAffectsJobStatus = { status, response: { request_id: delivery.request_id, response: result } };
      return makeSnapshot(handle, failure === undefined ? "succeeded" : "failed", undefined, raw, { errorMessage: http.redact(failure) });
    },
    async status(handle, init): Promise<DeepAffectsSnapshot> {
      checkHandle(handle);
      const { body, response } = await requestStatus(handle.jobId, init);
      const state = normalize(body.status);
      return makeSnapshot(handle, state, http.redact(body.status), body, {
        errorMessage: state === "failed" ? http.redact(failureMessage(body)) : undefined,
        retryAfterMs: parseRetryAfter(response.headers),
      });
    },
  };
}
