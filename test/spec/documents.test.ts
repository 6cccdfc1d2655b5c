// The facts our clients rely on, checked in the documents themselves so a careless edit is caught
// even if it still lints and generates.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import YAML from "yaml";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// Parsed YAML is untyped by nature; these tests probe it by path.
type Doc = any;
const load = (name: string): Doc => YAML.parse(readFileSync(path.join(REPO, "openapi", `${name}.yaml`), "utf8"));

describe("comfy-cloud.yaml", () => {
  const doc = load("comfy-cloud");
  const schema = doc.components.schemas.JobStatusResponse;
  // From Comfy's CLOUD_API_RECOMMENDATIONS.md: what GET /api/job/{id}/status really returns.
  const raw = [
    "submitted",
    "queued_limited",
    "queued_waiting",
    "allocated",
    "preparing",
    "pending_execution",
    "executing",
    "executed",
    "success",
    "error",
    "non_retryable_error",
    "erroring",
    "lost",
    "cancelled",
    "cancel_requested",
    "cancel_pending",
    "cancelling_preparing",
  ];
  const documented = ["waiting_to_dispatch", "pending", "in_progress", "completed", "error", "cancelled"];

  it("types the 17 raw states the server sends as well as the 6 its spec lists, and nothing else", () => {
    const values: string[] = schema.properties.status.enum;
    expect(values).toEqual(expect.arrayContaining([...raw, ...documented]));
    expect(new Set(values).size).toBe(values.length);
    expect(values).toHaveLength(new Set([...raw, ...documented]).size);
  });

  it("requires only status, and says why in the overlay", () => {
    expect(schema.required).toEqual(["status"]);
    const overlay = YAML.parse(readFileSync(path.join(REPO, "openapi", "overlays", "comfy-cloud.yaml"), "utf8"));
    const enumAction = overlay.actions.find((a: Doc) => a.target === "$.components.schemas.JobStatusResponse.properties.status");
    expect(enumAction.description).toMatch(/raw internal state/);
    expect(enumAction["x-source"]).toMatch(/CLOUD_API_RECOMMENDATIONS/);
  });

  it("documents every answer of the status endpoint and authenticates with X-API-Key", () => {
    const responses = doc.paths["/api/job/{job_id}/status"].get.responses;
    expect(Object.keys(responses).sort()).toEqual(["200", "401", "403", "404", "429", "500"]);
    expect(doc.components.securitySchemes.ApiKeyAuth).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" });
  });
});

describe("deepaffects.yaml", () => {
  const doc = load("deepaffects");

  it("keeps the job status an open string with the known values listed beside it", () => {
    const status = doc.components.schemas.AsyncStatusResponse.properties.status;
    expect(status.type).toBe("string");
    expect(status.enum).toBeUndefined();
    expect(status["x-jobstatus-known-values"]).toEqual(["Completed", "Failed", "Running", "In Progress"]);
  });

  it("sends the key as the apikey query parameter", () => {
    expect(doc.components.securitySchemes.UserSecurity).toEqual(expect.objectContaining({ type: "apiKey", in: "query", name: "apikey" }));
    expect(doc.security).toEqual([{ UserSecurity: [] }]);
  });

  it("starts every async API of the docs with webhook and request_id, answering 202", () => {
    const asyncPaths = [
      "/audio/generic/api/v1/async/asr",
      "/audio/generic/api/v2/async/diarize",
      "/audio/generic/api/v2/async/recognise_emotion",
      "/audio/generic/api/v1/async/analytics/interaction",
      "/audio/generic/api/v2/async/diarization/identify",
      "/audio/generic/api/v1/async/vad",
      "/audio/generic/api/v2/async/denoise",
      "/audio/generic/api/v1/async/featurize",
      "/audio/custom/ellipsis/api/v1/async/is_depressed",
      "/text/generic/api/v1/async/summary",
      "/text/generic/api/v1/async/punctuate",
      "/video/generic/api/alpha/async/videochapters",
    ];
    for (const asyncPath of asyncPaths) {
      const op = doc.paths[asyncPath]?.post;
      expect(op, asyncPath).toBeDefined();
      const params = op.parameters.map((p: { $ref: string }) => p.$ref);
      expect(params, asyncPath).toEqual(["#/components/parameters/Webhook", "#/components/parameters/RequestId"]);
      expect(op.responses["202"].$ref, asyncPath).toBe("#/components/responses/Accepted");
    }
    expect(doc.components.parameters.Webhook.schema.format).toBe("uri");
  });

  it("describes the webhook delivery and the documented rate limit", () => {
    const body = doc.webhooks.asyncResult.post.requestBody.content["application/json"].schema;
    expect(body.$ref).toBe("#/components/schemas/WebhookPayload");
    expect(doc["x-jobstatus-rate-limit"]).toMatchObject({ requestsPerMinutePerApi: 5, requestsPerDay: 100 });
  });
});

