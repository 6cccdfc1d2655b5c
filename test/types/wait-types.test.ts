/**
 * What `wait`, `watch` and the errors are typed as, checked by `npm run typecheck` (expectTypeOf and
 * @ts-expect-error fail the compile) and run against the fake providers, so the types describe what
 * the calls really resolve with.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from "vitest";
import {
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createWatcher,
  JobFailedError,
  TimeoutError,
  wait,
  watch,
  type ComfyJobHandle,
  type ComfyJobStatus,
  type ComfyRawStatus,
  type ComfySnapshot,
  type DeepAffectsRawStatus,
  type DeepAffectsSnapshot,
  type DifyJobHandle,
  type DifyRawStatus,
  type DifySnapshot,
  type JobSnapshot,
  type SucceededJobSnapshot,
  type TerminalJobSnapshot,
  type TerminalJobState,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

const fast = { poll: { initialDelayMs: 10, minIntervalMs: 10, maxIntervalMs: 50 } };
const now = () => new Date().toISOString();

describe("wait", () => {
  test("with throwOnFailure: true, a snapshot typed as succeeded", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { status: "success" });
    const done = await wait(comfy, { provider: "comfy", jobId: job.id, startedAt: now() }, { ...fast, throwOnFailure: true });
    expectTypeOf(done).toEqualTypeOf<SucceededJobSnapshot<ComfyJobStatus, ComfyJobHandle, ComfyRawStatus>>();
    expectTypeOf(done.state).toEqualTypeOf<"succeeded">();
    expectTypeOf(done.terminal).toEqualTypeOf<true>();
    expectTypeOf(done.rawStatus).toEqualTypeOf<ComfyRawStatus | undefined>();
    expectTypeOf(done.raw).toEqualTypeOf<ComfyJobStatus>();
    // @ts-expect-error a succeeded snapshot is never failed
    expect(done.state === "failed").toBe(false);
    expect(done).toMatchObject({ state: "succeeded", terminal: true, rawStatus: "success" });
  });

  test("without it, a terminal snapshot: never queued, running or unknown", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, baseUrl: fake.urls.difyChatflow });
    const job = fake.createJob("dify-chatflow", { status: "error", errorMessage: "Embedding model unavailable" });
    const done = await wait(dify, { provider: "dify", app: "chatflow", action: "enable", jobId: job.id, startedAt: now() }, fast);
    expectTypeOf(done).toEqualTypeOf<TerminalJobSnapshot<DifySnapshot["raw"], DifyJobHandle, DifyRawStatus>>();
    expectTypeOf(done.state).toEqualTypeOf<TerminalJobState>();
    expectTypeOf(done.terminal).toEqualTypeOf<true>();
    // @ts-expect-error a terminal snapshot is never running
    expect(done.state === "running").toBe(false);
    // @ts-expect-error nor unknown
    expect(done.state === "unknown").toBe(false);
    expect(done).toMatchObject({ state: "failed", terminal: true, rawStatus: "error" });
  });

  test("a throwOnFailure only known at run time gives the terminal type", async () => {
    const da = createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects });
    const job = fake.createJob("deepaffects", { status: "Completed", result: { transcript: "hello" } });
    const throwOnFailure = Math.random() > 2;
    const done = await wait(da, { provider: "deepaffects", api: "asr", jobId: job.id, startedAt: now() }, { ...fast, throwOnFailure });
    expectTypeOf(done.state).toEqualTypeOf<TerminalJobState>();
    expectTypeOf(done.rawStatus).toEqualTypeOf<DeepAffectsRawStatus | undefined>();
    expectTypeOf(done.raw).toEqualTypeOf<DeepAffectsSnapshot["raw"]>();
    expect(done.state).toBe("succeeded");
  });

  test("a completion app's Dify client infers the same way", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyCompletion, baseUrl: fake.urls.difyCompletion, app: "completion" });
    const job = fake.createJob("dify-completion", { status: "completed" });
    const handle: DifyJobHandle = { provider: "dify", app: "completion", action: "enable", jobId: job.id, startedAt: now() };
    const done = await wait(dify, handle, { ...fast, throwOnFailure: true });
    expectTypeOf(done.state).toEqualTypeOf<"succeeded">();
    expectTypeOf(done.handle).toEqualTypeOf<DifyJobHandle>();
    expect(done.rawStatus).toBe("completed");
  });
});

describe("raw statuses", () => {
  test("each provider's known statuses by name, and any other string", () => {
    expectTypeOf<ComfySnapshot["rawStatus"]>().toEqualTypeOf<ComfyRawStatus | undefined>();
    expectTypeOf<DifySnapshot["rawStatus"]>().toEqualTypeOf<DifyRawStatus | undefined>();
    expectTypeOf<DeepAffectsSnapshot["rawStatus"]>().toEqualTypeOf<DeepAffectsRawStatus | undefined>();
    expectTypeOf<"queued_limited" | "success" | "lost">().toExtend<ComfyRawStatus>();
    expectTypeOf<"waiting" | "processing" | "completed" | "error">().toExtend<DifyRawStatus>();
    expectTypeOf<"Running" | "In Progress" | "Completed" | "Failed">().toExtend<DeepAffectsRawStatus>();
    // A status nobody documented yet is still a valid value: its state is "unknown".
    expectTypeOf<"warming_up">().toExtend<ComfyRawStatus>();
    expectTypeOf<string>().toExtend<ComfyRawStatus>();
    // Not plain `string`: the known names stay in the type, for completion and hovers.
    expectTypeOf<ComfyRawStatus>().not.toEqualTypeOf<string>();
  });

  test("watch yields the provider's snapshot type", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { script: [{ status: "queued_limited", forMs: 30 }, { status: "success" }] });
    const seen: Array<ComfyRawStatus | undefined> = [];
    for await (const snapshot of watch(comfy, { provider: "comfy", jobId: job.id, startedAt: now() }, fast)) {
      expectTypeOf(snapshot).toEqualTypeOf<JobSnapshot<ComfyJobStatus, ComfyJobHandle, ComfyRawStatus>>();
      seen.push(snapshot.rawStatus);
    }
    expect(seen.at(-1)).toBe("success");
  });
});

describe("errors", () => {
  test("JobFailedError.snapshot and TimeoutError.lastSnapshot are snapshots", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const failed = fake.createJob("comfy", { status: "error", errorMessage: "Out of memory" });
    const running = fake.createJob("comfy", { status: "executing" });
    const errors = await Promise.all([
      wait(comfy, { provider: "comfy", jobId: failed.id, startedAt: now() }, { ...fast, throwOnFailure: true }).catch((e: unknown) => e),
      wait(comfy, { provider: "comfy", jobId: running.id, startedAt: now() }, { ...fast, timeoutMs: 300 }).catch((e: unknown) => e),
    ]);
    const [failure, timeout] = errors;
    if (!(failure instanceof JobFailedError)) throw new Error(`expected a JobFailedError, got ${String(failure)}`);
    if (!(timeout instanceof TimeoutError)) throw new Error(`expected a TimeoutError, got ${String(timeout)}`);
    expectTypeOf(failure.snapshot).toEqualTypeOf<JobSnapshot>();
    expectTypeOf(timeout.lastSnapshot).toEqualTypeOf<JobSnapshot | undefined>();
    // Read without a cast:
    expect(failure.snapshot.state).toBe("failed");
    expect(failure.snapshot.errorMessage).toBe("Out of memory");
    expect(timeout.lastSnapshot?.rawStatus).toBe("executing");
  });
});

test("a watcher's job is typed per provider; its events carry the JobSnapshot union", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const watcher = createWatcher();
  try {
    const job = fake.createJob("comfy", { status: "success" });
    const watched = watcher.add(comfy, { provider: "comfy", jobId: job.id, startedAt: now() }, fast);
    expectTypeOf(watched.handle).toEqualTypeOf<ComfyJobHandle>();
    const snapshot = await watched.result;
    expectTypeOf(snapshot.raw).toEqualTypeOf<ComfyJobStatus>();
    watcher.on("update", (s) => expectTypeOf(s).toEqualTypeOf<JobSnapshot>());
    expect(snapshot.rawStatus).toBe("success");
  } finally {
    watcher.close();
  }
});
