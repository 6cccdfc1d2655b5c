import type { IncomingMessage } from "node:http";
import { isPlainObject, type ParsedBody, type Reply } from "./http.js";
import type { JobRecord } from "./jobs.js";
import { iso, statusText, type KitContext, type Principal, type Provider } from "./provider.js";
import type { Comfy } from "./wire.js";

/** Raw internal states grouped the way Comfy's own detail endpoint maps them (CLOUD_API_RECOMMENDATIONS.md §3). */
const GROUPS: Record<string, Comfy.DetailStatus> = {
  submitted: "pending",
  queued_limited: "pending",
  queued_waiting: "pending",
  allocated: "pending",
  preparing: "pending",
  pending_execution: "pending",
  executing: "in_progress",
  executed: "in_progress",
  success: "completed",
  error: "failed",
  non_retryable_error: "failed",
  erroring: "failed",
  lost: "failed",
  cancelled: "cancelled",
  cancel_requested: "cancelled",
  cancel_pending: "cancelled",
  cancelling_preparing: "cancelled",
  // The documented enum values, in case a test forces one of them.
  waiting_to_dispatch: "pending",
  pending: "pending",
  in_progress: "in_progress",
  completed: "completed",
  failed: "failed",
};

/**
 * The status `GET /api/jobs/{id}` shows for a raw internal state; an unknown raw state passes through unchanged.
 * @example
 * comfyDetailStatus("executing"); // "in_progress"
 */
export function comfyDetailStatus(raw: string): string {
  return GROUPS[raw] ?? raw;
}

const DEFAULT_OUTPUTS = {
  "9": { images: [{ filename: "ComfyUI_00001_.png", subfolder: "", type: "output" }] },
};

/**
 * Comfy Cloud's job routes.
 *
 * | Behaviour | Source |
 * |---|---|
 * | `X-API-Key`; anything else 401 `{code, message}` | comfy/openapi-cloud.yaml (ApiKeyAuth, ErrorResponse); cloud-overview.md "Error Handling" |
 * | A key on an inactive subscription: 429 on every route, body `{code: "subscription_inactive", message}` | status: cloud-overview.md ("A key on an inactive subscription returns 429"), openapi-cloud.yaml `POST /api/prompt` 429; body: assumption |
 * | `POST /api/prompt` 200 `{prompt_id, number, node_errors}` | openapi-cloud.yaml PromptResponse |
 * | No `prompt`: 400 `{error: "no prompt", node_errors: []}`; a node without `class_type`: 400 `{error: {type: "invalid_prompt", message, details, extra_info}, node_errors: {}}` | ComfyUI server.py post_prompt and execution.py validate_prompt (Cloud implements OSS ComfyUI's API: openapi-cloud.yaml info) |
 * | Status `GET /api/job/{id}/status` sends the raw internal states | CLOUD_API_RECOMMENDATIONS.md §1, §3; poll-job-completion.md |
 * | Detail `GET /api/jobs/{id}` groups raw states into pending/in_progress/completed/failed/cancelled; outputs only when ended | CLOUD_API_RECOMMENDATIONS.md §2, §3; openapi-cloud.yaml JobDetailResponse |
 * | A job of another user: 403; unknown: 404 | openapi-cloud.yaml `/api/job/{job_id}/status`, `/api/jobs/{job_id}` |
 * | `POST /api/queue {delete}` cancels pending jobs only and lists them in `deleted`; `{clear: true}` every pending one | openapi-cloud.yaml manageQueue, QueueManageResponse |
 * | `POST /api/interrupt` interrupts every running job of the user; 200 without a body | openapi-cloud.yaml interruptJob |
 * | `GET /api/view` 302 to a signed URL (the fake's `/signed/`), which needs no key | openapi-cloud.yaml viewFile; cloud-api-reference "Downloading Outputs" |
 * | A cancelled job goes straight to `cancelled` (not through cancel_requested/cancel_pending) | assumption: no source shows the timing |
 * | Error wording (`Job not found.`, ...) and codes other than the documented shape | assumption: ErrorResponse only requires `code` and `message` |
 * | With `rateLimits.comfy`: 429 with `Retry-After` | assumption for tests: Comfy documents no request rate limit (cloud-overview.md); read as a rate limit per openapi-v2.yaml ErrorEnvelope |
 */