describe("dify-chatflow.yaml and dify-completion.yaml", () => {
  const chatflow = load("dify-chatflow");
  const completion = load("dify-completion");

  // Each is built from its own Dify document (other schema names, a 202 in the Chinese one), so they
  // are compared where our clients meet them: the job-status schema behind our alias, resolved.
  const resolve = (doc: Doc, ref: string): Doc => doc.components.schemas[ref.split("/").pop()!];
  const jobStatus = (doc: Doc) => {
    const target = resolve(doc, doc.components.schemas.AnnotationReplyJobStatus.$ref);
    const parts: Doc[] = target.allOf ? target.allOf.map((p: Doc) => (p.$ref ? resolve(doc, p.$ref) : p)) : [target];
    return {
      required: [...new Set(parts.flatMap((p) => p.required ?? []))].sort(),
      job_status: parts.map((p) => p.properties?.job_status?.enum).find(Boolean),
      nullableError: parts.some((p) => p.properties?.error_msg?.nullable === true),
    };
  };

  it("type the job status alike", () => {
    expect(jobStatus(completion)).toEqual(jobStatus(chatflow));
    expect(jobStatus(chatflow)).toEqual({
      required: ["job_id", "job_status"],
      job_status: ["waiting", "processing", "completed", "error"],
      nullableError: true,
    });
  });

  it("type the action, bearer auth, a self-hostable base URL and the three settings fields Dify's server requires", () => {
    for (const doc of [chatflow, completion]) {
      const action = doc.paths["/apps/annotation-reply/{action}"].post.parameters[0];
      const param = action.$ref ? doc.components.parameters[action.$ref.split("/").pop()] : action;
      expect(param.schema.enum).toEqual(["enable", "disable"]);
      expect(doc.components.securitySchemes.ApiKeyAuth).toMatchObject({ type: "http", scheme: "bearer" });
      expect(doc.servers[0].variables.api_base_url.default).toMatch(/api\.dify\.ai\/v1$/);
      expect(resolve(doc, doc.components.schemas.AnnotationReplySettings.$ref).required).toEqual([
        "score_threshold",
        "embedding_provider_name",
        "embedding_model_name",
      ]);
    }
  });
});

describe("redocly lint", () => {
  // redocly.yaml raises every `warn` of `recommended` to `error`; this catches a rule that a Redocly
  // upgrade adds as `warn`, which would otherwise pass `npm run lint:spec` silently.
  it("reports zero errors and zero warnings", { timeout: 60_000 }, async () => {
    const cli = path.join(REPO, "node_modules", "@redocly", "cli", "bin", "cli.js");
    const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, "lint", "--lint-config=error", "--format=json"],
        { cwd: REPO, env, timeout: 60_000 },
        (error, out) => (error && typeof error.code !== "number" ? reject(error) : resolve(out)),
      );
    });
    // One JSON report per API, printed back to back.
    const totals = [...stdout.matchAll(/"(errors|warnings)": (\d+)/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(totals).toHaveLength(8);
    expect(new Set(totals)).toEqual(new Set(["errors=0", "warnings=0"]));
  });
});
