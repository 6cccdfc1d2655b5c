// Type-level checks on generated/: they fail `tsc --noEmit` (npm run typecheck), not the test run,
// if a regeneration changes what the clients are typed against.
import { describe, expectTypeOf, it } from "vitest";
import type { components as Comfy } from "../../generated/comfy-cloud.js";
import type { components as DeepAffects, webhooks } from "../../generated/deepaffects.js";
import type { components as DifyChatflow } from "../../generated/dify-chatflow.js";
import type { components as DifyCompletion } from "../../generated/dify-completion.js";

describe("generated types", () => {
  it("Comfy's polled status includes the raw states the server really sends", () => {
    type Status = Comfy["schemas"]["JobStatusResponse"]["status"];
    expectTypeOf<"queued_waiting" | "success" | "non_retryable_error" | "lost">().toExtend<Status>();
    expectTypeOf<"waiting_to_dispatch" | "in_progress" | "completed">().toExtend<Status>();
    expectTypeOf<"no_such_state">().not.toExtend<Status>();
    // The live server often sends only `status`.
    expectTypeOf<{ status: "executing" }>().toExtend<Comfy["schemas"]["JobStatusResponse"]>();
  });

  it("DeepAffects' status is an open string and the webhook body is typed", () => {
    expectTypeOf<DeepAffects["schemas"]["AsyncStatusResponse"]["status"]>().toEqualTypeOf<string>();
    expectTypeOf<DeepAffects["schemas"]["AsyncAccepted"]>().toEqualTypeOf<{ api: string; request_id: string }>();
    type Delivery = NonNullable<webhooks["asyncResult"]["post"]>["requestBody"]["content"]["application/json"];
    expectTypeOf<Delivery>().toEqualTypeOf<DeepAffects["schemas"]["WebhookPayload"]>();
  });

  it("both Dify documents type the job status alike and require the embedding fields, as Dify's server does", () => {
    type JobStatus = DifyChatflow["schemas"]["AnnotationReplyJobStatus"]["job_status"];
    expectTypeOf<JobStatus>().toEqualTypeOf<"waiting" | "processing" | "completed" | "error">();
    expectTypeOf<DifyCompletion["schemas"]["AnnotationReplyJobStatus"]["job_status"]>().toEqualTypeOf<JobStatus>();
    expectTypeOf<{ score_threshold: number }>().not.toExtend<DifyChatflow["schemas"]["AnnotationReplySettings"]>();
    expectTypeOf<{ score_threshold: number }>().not.toExtend<DifyCompletion["schemas"]["AnnotationReplySettings"]>();
    expectTypeOf<{ score_threshold: number; embedding_provider_name: string; embedding_model_name: string }>().toExtend<
      DifyChatflow["schemas"]["AnnotationReplySettings"]
    >();
  });
});
