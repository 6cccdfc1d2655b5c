/** `jobstatus/dify`: the Dify client with the shared lifecycle, and no other provider's code. */
export * from "./shared-exports.js";
export {
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
