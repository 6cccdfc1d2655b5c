/**
 * Comfy Cloud jobs: submit a workflow, poll its status, read its outputs, cancel it.
 * Auth: `X-API-Key: KEY`. The status endpoint sends raw internal states its own document does not
 * list; our document and state table carry all of them.
 */
import type { Client, Middleware } from "openapi-fetch";
import type { components, paths } from "../../generated/comfy-cloud.js";
import type { RetryInit } from "../core/retry.js";
import { createProviderHttp, type ClientOptions, type ErrorAnswer, type ErrorBody } from "../core/client.js";
import {
  InvalidArgumentError,
  QuotaExceededError,
  SubscriptionInactiveError,
  WorkflowRejectedError,
  type APIError,
  type WorkflowNodeError,
} from "../core/errors.js";
import { clipText } from "../core/clip.js";
import { createNormalizer, isKnownStatus, rateKeyFor } from "../core/normalize.js";
import { parseRetryAfter } from "../core/retry-after.js";
import {
  makeSnapshot,
  type ComfyJobHandle,
  type JobProvider,
  type JobPush,
  type JobSnapshot,
  type PushEvent,
  type PushSocket,
  type StateTable,
  type StatusInit,
} from "../core/state.js";
import { requireJobId } from "../core/validate.js";

type Schemas = components["schemas"];
/** The body of `GET /api/job/{job_id}/status`; `status` may be any of the raw internal states in {@link COMFY_STATES}. */
export type ComfyJobStatus = Schemas["JobStatusResponse"];
/** The body of `GET /api/jobs/{job_id}`: the job with its `outputs` once it ended, or its `execution_error`. */
export type ComfyJobDetail = Schemas["JobDetailResponse"];
/** The body of `POST /api/prompt`: the workflow in API format as `prompt`, plus optional `extra_data`. */
export type ComfyPromptRequest = Schemas["PromptRequest"];
/** The body `POST /api/prompt` answers with: `prompt_id` is the job id. */
export type ComfyPromptResponse = Schemas["PromptResponse"];
/** The generated OpenAPI paths of openapi/comfy-cloud.yaml, as `client.api` is typed. */
export type ComfyPaths = paths;

/**
 * Every status the status endpoint is known to send. Only success, error, non_retryable_error,
 * lost and cancelled (and the documented completed) end a job; erroring and the cancel_* states are
 * on their way to one and keep a wait going.
 */
export const COMFY_STATES = {
  // documented enum
  waiting_to_dispatch: "queued",
  pending: "queued",
  in_progress: "running",
  completed: "succeeded",
  error: "failed",
  cancelled: "cancelled",
  // raw internal states the live endpoint sends
  submitted: "queued",
  queued_limited: "queued",
  queued_waiting: "queued",
  allocated: "queued",
  preparing: "queued",
  pending_execution: "queued",
  executing: "running",
  executed: "running",
  success: "succeeded",
  non_retryable_error: "failed",
  lost: "failed",
  erroring: "running",
  cancel_requested: "running",
  cancel_pending: "running",
  cancelling_preparing: "running",
} as const satisfies StateTable;

/**
 * Without `timeoutMs`, a wait on a Comfy job gives up after this long. Comfy documents no limit on a
 * job's run time; two hours is our choice, well past a long video workflow.
 */
export const COMFY_DEFAULT_WAIT_MS = 2 * 60 * 60_000;
/** A status Comfy Cloud sends: one of {@link COMFY_STATES}, or a string not seen yet (its state is `unknown`). */
export type ComfyRawStatus = keyof typeof COMFY_STATES | (string & {});
/** What one Comfy Cloud status check saw: the status body as `raw`, its `status` as `rawStatus`. */
export type ComfySnapshot = JobSnapshot<ComfyJobStatus, ComfyJobHandle, ComfyRawStatus>;

/** Options of `createComfyClient`: every client's, and the WebSocket waits learn job ends from. */
export interface ComfyClientOptions extends ClientOptions {
  /**
   * The WebSocket class through which waits, `watch` and watchers learn job ends and progress (one
   * connection per key, shared): by default `globalThis.WebSocket` (browsers, Node 22+, Deno, Bun); on
   * Node 20 pass the `ws` package's class. `false`, or no WebSocket at all, polls only. Polling stays
   * the source of truth either way: a pushed end is confirmed with one status request.
   */
  webSocket?: WebSocketClass | false | undefined;
}

