/**
 * Wire shapes the fake providers send, taken from the generated OpenAPI types so the fake cannot
 * drift from our documents without the type check noticing.
 */
import type { components as ComfyComponents } from "../../generated/comfy-cloud.js";
import type { components as DeepAffectsComponents } from "../../generated/deepaffects.js";
import type { components as DifyChatflowComponents } from "../../generated/dify-chatflow.js";
import type { components as DifyCompletionComponents } from "../../generated/dify-completion.js";

type DifySchemas = DifyChatflowComponents["schemas"];
type ComfySchemas = ComfyComponents["schemas"];
type DeepAffectsSchemas = DeepAffectsComponents["schemas"];

export namespace Dify {
  export type Error = DifySchemas["Error"];
  export type AnnotationReplyJob = DifySchemas["AnnotationReplyJob"];
  export type AnnotationReplyJobStatus = DifySchemas["AnnotationReplyJobStatus"];
}

type Assert<T extends true> = T;
// Both Dify documents describe the same shapes; this fails to compile if they ever drift apart.
export type DifyAppsAgree = Assert<
  [DifyCompletionComponents["schemas"]["AnnotationReplyJobStatus"]] extends [DifySchemas["AnnotationReplyJobStatus"]]
    ? [DifySchemas["AnnotationReplyJobStatus"]] extends [DifyCompletionComponents["schemas"]["AnnotationReplyJobStatus"]]
      ? true
      : false
    : false
>;

export namespace Comfy {
  export type ErrorResponse = ComfySchemas["ErrorResponse"];
  export type PromptErrorResponse = ComfySchemas["PromptErrorResponse"];
  export type PromptResponse = ComfySchemas["PromptResponse"];
  export type JobStatusResponse = ComfySchemas["JobStatusResponse"];
  export type JobDetailResponse = ComfySchemas["JobDetailResponse"];
  export type DetailStatus = JobDetailResponse["status"];
  export type QueueManageResponse = ComfySchemas["QueueManageResponse"];
}

export namespace DeepAffects {
  export type GatewayFault = DeepAffectsSchemas["GatewayFault"];
  export type TypedError = DeepAffectsSchemas["TypedError"];
  export type AsyncAccepted = DeepAffectsSchemas["AsyncAccepted"];
  export type AsyncStatusResponse = DeepAffectsSchemas["AsyncStatusResponse"];
  export type WebhookPayload = DeepAffectsSchemas["WebhookPayload"];
}
