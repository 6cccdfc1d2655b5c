/**
 * `jobstatus/comfy`: the Comfy Cloud client with the shared lifecycle (`wait`, `watch`,
 * `createWatcher`, the errors), and no other provider's code.
 *
 * **Comfy Cloud** ([cloud.comfy.org](https://cloud.comfy.org)) runs ComfyUI workflows on hosted
 * GPUs. A job is one run of one workflow, given in ComfyUI's API format (the "Export (API)" JSON).
 *
 * - **Endpoints:** `POST /api/prompt` submits a workflow (its `prompt_id` is the job id);
 *   `GET /api/job/{job_id}/status` reports the job (the endpoint a wait polls);
 *   `GET /api/jobs/{job_id}` has its outputs once it ended; `POST /api/queue` with
 *   `{ delete: [ids] }` cancels jobs that have not started running. Base URL
 *   `https://cloud.comfy.org`.
 * - **Auth:** `X-API-Key: <key>`. Asking for another user's job answers 403
 *   ({@link PermissionDeniedError}).
 * - **States** ({@link COMFY_STATES}): the documented `waiting_to_dispatch`, `pending`, `in_progress`,
 *   `completed`, `error` and `cancelled`, and the raw internal states the status endpoint also sends
 *   (`submitted`, `executing`, `success`, `non_retryable_error`, `lost`, ...). The ones on their way
 *   to an end (`erroring`, `cancel_requested`, ...) are running: the job has not ended yet.
 * - **Polling:** the first check after 2.5 s, then the default policy (at most 2 minutes apart).
 * - **WebSocket:** with `globalThis.WebSocket` (or the `webSocket` option, the `ws` package's class on
 *   Node 20), waits share one `/ws` connection per key: a pushed end is confirmed with one status
 *   request, and progress reaches `onUpdate` as `snapshot.progress`; `webSocket: false` polls only.
 *
 * @example
 * ```ts
 * import { createComfyClient, wait } from "jobstatus/comfy";
 *
 * const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY! });
 * const handle = await comfy.submitWorkflow(workflow);
 * const done = await wait(comfy, handle, { timeoutMs: 15 * 60_000 });
 * if (done.state === "succeeded") console.log((await comfy.getJob(handle.jobId)).outputs);
 * ```
 *
 * @module jobstatus/comfy
 */
export * from "./shared-exports.js";
export {
  COMFY_DEFAULT_WAIT_MS,
  COMFY_STATES,
  createComfyClient,
  type ComfyCancelResult,
  type ComfyClient,
  type ComfyClientOptions,
  type ComfyJobDetail,
  type ComfyJobStatus,
  type ComfyPaths,
  type ComfyPromptRequest,
  type ComfyPromptResponse,
  type ComfyRawStatus,
  type ComfySnapshot,
  type WebSocketClass,
} from "./providers/comfy.js";