const STATUS_PATH = "/api/job/{job_id}/status";
const DETAIL_PATH = "/api/jobs/{job_id}";

export interface ComfyClient extends JobProvider<ComfyJobHandle, ComfyJobStatus, ComfyRawStatus> {
  readonly provider: "comfy";
  /** The full typed openapi-fetch client of our Comfy Cloud document, with auth applied. */
  readonly api: Client<paths>;
  /** `GET /api/job/{job_id}/status`: the typed body, or a typed error. */
  getJobStatus(jobId: string, init?: RetryInit): Promise<ComfyJobStatus>;
  /** `POST /api/prompt`: submits a workflow (API format) and returns the job's handle. */
  submitWorkflow(
    workflow: ComfyPromptRequest["prompt"],
    extra?: Omit<ComfyPromptRequest, "prompt">,
    init?: StatusInit,
  ): Promise<ComfyJobHandle>;
  /** `GET /api/jobs/{job_id}`: the job's detail, with outputs once it has ended. */
  getJob(jobId: string, init?: RetryInit): Promise<ComfyJobDetail>;
  /**
   * `POST /api/queue` with `delete`: cancels jobs that have not started running, and says which were
   * cancelled. A running job is not stopped by this call and is listed in `notCancelled`.
   */
  cancel(jobIds: string | readonly string[], init?: StatusInit): Promise<ComfyCancelResult>;
  /**
   * `POST /api/interrupt`: interrupts EVERY running job of this key's user, not one job. Comfy offers
   * no way to stop a single running job; pending jobs are untouched (use `cancel` for those).
   */
  interruptAllRunningJobs(init?: StatusInit): Promise<void>;
}

/** What `cancel` did: ids Comfy listed as cancelled, and the others (running, already over, or unknown). */
export interface ComfyCancelResult {
  cancelled: string[];
  /** Ids the answer did not list as cancelled: they keep running (or had already ended, or are not known). */
  notCancelled: string[];
}

/**
 * An error body is either `ErrorResponse` `{code, message}` or the prompt's `{error, node_errors}`,
 * where `error` is `{type, message, ...}` or, for a body without a prompt, a string (ComfyUI server.py).
 */
const readError = (body: unknown): ErrorBody => {
  const nested = (body as { error?: unknown } | null)?.error;
  if (typeof nested === "string") return { message: nested };
  if (nested && typeof nested === "object") {
    const { type, message } = nested as { type?: unknown; message?: unknown };
    return { code: type as string | undefined, message: message as string | undefined };
  }
  return body as ErrorBody;
};

const MAX_NODE_ERRORS_CHARS = 64 * 1024;

/** `node_errors` with the key removed, bounded in size, and each entry shaped as documented. */
function nodeErrorsOf(raw: unknown, redact: (text: string) => string): Record<string, WorkflowNodeError> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return {};
  const text = JSON.stringify(raw);
  if (text.length > MAX_NODE_ERRORS_CHARS) return {};
  const clean = JSON.parse(redact(text)) as Record<string, unknown>;
  const out: Record<string, WorkflowNodeError> = {};
  for (const [node, value] of Object.entries(clean)) {
    const entry = (value && typeof value === "object" ? value : {}) as Partial<WorkflowNodeError>;
    out[node] = { ...entry, errors: Array.isArray(entry.errors) ? entry.errors : [] };
  }
  return out;
}

/**
 * Comfy's 429 is documented as "subscription inactive", not as a request rate (cloud overview and API
 * reference error tables; openapi-cloud.yaml: "Payment required - User has not paid"). A 429 that
 * carries Retry-After is read as a real rate limit, as Comfy's v2 API defines it.
 */