export function comfyProvider(ctx: KitContext): Provider {
  let queueNumber = 0;

  const error = comfyError;

  const promptError = (message: string, details = ""): Reply => {
    const body: Comfy.PromptErrorResponse = {
      error: { type: "invalid_prompt", message, details, extra_info: {} },
      node_errors: {},
    };
    return { status: 400, body };
  };

  /** Finds a job the caller may read, or the error Comfy would answer. */
  const owned = (jobId: string, principal: Principal): JobRecord | Reply => {
    const job = ctx.jobs.get("comfy", jobId);
    if (!job) return { ...error(404, "Job not found.", "not_found"), jobId };
    if (job.owner !== principal.user) return { ...error(403, "This job belongs to another user.", "forbidden"), jobId };
    return job;
  };

  const submit = (body: ParsedBody, principal: Principal): Reply => {
    const prompt = body.kind === "json" && isPlainObject(body.value) ? body.value["prompt"] : undefined;
    if (prompt === undefined) return { status: 400, body: { error: "no prompt", node_errors: [] } };
    if (!isPlainObject(prompt)) return promptError("Invalid prompt: the workflow must be an object of nodes.");
    for (const [id, node] of Object.entries(prompt)) {
      if (!isPlainObject(node) || typeof node["class_type"] !== "string") {
        return promptError("Cannot execute because a node is missing the class_type property.", `Node ID '#${id}'`);
      }
    }
    const job = ctx.jobs.create("comfy", principal.user === "comfyOther" ? { owner: "comfyOther" } : {});
    job.workflow = prompt;
    const answer: Comfy.PromptResponse = { prompt_id: job.id, number: queueNumber++, node_errors: {} };
    return { status: 200, body: answer, jobId: job.id };
  };

  const status = (jobId: string, principal: Principal): Reply => {
    const job = owned(jobId, principal);
    if ("status" in job) return job;
    const state = ctx.jobs.state(job);
    const group = comfyDetailStatus(state.status);
    const body: Comfy.JobStatusResponse = {
      id: job.id,
      status: state.status as Comfy.JobStatusResponse["status"],
      created_at: iso(job.createdAt),
      updated_at: iso(state.since),
      last_state_update: iso(state.since),
      assigned_inference: group === "pending" || group === "cancelled" ? null : "fake-inference-1",
      error_message: group === "failed" ? (job.errorMessage ?? "Workflow execution failed.") : null,
    };
    return { status: 200, body, jobId };
  };

  const detail = (jobId: string, principal: Principal): Reply => {
    const job = owned(jobId, principal);
    if ("status" in job) return job;
    return { status: 200, body: detailBody(job, ctx), jobId };
  };

  const cancel = (body: ParsedBody, principal: Principal): Reply => {
    if (body.kind !== "json" || !isPlainObject(body.value)) {
      return error(400, "Request body must be a JSON object.", "invalid_request");
    }
    const { delete: ids, clear, ...rest } = body.value;
    if (Object.keys(rest).length > 0) return error(400, `Unknown field: ${Object.keys(rest)[0]}.`, "invalid_request");
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === "string"))) {
      return error(400, "delete must be an array of job ids.", "invalid_request");
    }
    if (clear !== undefined && typeof clear !== "boolean") return error(400, "clear must be a boolean.", "invalid_request");
    const deleted: string[] = [];
    // Only pending jobs can be cancelled this way; running ones need /api/interrupt.
    const targets = clear === true ? ctx.jobs.all("comfy").map((j) => j.id) : ((ids as string[] | undefined) ?? []);
    for (const id of targets) {
      const job = ctx.jobs.get("comfy", id);
      if (!job || job.owner !== principal.user) continue;
      if (comfyDetailStatus(ctx.jobs.state(job).status) !== "pending") continue;
      ctx.jobs.force(job, "cancelled");
      deleted.push(id);
    }
    const answer: Comfy.QueueManageResponse = { deleted, cleared: clear === true };
    return { status: 200, body: answer, ...(deleted.length === 1 ? { jobId: deleted[0] } : {}) };
  };

  const interrupt = (principal: Principal): Reply => {
    for (const job of ctx.jobs.all("comfy")) {
      if (job.owner === principal.user && comfyDetailStatus(ctx.jobs.state(job).status) === "in_progress") {
        ctx.jobs.force(job, "cancelled");
      }
    }
    // openapi-cloud.yaml documents a 200 without a body.
    return { status: 200, text: "" };
  };

  const view = (query: URLSearchParams): Reply => {
    const filename = query.get("filename");
    if (!filename) return error(400, "filename is required.", "invalid_request");
    const base = ctx.storageOrigin().replace(/\/+$/, "");
    const location = `${base}/signed/${encodeURIComponent(filename)}?X-Amz-Expires=300&X-Amz-Signature=fake`;
    return { status: 302, body: { location }, headers: { Location: location } };
  };

  return {
    api: "comfy",
    prefix: "/comfy",
    statusField: "status",
    error,
    match(method, parts) {
      if (parts[0] !== "api") return undefined;
      const [, a, b, c] = parts;
      const n = parts.length;
      if (method === "POST" && n === 2 && a === "prompt") return { route: "start", run: (i) => submit(i.body, i.principal) };
      if (method === "GET" && n === 4 && a === "job" && c === "status") {
        return { route: "status", jobId: b!, run: (i) => status(b!, i.principal) };
      }
      if (method === "GET" && n === 3 && a === "jobs") return { route: "detail", jobId: b!, run: (i) => detail(b!, i.principal) };
      if (method === "POST" && n === 2 && a === "queue") {
        return {
          route: "cancel",
          jobIdOf: firstDeleted,
          run: (i) => cancel(i.body, i.principal),
        };
      }
      if (method === "POST" && n === 2 && a === "interrupt") return { route: "cancel", run: (i) => interrupt(i.principal) };
      if (method === "GET" && n === 2 && a === "view") return { route: "view", run: (i) => view(i.query) };
      return undefined;
    },
    authenticate: (req: IncomingMessage) => comfyPrincipal(ctx, req.headers["x-api-key"]),
  };
}

