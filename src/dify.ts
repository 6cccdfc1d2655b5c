/** `jobstatus/dify`: the Dify client with the shared lifecycle, and no other provider's code. */
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
} from "./providers/dify.js";