function comfyError({ status, body, response, head, details, redact }: ErrorAnswer): APIError | undefined {
  // The header's presence is the signal: one we cannot read still marks a rate limit.
  if (status === 429 && !response.headers.has("retry-after") && !response.headers.has("retry-after-ms")) {
    return new SubscriptionInactiveError(
      `${head}. Comfy Cloud answers 429 when the API key's subscription is inactive: reactivate the subscription of this account; retrying will not help.`,
      { ...details, code: details.code ?? "subscription_inactive" },
    );
  }
  if (status === 402) {
    return new QuotaExceededError(
      `${head}. Comfy Cloud answers 402 for insufficient credits: add credits to the account; retrying will not help.`,
      details,
    );
  }
  const prompt = body as { error?: { type?: unknown } | string; node_errors?: unknown } | null;
  if (status === 400 && details.operation === "POST /api/prompt" && prompt && typeof prompt === "object" && prompt.error != null) {
    const nodeErrors = nodeErrorsOf(prompt.node_errors, redact);
    const nodes = Object.keys(nodeErrors);
    return new WorkflowRejectedError(
      `${head}. Comfy refused the workflow${
        nodes.length
          ? ` (nodes ${nodes
              .slice(0, 10)
              .map((node) => clipText(node, 40))
              .join(", ")}: see nodeErrors)`
          : ""
      }; fix it and submit again.`,
      { ...details, errorType: details.code, nodeErrors },
    );
  }
  return undefined;
}

const apiKeyHeader = (apiKey: string): Middleware => ({
  onRequest({ request }) {
    request.headers.set("X-API-Key", apiKey);
  },
});

const normalize = /* @__PURE__ */ createNormalizer(COMFY_STATES);

/**
 * A Comfy Cloud client.
 * @example
 * const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY! });
 * const handle = await comfy.submitWorkflow(workflowJson);
 * const { status } = await comfy.getJobStatus(handle.jobId);
 */
export function createComfyClient(options: ComfyClientOptions): ComfyClient {
  const http = createProviderHttp<paths>(
    {
      provider: "comfy",
      displayName: "Comfy Cloud",
      envName: "COMFY_API_KEY",
      defaultBaseUrl: "https://cloud.comfy.org",
      auth: apiKeyHeader,
      readError,
      errorFor: comfyError,
    },
    options,
  );
  const { api } = http;

  async function requestStatus(jobId: string, init?: StatusInit) {
    const job_id = requireJobId(jobId, "comfy");
    const { data, response } = await http.call(`GET ${STATUS_PATH}`, init, (send) =>
      api.GET(STATUS_PATH, { params: { path: { job_id } }, ...send }),
    );
    if (http.strict && !isKnownStatus(COMFY_STATES, data.status)) {
      throw http.invalid(`GET ${STATUS_PATH}`, `with status ${http.quote(data.status)}, not a documented or known raw state`);
    }
    return { body: data, response };
  }

  function checkHandle(handle: unknown): ComfyJobHandle {
    const h = handle as Partial<ComfyJobHandle> | null;
    if (!h || h.provider !== "comfy") {
      throw new InvalidArgumentError("comfy: this handle is not a Comfy Cloud job's; use the client of its provider.", {
        provider: "comfy",
      });
    }
    requireJobId(h.jobId, "comfy", "handle.jobId");
    return h as ComfyJobHandle;
  }

  return {
    provider: "comfy",
    api,
    rateKey: rateKeyFor("comfy", http.apiKey),
    pollDefaults: { defaultTimeoutMs: COMFY_DEFAULT_WAIT_MS },
    rateBudgets: [],
    normalize,
    kindOf: () => "comfy",
    checkHandle,
    push: comfyPush(http.baseUrl, http.apiKey, options.webSocket),
    async getJobStatus(jobId, init) {
      return (await requestStatus(jobId, init)).body;
    },
    async submitWorkflow(workflow, extra, init) {
      if (!workflow || typeof workflow !== "object" || Array.isArray(workflow)) {
        throw new InvalidArgumentError(
          "comfy: the workflow must be an object in ComfyUI's API format (node id → { class_type, inputs }).",
          { provider: "comfy" },
        );
      }
      const startedAt = new Date().toISOString();
      const { data } = await http.call("POST /api/prompt", init, (send) =>
        api.POST("/api/prompt", { body: { ...extra, prompt: workflow }, ...send }),
      );
      if (typeof data.prompt_id !== "string" || data.prompt_id === "") throw http.invalid("POST /api/prompt", "without a prompt_id");
      return { provider: "comfy", jobId: data.prompt_id, startedAt };
    },
    async getJob(jobId, init) {
      const job_id = requireJobId(jobId, "comfy");
      const { data } = await http.call(`GET ${DETAIL_PATH}`, init, (send) =>
        api.GET(DETAIL_PATH, { params: { path: { job_id } }, ...send }),
      );
      return data;
    },
    async cancel(jobIds, init) {
      const ids = (typeof jobIds === "string" ? [jobIds] : [...jobIds]).map((id) => requireJobId(id, "comfy"));
      if (ids.length === 0) throw new InvalidArgumentError("comfy: cancel needs at least one job id.", { provider: "comfy" });
      const { data } = await http.call("POST /api/queue", init, async (send) => {
        const result = await api.POST("/api/queue", { body: { delete: ids }, ...send });
        // An empty 200 lists nothing as cancelled: every id is then reported as not cancelled.
        return { ...result, data: result.data ?? {} };
      });
      const deleted = new Set(Array.isArray(data.deleted) ? data.deleted.filter((id): id is string => typeof id === "string") : []);
      return { cancelled: ids.filter((id) => deleted.has(id)), notCancelled: ids.filter((id) => !deleted.has(id)) };
    },
    async interruptAllRunningJobs(init) {
      await http.call("POST /api/interrupt", init, async (send) => {
        const result = await api.POST("/api/interrupt", { ...send });
        // Comfy documents a 200 without a body.
        return { ...result, data: result.data ?? {} };
      });
    },
    async status(handle, init): Promise<ComfySnapshot> {
      checkHandle(handle);
      const { body, response } = await requestStatus(handle.jobId, init);
      return makeSnapshot(handle, normalize(body.status), http.redact(body.status), body, {
        errorMessage: http.redact(body.error_message),
        retryAfterMs: parseRetryAfter(response.headers),
      });
    },
  };
}

