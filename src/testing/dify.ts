import type { IncomingMessage } from "node:http";
import { isPlainObject, type ParsedBody, type Reply } from "./http.js";
import type { JobRecord } from "./jobs.js";
import { statusText, type KitContext, type Principal, type Provider } from "./provider.js";
import type { Dify } from "./wire.js";

type DifyApi = "dify-chatflow" | "dify-completion";

const NOT_FOUND = "The job does not exist.";
/** Dify stores an ended job's status with `setex(..., 600, ...)` (api/tasks/annotation/*_annotation_reply_task.py). */
export const DIFY_STATUS_TTL_MS = 600_000;
const TERMINAL = new Set(["completed", "error"]);

/**
 * Dify's annotation-reply job, one instance per app (each app has its own key).
 *
 * | Behaviour | Source |
 * |---|---|
 * | `Authorization: Bearer KEY`; anything else 401 `unauthorized` "Access token is invalid" | dify/en/openapi_chatflow.json securitySchemes; dify/service/errors-guide.en.md |
 * | POST validates the body before the action: `score_threshold` (float), `embedding_provider_name`, `embedding_model_name` (str) all required, also for `disable`; a missing one is 400 `invalid_param` with `params` | github.com/langgenius/dify api/controllers/service_api/app/annotation.py (reqparse `required=True`); api/libs/external_api.py handle_http_exception |
 * | No range rule on `score_threshold` | annotation.py (`type=float` only) |
 * | An action other than enable/disable is 400 `invalid_param` "Unsupported annotation reply action" | annotation.py (ValueError); external_api.py handle_value_error |
 * | POST answers 200 `{job_id, job_status}` with `waiting` or `processing` | dify/service/openapi_service.en.async-excerpt.json InitialAnnotationReplySettingsResponse |
 * | Status answers `{job_id, job_status, error_msg}`; `error_msg` is "" unless `error` | openapi_service excerpt InitialAnnotationReplySettingsStatusResponse; annotation.py |
 * | Unknown job, or asked under the other action: 400 `invalid_param` "The job does not exist." | openapi_service excerpt (400); annotation.py (key `{action}_app_annotation_job_{id}`) |
 * | An ended job's status is forgotten 600 s after it ended, then "The job does not exist." (`statusTtlMs`) | api/tasks/annotation/enable_annotation_reply_task.py, disable_annotation_reply_task.py (`setex(..., 600, ...)`) |
 * | Default error bodies of a status with no documented wording (fault rules) | assumption: the envelope `{status, code, message}` of errors-guide.en.md with our own wording |
 */
export function difyProvider(ctx: KitContext, api: DifyApi, statusTtlMs = DIFY_STATUS_TTL_MS): Provider {
  const keyOf = (): string => (api === "dify-chatflow" ? ctx.keys.difyChatflow : ctx.keys.difyCompletion);

  const error = (status: number, message?: string, code?: string): Reply => {
    const text = statusText(status);
    const body: Dify.Error = { status, code: code ?? text.code, message: message ?? text.message };
    return { status, body };
  };

  const start = (action: string, body: ParsedBody): Reply => {
    const problem = checkSettings(body);
    if (problem)
      return {
        status: 400,
        body: { ...(error(400, problem.message, "invalid_param").body as Dify.Error), ...(problem.param ? { params: problem.param } : {}) },
      };
    if (action !== "enable" && action !== "disable") return error(400, "Unsupported annotation reply action", "invalid_param");
    const job = ctx.jobs.create(api, { action });
    const answer: Dify.AnnotationReplyJob = { job_id: job.id, job_status: ctx.jobs.state(job).status };
    return { status: 200, body: answer, jobId: job.id };
  };

  const status = (action: string, jobId: string): Reply => {
    const job = ctx.jobs.get(api, jobId);
    // Dify answers the same 400 for an unknown id and for an id asked under the other action.
    if (!job || job.action !== action || forgotten(job)) return { ...error(400, NOT_FOUND, "invalid_param"), jobId };
    return { status: 200, body: statusBody(job, ctx), jobId };
  };

  const forgotten = (job: JobRecord): boolean => {
    const state = ctx.jobs.state(job);
    return TERMINAL.has(state.status) && ctx.now() - state.since >= statusTtlMs;
  };

  return {
    api,
    prefix: api === "dify-chatflow" ? "/dify/chatflow/v1" : "/dify/completion/v1",
    statusField: "job_status",
    error,
    match(method, parts) {
      if (parts[0] !== "apps" || parts[1] !== "annotation-reply" || parts[2] === undefined) return undefined;
      const action = parts[2];
      if (method === "POST" && parts.length === 3) {
        return { route: "start", run: ({ body }) => start(action, body) };
      }
      if (method === "GET" && parts.length === 5 && parts[3] === "status") {
        const jobId = parts[4]!;
        return { route: "status", jobId, run: () => status(action, jobId) };
      }
      return undefined;
    },
    authenticate(req: IncomingMessage): Principal | Reply {
      const key = keyOf();
      // Exact scheme and key: a client sending anything else is a client bug worth catching.
      if (req.headers.authorization !== `Bearer ${key}`) return error(401, "Access token is invalid", "unauthorized");
      return { key, user: "main" };
    },
  };
}

function statusBody(job: JobRecord, ctx: KitContext): Dify.AnnotationReplyJobStatus {
  const { status } = ctx.jobs.state(job);
  return {
    job_id: job.id,
    job_status: status as Dify.AnnotationReplyJobStatus["job_status"],
    error_msg: status === "error" ? (job.errorMessage ?? "Annotation reply job failed.") : "",
  };
}

/** Dify's reqparse: every field required, `score_threshold` converted with float(), the names with str(). */
function checkSettings(body: ParsedBody): { message: string; param?: string } | undefined {
  if (body.kind !== "json" || !isPlainObject(body.value)) return { message: "Invalid JSON payload received or JSON payload is empty." };
  const settings = body.value;
  for (const field of ["score_threshold", "embedding_provider_name", "embedding_model_name"]) {
    const value = settings[field];
    if (value === undefined || value === null) return { message: "Missing required parameter in the JSON body", param: field };
  }
  const threshold = settings["score_threshold"];
  const asFloat =
    typeof threshold === "number" ? threshold : typeof threshold === "string" && threshold.trim() !== "" ? Number(threshold) : NaN;
  if (Number.isNaN(asFloat))
    return { message: `could not convert string to float: ${JSON.stringify(threshold)}`, param: "score_threshold" };
  return undefined;
}
