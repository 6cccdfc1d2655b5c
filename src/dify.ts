/**
 * `jobstatus/dify`: the Dify client with the shared lifecycle (`wait`, `watch`, `createWatcher`,
 * the errors), and no other provider's code.
 *
 * **Dify** ([dify.ai](https://dify.ai), or self-hosted) is a platform for LLM apps. Its asynchronous
 * job is **annotation reply**: enabling it embeds the app's annotations (saved question and answer
 * pairs) with the embedding model you name, so that close questions get the saved answer; disabling
 * it is a job too. Chatflow apps and Completion apps both serve it, each app with its own API key
 * (choose with `app`).
 *
 * - **Endpoints:** `POST /apps/annotation-reply/{action}` (`enable` with `score_threshold` and the
 *   embedding provider and model, or `disable`) starts a job and answers its `job_id`;
 *   `GET /apps/annotation-reply/{action}/status/{job_id}` reports it. Base URL
 *   `https://api.dify.ai/v1`, or `baseUrl` for a self-hosted Dify.
 * - **Auth:** the app's API key, as `Authorization: Bearer <key>`.
 * - **States** ({@link DIFY_STATES}): `waiting` is queued, `processing` running, `completed`
 *   succeeded, `error` failed (with Dify's `error_msg`). An unknown job, or one asked for with the
 *   other action, is a 400 `invalid_param`, reported as a {@link NotFoundError}.
 * - **Polling:** the first check after 1 s, then at most 30 s apart.
 *
 * @example
 * ```ts
 * import { createDifyClient, wait } from "jobstatus/dify";
 *
 * const dify = createDifyClient({ apiKey: process.env.DIFY_API_KEY!, app: "chatflow" });
 * const handle = await dify.configureAnnotationReply("enable", {
 *   score_threshold: 0.9,
 *   embedding_provider_name: "openai",
 *   embedding_model_name: "text-embedding-3-small",
 * });
 * const done = await wait(dify, handle, { timeoutMs: 60_000 });
 * ```
 *
 * @module jobstatus/dify
 */
export * from "./shared-exports.js";
export {
  DIFY_DEFAULT_WAIT_MS,
  DIFY_JOB_STATUS_TTL_MS,
  createDifyClient,
  DIFY_STATES,
  type AnnotationReplySettings,
  type DifyAction,
  type DifyApp,
  type DifyClient,
  type DifyClientOptions,
  type DifyJobStarted,
  type DifyJobStatus,
  type DifyPaths,
  type DifyRawStatus,
  type DifySnapshot,
} from "./providers/dify.js";