// Comfy Cloud's WebSocket, read for job ends and progress. Sources, under /work/shared/upstream/comfy/:
// cloud-api-reference.excerpt.md, "WebSocket for Real-Time Progress" (`/ws?clientId={uuid}&token={key}`;
// clientId is ignored and every connection of a user gets all of the user's messages; JSON text frames
// `{type, data}`, binary preview frames besides), and openapi-cloud.yaml, "WEBSOCKET MESSAGE SCHEMAS".

/** A WebSocket class: `globalThis.WebSocket`, or the `ws` package's on Node 20. */
export type WebSocketClass = new (url: string) => PushSocket;

// execution_success, execution_error and execution_interrupted each end a prompt (openapi-cloud.yaml).
const ENDS = new Set(["execution_success", "execution_error", "execution_interrupted"]);
// Progress and job-end frames are small; a larger text frame (an `executed` with many outputs) is
// not read, so a frame costs bounded time.
const MAX_FRAME_CHARS = 64 * 1024;

/**
 * Comfy's push for one key, or undefined when opted out or this runtime has no WebSocket (the wait
 * then polls as before). `webSocket` is the option: a class, `false`, or undefined for the global one.
 */
function comfyPush(baseUrl: string, apiKey: string, webSocket: WebSocketClass | false | undefined): JobPush | undefined {
  if (webSocket !== undefined && webSocket !== false && typeof webSocket !== "function")
    throw new InvalidArgumentError("comfy: webSocket must be a WebSocket class (the ws package's on Node 20) or false.", {
      provider: "comfy",
    });
  const Socket = webSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  // Browsers have randomUUID (for the clientId) on secure pages only: elsewhere, polling alone.
  if (!Socket || !globalThis.crypto?.randomUUID) return undefined;
  return {
    target: baseUrl,
    connect() {
      const url = `${baseUrl.replace(/^http/, "ws")}/ws?clientId=${globalThis.crypto.randomUUID()}&token=${encodeURIComponent(apiKey)}`;
      return new Socket(url);
    },
    parse(frame) {
      if (frame.length > MAX_FRAME_CHARS) return undefined;
      let message: { type?: unknown; data?: Record<string, unknown> } | null;
      try {
        message = JSON.parse(frame);
      } catch {
        return undefined;
      }
      const data = message?.data;
      const jobId = data?.["prompt_id"];
      if (typeof jobId !== "string" || jobId === "") return undefined;
      const type = message!.type;
      const node = typeof data!["node"] === "string" ? (data!["node"] as string) : undefined;
      if (ENDS.has(type as string)) return { jobId, ended: true };
      const { value, max } = data as { value?: unknown; max?: unknown };
      if (type === "progress" && typeof value === "number" && typeof max === "number" && Number.isFinite(value + max))
        return { jobId, progress: { node, value, max } } satisfies PushEvent;
      // `executing` names the node now running (null once the prompt is done, which the end frame says).
      if (type === "executing" && node !== undefined) return { jobId, progress: { node } };
      return undefined;
    },
  };
}
