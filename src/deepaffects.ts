/** `jobstatus/deepaffects`: the DeepAffects client, its webhook handler and the shared lifecycle. */
export * from "./shared-exports.js";
export {
  createDeepAffectsClient,
  DEEPAFFECTS_APIS,
  DEEPAFFECTS_STATES,
  type DeepAffectsAccepted,
  type DeepAffectsApi,
  type DeepAffectsBody,
  type DeepAffectsClient,
  type DeepAffectsJobStatus,
  type DeepAffectsPaths,
  type DeepAffectsRawStatus,
  type DeepAffectsSnapshot,
  type DeepAffectsWebhookPayload,
  type StartOptions,
} from "./providers/deepaffects.js";
export { createWebhookHandler, toNodeListener, type NodeRequestLike, type NodeResponseLike, type WebhookHandlerOptions } from "./lifecycle/webhook.js";
export {
  deepAffectsResult,
  type DeepAffectsAsrResult,
  type DeepAffectsChaptersResult,
  type DeepAffectsDenoiseResult,
  type DeepAffectsDiarizeResult,
  type DeepAffectsEmotionResult,
  type DeepAffectsFeaturizeResult,
  type DeepAffectsIdentifyResult,
  type DeepAffectsInteractionResult,
  type DeepAffectsPunctuateResult,
  type DeepAffectsResults,
  type DeepAffectsSpeakerSegment,
  type DeepAffectsSpeakerValue,
  type DeepAffectsSummaryResult,
  type DeepAffectsSummarySegment,
  type DeepAffectsTimedSegment,
  type DeepAffectsVadResult,
  type DeepAffectsWord,
} from "./providers/deepaffects-results.js";
