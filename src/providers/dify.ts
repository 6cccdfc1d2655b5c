/**
 * Dify annotation reply, on a Chatflow or a Completion app (each app has its own key and document).
 * Auth: `Authorization: Bearer KEY`. A missing job is a 400 `invalid_param`, which we report as NotFound.
 */
import type { Client, Middleware } from "openapi-fetch";
import type { components as ChatflowComponents, paths as ChatflowPaths } from "../../generated/dify-chatflow.js";
import type { paths as CompletionPaths } from "../../generated/dify-completion.js";
import type { RetryInit } from "../core/retry.js";
import { createProviderHttp, type ClientOptions, type ErrorAnswer, type ErrorBody } from "../core/client.js";
import {
  InvalidArgumentError,
  JobExpiredError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  type APIError,
} from "../core/errors.js";
import { parseRetryAfter } from "../core/retry-after.js";
import { createNormalizer, isKnownStatus, rateKeyFor } from "../core/normalize.js";
import { makeSnapshot, type DifyJobHandle, type JobProvider, type JobSnapshot, type StateTable, type StatusInit } from "../core/state.js";
import { requireJobId, requireOneOf } from "../core/validate.js";

type Schemas = ChatflowComponents["schemas"];
/** The kind of Dify app whose API key is used: both serve the annotation-reply job. */
export type DifyApp = "chatflow" | "completion";
/** What the annotation-reply job does: turn annotation reply on (with its settings) or off. */
export type DifyAction = "enable" | "disable";
/** The body of `GET /apps/annotation-reply/{action}/status/{job_id}`: `job_id`, `job_status`, `error_msg`. */
export type DifyJobStatus = Schemas["AnnotationReplyJobStatus"];
/** The body of `POST /apps/annotation-reply/{action}`: the new job's `job_id` and first `job_status`. */
export type DifyJobStarted = Schemas["AnnotationReplyJob"];
/** The body of `POST /apps/annotation-reply/{action}`: `score_threshold` and the embedding model to match with. */
export type AnnotationReplySettings = Schemas["AnnotationReplySettings"];
/** The generated OpenAPI paths of the app's document (openapi/dify-chatflow.yaml or dify-completion.yaml). */
export type DifyPaths<A extends DifyApp> = A extends "completion" ? CompletionPaths : ChatflowPaths;

/** Dify's `job_status` values and what each means. Anything else is `unknown`. */
export const DIFY_STATES = {
  waiting: "queued",
  processing: "running",
  completed: "succeeded",
  error: "failed",
} as const satisfies StateTable;

/**
 * How long Dify keeps an ended job's status: its annotation-reply tasks store the outcome with
 * `setex(..., 600, ...)` (langgenius/dify api/tasks/annotation/enable_annotation_reply_task.py and
 * disable_annotation_reply_task.py); afterwards the status call answers 400 "The job does not exist.".
 */
export const DIFY_JOB_STATUS_TTL_MS = 600_000;
/** Without `timeoutMs`, a wait on a Dify job gives up after this long (our choice: annotation jobs take seconds to minutes). */
export const DIFY_DEFAULT_WAIT_MS = 30 * 60_000;
const MAX_REMEMBERED_JOBS = 1_000;
/** A `job_status` Dify sends: one of {@link DIFY_STATES}, or a string not seen yet (its state is `unknown`). */
export type DifyRawStatus = keyof typeof DIFY_STATES | (string & {});
/** What one Dify annotation-reply status check saw: the body as `raw`, its `job_status` as `rawStatus`. */
export type DifySnapshot = JobSnapshot<DifyJobStatus, DifyJobHandle, DifyRawStatus>;

const APPS = ["chatflow", "completion"] as const;
const ACTIONS = ["enable", "disable"] as const;
const STATUS_PATH = "/apps/annotation-reply/{action}/status/{job_id}";
const CONFIGURE_PATH = "/apps/annotation-reply/{action}";

export interface DifyClientOptions<A extends DifyApp = DifyApp> extends ClientOptions {
  /** Which app's API the key belongs to (default "chatflow"). */
  app?: A;
}

