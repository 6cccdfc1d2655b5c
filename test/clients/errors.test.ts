import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  InvalidResponseError,
  JobStatusError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "../../src/index.js";
import { startFakeProviders, type FakeApi, type FakeProviders, type FaultHandle, type FaultRule } from "../../src/testing.js";

let fake: FakeProviders;
const faults: FaultHandle[] = [];
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(() => faults.splice(0).forEach((f) => f.remove()));
afterAll(() => fake.close());

/** Every way an error can be shown or shipped, as one string. */
function everythingIn(error: unknown): string {
  const parts = [String(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)];
  let cause: unknown = error;
  for (let i = 0; i < 5 && cause instanceof Error; i++) {
    parts.push(cause.message, cause.stack ?? "", JSON.stringify(cause), inspect(cause, { depth: 10 }));
    cause = cause.cause;
  }
  return parts.join("\n");
}

interface Case {
  api: FakeApi;
  key: () => string;
  call: (jobId: string) => Promise<unknown>;
}

const cases: Record<string, Case> = {
  "dify chatflow": {
    api: "dify-chatflow",
    key: () => fake.keys.difyChatflow,
    call: (id) =>
      createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow, timeoutMs: 500 }).getJobStatus("enable", id),
  },
  "dify completion": {
    api: "dify-completion",
    key: () => fake.keys.difyCompletion,
    call: (id) =>
      createDifyClient({
        apiKey: fake.keys.difyCompletion,
        baseUrl: fake.urls.difyCompletion,
        app: "completion",
        timeoutMs: 500,
      }).getJobStatus("enable", id),
  },
  comfy: {
    api: "comfy",
    key: () => fake.keys.comfy,
    call: (id) => createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, timeoutMs: 500 }).getJobStatus(id),
  },
  deepaffects: {
    api: "deepaffects",
    key: () => fake.keys.deepaffects,
    call: (id) =>
      createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects, timeoutMs: 500 }).getJobStatus(id),
  },
};

const faultsToErrors: Array<
  [string, Omit<FaultRule, "api" | "route" | "jobId">, new (...args: never[]) => JobStatusError, Record<string, unknown>?]
> = [
  ["401", { status: 401 }, AuthenticationError, { status: 401 }],
  ["403", { status: 403 }, PermissionDeniedError, { status: 403 }],
  ["404", { status: 404 }, NotFoundError, { status: 404 }],
  [
    "400 other than a missing job",
    {
      status: 400,
      body: {
        status: 400,
        code: "params_invalid",
        message: "score_threshold out of range",
        fault: { faultstring: "bad", detail: { errorcode: "params_invalid" } },
      },
    },
    BadRequestError,
    { status: 400 },
  ],
  ["402 over quota", { status: 402 }, APIError, { status: 402 }],
  ["429 with Retry-After seconds", { status: 429, retryAfter: { seconds: 7 } }, RateLimitError, { retryAfterMs: 7000 }],
  ["429 with retry-after-ms", { status: 429, retryAfter: { ms: 1500 } }, RateLimitError, { retryAfterMs: 1500 }],
  ["500", { status: 500 }, ServerError, { status: 500, transient: true }],
  ["502 with an HTML page", { status: 502, malformed: "html" }, ServerError, { status: 502 }],
  ["503", { status: 503 }, ServerError, { status: 503 }],
  ["connection reset", { reset: true }, ConnectionError, { transient: true }],
  ["a hang past the request time limit", { hang: true }, TimeoutError, { kind: "request", transient: true }],
  ["malformed JSON", { malformed: "json" }, InvalidResponseError],
  ["an HTML page with 200", { malformed: "html" }, InvalidResponseError],
  ["an empty body", { malformed: "empty" }, InvalidResponseError],
  ["a truncated body", { malformed: "truncated" }, ConnectionError],
  ["a body over the size cap", { oversizeBytes: 5 * 1024 * 1024 }, InvalidResponseError],
];

describe.each(Object.entries(cases))("%s: every failure is a typed error without the key", (_name, c) => {
  test.each(faultsToErrors)("%s", async (_label, rule, ErrorClass, props = {}) => {
    const job = fake.createJob(c.api, { status: "waiting" });
    faults.push(fake.fault({ api: c.api, route: "status", jobId: job.id, ...rule }));
    const error = await c.call(job.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(JobStatusError);
    expect(error).toMatchObject({ provider: c.api.startsWith("dify") ? "dify" : c.api, ...props });
    expect((error as Error).message.length).toBeGreaterThan(20);
    expect(everythingIn(error)).not.toContain(c.key());
  });
});

test("Dify's 400 invalid_param for a job that does not exist is a NotFoundError", async () => {
  const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
  const error = await dify.getJobStatus("enable", "2f0c6b1e-0000-4000-8000-000000000000").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NotFoundError);
  expect(error).toMatchObject({ status: 400, code: "invalid_param" });
  expect((error as Error).message).toMatch(/does not exist.*check the job id/i);
});

test("wrong keys: 401 AuthenticationError naming the env var, never the key", async () => {
  const wrong = "sk-wrong-0123456789-secret";
  for (const make of [
    () => createDifyClient({ apiKey: wrong, baseUrl: fake.urls.difyChatflow }).getJobStatus("enable", "j1"),
    () => createComfyClient({ apiKey: wrong, baseUrl: fake.urls.comfy }).getJobStatus("j1"),
    () => createDeepAffectsClient({ apiKey: wrong, baseUrl: fake.urls.deepaffects }).getJobStatus("j1"),
  ]) {
    const error = await make().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/_API_KEY/);
    expect(everythingIn(error)).not.toContain(wrong);
  }
});

test("Comfy: a job of another user is a PermissionDeniedError", async () => {
  const job = fake.createJob("comfy", { status: "executing", owner: "comfyOther" });
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  await expect(comfy.getJobStatus(job.id)).rejects.toBeInstanceOf(PermissionDeniedError);
});

test("a server echoing the key back in its error message does not leak it", async () => {
  const job = fake.createJob("deepaffects", { status: "Running" });
  const key = fake.keys.deepaffects;
  faults.push(
    fake.fault({
      api: "deepaffects",
      route: "status",
      jobId: job.id,
      status: 400,
      body: {
        fault: {
          faultstring: `Bad request for /status?apikey=${key}&request_id=${job.id} (key ${encodeURIComponent(key)})`,
          detail: { errorcode: key },
        },
      },
    }),
  );
  const da = createDeepAffectsClient({ apiKey: key, baseUrl: fake.urls.deepaffects });
  const error = await da.getJobStatus(job.id).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestError);
  expect(everythingIn(error)).not.toContain(key);
  expect((error as Error).message).toContain("[REDACTED]");
});

test("a refused connection is a ConnectionError whose cause carries no key", async () => {
  const da = createDeepAffectsClient({ apiKey: "da-secret-key-42", baseUrl: "http://127.0.0.1:9" });
  const error = await da.getJobStatus("r1").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).cause).toBeInstanceOf(Error);
  expect(everythingIn(error)).not.toContain("da-secret-key-42");
});