/** Comfy's error answer: `{code, message}` (openapi-cloud.yaml ErrorResponse). */
export function comfyError(status: number, message?: string, code?: string): Reply {
  const text = statusText(status);
  const body: Comfy.ErrorResponse = { code: code ?? text.code, message: message ?? text.message };
  return { status, body };
}

/** The user a Comfy key belongs to, or the answer to a key that is not good: HTTP routes send it in `X-API-Key`, the WebSocket in `token`. */
export function comfyPrincipal(ctx: KitContext, sent: unknown): Principal | Reply {
  if (sent === ctx.keys.comfy) return { key: sent, user: "main" };
  if (sent === ctx.keys.comfyOther) return { key: sent, user: "comfyOther" };
  if (sent === ctx.keys.comfyInactive) return comfyError(429, "Subscription inactive.", "subscription_inactive");
  return comfyError(401, "Invalid or missing API key.", "unauthorized");
}

/** The outputs a succeeded job reports, per node id. */
export function comfyOutputs(job: JobRecord): Record<string, unknown> {
  const outputs = job.result ?? DEFAULT_OUTPUTS;
  return isPlainObject(outputs) ? outputs : { result: outputs };
}

/** The failure a failed job reports, on the detail route and the WebSocket alike (node and type: assumption). */
export function comfyFailure(job: JobRecord): { node_id: string; node_type: string; exception_message: string } {
  return { node_id: "3", node_type: "KSampler", exception_message: job.errorMessage ?? "Workflow execution failed." };
}

function detailBody(job: JobRecord, ctx: KitContext): Comfy.JobDetailResponse {
  const state = ctx.jobs.state(job);
  const status = comfyDetailStatus(state.status);
  const body: Comfy.JobDetailResponse = {
    id: job.id,
    status: status as Comfy.DetailStatus,
    create_time: Math.floor(job.createdAt / 1000),
    update_time: Math.floor(state.since / 1000),
  };
  if (isPlainObject(job.workflow)) body.workflow = job.workflow;
  // Outputs and execution facts exist only once the job is over.
  if (status === "completed" || status === "failed" || status === "cancelled") {
    body.outputs = status === "completed" ? comfyOutputs(job) : {};
    const files = outputFiles(body.outputs);
    body.outputs_count = files.length;
    if (files[0]) body.preview_output = files[0];
    const completed = status === "completed";
    body.execution_status = { status_str: completed ? "success" : "error", completed, messages: [] };
  }
  if (status === "failed") {
    body.execution_error = {
      ...comfyFailure(job),
      exception_type: "RuntimeError",
      traceback: [],
      current_inputs: {},
      current_outputs: {},
    };
  }
  return body;
}

/** The first id of a queue `delete` list, so per-job faults and request filters can see cancels. */
function firstDeleted(body: ParsedBody): string | undefined {
  if (body.kind !== "json" || !isPlainObject(body.value)) return undefined;
  const ids = body.value["delete"];
  return Array.isArray(ids) && typeof ids[0] === "string" ? ids[0] : undefined;
}

function outputFiles(outputs: Record<string, unknown>): Record<string, unknown>[] {
  const files: Record<string, unknown>[] = [];
  for (const [nodeId, node] of Object.entries(outputs)) {
    if (!isPlainObject(node)) continue;
    for (const [mediaType, list] of Object.entries(node)) {
      if (!Array.isArray(list)) continue;
      for (const file of list) if (isPlainObject(file)) files.push({ ...file, nodeId, mediaType });
    }
  }
  return files;
}
