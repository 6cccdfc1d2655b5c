import type { IncomingMessage } from "node:http";
import { isPlainObject, type ParsedBody, type Reply } from "./http.js";
import type { JobRecord } from "./jobs.js";
import { statusText, type KitContext, type Principal, type Provider } from "./provider.js";
import type { Dify } from "./wire.js";

type DifyApi = "dify-chatflow" | "dify-completion";

const NOT_FOUND = "The job does not exist.";

/** Dify's annotation-reply job, one instance per app (each app has its own key). */
export function difyProvider(ctx: KitContext, api: DifyApi): Provider {
  const keyOf = (): string => (api === "dify-chatflow" ? ctx.keys.difyChatflow : ctx.keys.difyCompletion);

  const error = (status: number, message?: string, code?: string): Reply => {
    const text = statusText(status);
    const body: Dify.Error = { status, code: code ?? text.code, message: message ?? text.message };
    return { status, body };
  };

  const start = (action: string, body: ParsedBody): Reply => {
    if (action !== "enable" && action !== "disable") {
      return error(400, "action must be enable or disable.", "invalid_param");
    }
    const problem = checkSettings(body);
    if (problem) return error(400, problem, "invalid_param");
    const job = ctx.jobs.create(api, { action });
    const answer: Dify.AnnotationReplyJob = { job_id: job.id, job_status: ctx.jobs.state(job).status };
    return { status: 200, body: answer, jobId: job.id };
  };

  const status = (action: string, jobId: string): Reply => {
    const job = ctx.jobs.get(api, jobId);
    // Dify answers the same 400 for an unknown id and for an id asked under the other action.
    if (!job || job.action !== action) return { ...error(400, NOT_FOUND, "invalid_param"), jobId };
    return { status: 200, body: statusBody(job, ctx), jobId };
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

function checkSettings(body: ParsedBody): string | undefined {
  if (body.kind !== "json" || !isPlainObject(body.value)) return "Request body must be a JSON object.";
  const settings = body.value;
  const threshold = settings["score_threshold"];
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    return "score_threshold is required and must be a number between 0 and 1.";
  }
  for (const field of ["embedding_provider_name", "embedding_model_name"]) {
    const value = settings[field];
    if (value !== undefined && value !== null && typeof value !== "string") return `${field} must be a string.`;
  }
  return undefined;
}