export interface DifyClient<A extends DifyApp = "chatflow"> extends JobProvider<DifyJobHandle, DifyJobStatus, DifyRawStatus> {
  readonly provider: "dify";
  readonly app: A;
  /** The full typed openapi-fetch client of the app's document, with auth applied. */
  readonly api: Client<DifyPaths<A>>;
  /** `GET /apps/annotation-reply/{action}/status/{job_id}`: the typed body, or a typed error. */
  getJobStatus(action: DifyAction, jobId: string, init?: RetryInit): Promise<DifyJobStatus>;
  /** `POST /apps/annotation-reply/{action}`: starts the job and returns its handle. */
  configureAnnotationReply(action: DifyAction, settings: AnnotationReplySettings, init?: StatusInit): Promise<DifyJobHandle>;
}

const readError = (body: unknown): ErrorBody => body as ErrorBody;

/**
 * Dify's errors guide (upstream dify/service/errors-guide.en.md, "Rate Limits and Quotas"): 429
 * `rate_limit_error` is a plan quota that retrying will not clear, unlike `too_many_requests`; 403
 * `forbidden` is an access restriction or a plan limit, and only its message says which.
 */
function difyError({ status, error, head, details }: ErrorAnswer): APIError | undefined {
  if (status === 429 && error.code === "rate_limit_error") {
    return new QuotaExceededError(
      `${head}. A Dify plan quota is used up: it clears when the quota period resets or the plan changes, not by retrying.`,
      details,
    );
  }
  if (status === 403) {
    return new PermissionDeniedError(
      `${head}. Dify refused the call for an access restriction or a plan limit (the message says which); retrying will not help.`,
      details,
    );
  }
  return undefined;
}

const bearer = (apiKey: string): Middleware => {
  const value = `Bearer ${apiKey}`;
  return {
    onRequest({ request }) {
      request.headers.set("Authorization", value);
    },
  };
};

const normalize = /* @__PURE__ */ createNormalizer(DIFY_STATES);

/**
 * A client for one Dify app's annotation-reply job.
 * @example
 * const dify = createDifyClient({ apiKey: process.env.DIFY_API_KEY!, app: "chatflow" });
 * const handle = await dify.configureAnnotationReply("enable", { score_threshold: 0.9, embedding_provider_name: "openai", embedding_model_name: "text-embedding-3-small" });
 * const body = await dify.getJobStatus("enable", handle.jobId);
 */
export function createDifyClient<A extends DifyApp = "chatflow">(options: DifyClientOptions<A>): DifyClient<A> {
  const app = requireOneOf(options?.app ?? "chatflow", APPS, "app", "dify") as A;
  const http = createProviderHttp<ChatflowPaths>(
    {
      provider: "dify",
      displayName: `Dify (${app} app)`,
      envName: "DIFY_API_KEY",
      defaultBaseUrl: "https://api.dify.ai/v1",
      auth: bearer,
      readError,
      isMissingJob: (status, error) => status === 400 && error.code === "invalid_param" && /not exist/i.test(error.message ?? ""),
      errorFor: difyError,
    },
    options,
  );
  const { api } = http;

  function check(body: DifyJobStatus): DifyJobStatus {
    if (!http.strict) return body;
    if (!isKnownStatus(DIFY_STATES, body.job_status)) {
      throw http.invalid(
        `GET ${STATUS_PATH}`,
        `with job_status ${http.quote(body.job_status)}, not one of ${Object.keys(DIFY_STATES).join(", ")}`,
      );
    }
    if (body.job_id !== undefined && typeof body.job_id !== "string")
      throw http.invalid(`GET ${STATUS_PATH}`, "with a job_id that is not a string");
    if (body.error_msg != null && typeof body.error_msg !== "string")
      throw http.invalid(`GET ${STATUS_PATH}`, "with an error_msg that is not a string");
    return body;
  }

  // Jobs this client has seen alive: a later "does not exist" for one of them means Dify forgot it.
  const seen = new Set<string>();
  const remember = (key: string) => {
    seen.delete(key);
    seen.add(key);
    if (seen.size > MAX_REMEMBERED_JOBS) seen.delete(seen.values().next().value!);
  };

  async function requestStatus(action: DifyAction, jobId: string, init?: StatusInit, startedAt?: string) {
    const path = { action: requireOneOf(action, ACTIONS, "action", "dify"), job_id: requireJobId(jobId, "dify") };
    const key = `${path.action}:${path.job_id}`;
    try {
      const { data, response } = await http.call(`GET ${STATUS_PATH}`, init, (send) => api.GET(STATUS_PATH, { params: { path }, ...send }));
      remember(key);
      return { body: check(data), response };
    } catch (error) {
      throw expired(error, seen.has(key), startedAt);
    }
  }

  /** A "does not exist" for a job we know existed is Dify forgetting it, not a wrong id. */
  function expired(error: unknown, seenBefore: boolean, startedAt: string | undefined): unknown {
    if (!(error instanceof NotFoundError)) return error;
    const age = startedAt === undefined ? NaN : Date.now() - Date.parse(startedAt);
    const reason = seenBefore ? "seen-before" : age > DIFY_JOB_STATUS_TTL_MS ? "older-than-ttl" : undefined;
    if (reason === undefined) return error;
    const why = reason === "seen-before" ? "this client saw the job before" : `the job was started ${Math.round(age / 60_000)} min ago`;
    return new JobExpiredError(
      `${error.message} Dify keeps a job's status only ${DIFY_JOB_STATUS_TTL_MS / 60_000} minutes after it ends and ${why}: it has most likely ended, perhaps successfully. Check the app's annotation reply setting instead of the job.`,
      { provider: "dify", status: error.status, code: error.code, requestId: error.requestId, operation: error.operation, reason },
    );
  }

  async function getJobStatus(action: DifyAction, jobId: string, init?: RetryInit): Promise<DifyJobStatus> {
    return (await requestStatus(action, jobId, init)).body;
  }

  function checkHandle(handle: unknown): DifyJobHandle {
    const h = handle as Partial<DifyJobHandle> | null;
    if (!h || h.provider !== "dify" || h.app !== app) {
      throw new InvalidArgumentError(
        `dify: this handle is not for the Dify ${app} app this client talks to; use the client of its provider and app.`,
        { provider: "dify" },
      );
    }
    requireOneOf(h.action, ACTIONS, "handle.action", "dify");
    requireJobId(h.jobId, "dify", "handle.jobId");
    return h as DifyJobHandle;
  }

  return {
    provider: "dify",
    app,
    api: api as unknown as Client<DifyPaths<A>>,
    rateKey: rateKeyFor("dify", http.apiKey),
    // Annotation reply jobs take seconds, and Dify is often self-hosted: check early, cap the interval low.
    pollDefaults: { initialDelayMs: 1_000, maxIntervalMs: 30_000, defaultTimeoutMs: DIFY_DEFAULT_WAIT_MS },
    rateBudgets: [],
    normalize,
    kindOf: (handle) => `dify:${handle.action}`,
    checkHandle,
    getJobStatus,
    async configureAnnotationReply(action, settings, init) {
      const valid = requireOneOf(action, ACTIONS, "action", "dify");
      // Dify documents a float and its server checks no range (api/controllers/service_api/app/annotation.py).
      if (!settings || typeof settings.score_threshold !== "number" || !Number.isFinite(settings.score_threshold)) {
        throw new InvalidArgumentError("dify: settings.score_threshold must be a number (a similarity from 0 to 1, such as 0.9).", {
          provider: "dify",
        });
      }
      // Dify validates the whole body before it looks at the action, so `disable` needs them too.
      for (const field of ["embedding_provider_name", "embedding_model_name"] as const) {
        if (typeof settings[field] !== "string" || settings[field].trim() === "") {
          throw new InvalidArgumentError(
            `dify: settings.${field} is required (a non-empty string), also for "disable": Dify answers 400 without it.`,
            { provider: "dify" },
          );
        }
      }
      const startedAt = new Date().toISOString();
      const { data } = await http.call(`POST ${CONFIGURE_PATH}`, init, (send) =>
        api.POST(CONFIGURE_PATH, { params: { path: { action: valid } }, body: settings, ...send }),
      );
      if (typeof data.job_id !== "string" || data.job_id === "") throw http.invalid(`POST ${CONFIGURE_PATH}`, "without a job_id");
      return { provider: "dify", app, action: valid, jobId: data.job_id, startedAt };
    },
    async status(handle, init): Promise<DifySnapshot> {
      checkHandle(handle);
      const { body, response } = await requestStatus(handle.action, handle.jobId, init, handle.startedAt);
      return makeSnapshot(handle, normalize(body.job_status), http.redact(body.job_status), body, {
        errorMessage: http.redact(body.error_msg),
        retryAfterMs: parseRetryAfter(response.headers),
      });
    },
  };
}
