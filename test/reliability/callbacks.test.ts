/**
 * A wait must end in a clear state even when code it calls back throws: a caller's onUpdate or
 * onProgress, or a provider of the caller's own making whose snapshot breaks the rules. Before the
 * fix such a throw became an unhandled rejection and the wait never settled, not even at its deadline.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, createRateLimiter, createWatcher, wait, type ComfyJobHandle, type JobProvider } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(async () => {
  fake = await startFakeProviders();
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await fake.close();
});

const fast = { initialDelayMs: 0, minIntervalMs: 20, maxIntervalMs: 50, jitter: 0 };
const handleOf = (jobId: string): ComfyJobHandle => ({ provider: "comfy", jobId, startedAt: new Date().toISOString() });
const settleWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then((v) => ({ value: v }), (error: unknown) => ({ error })), new Promise<"hung">((r) => setTimeout(() => r("hung"), ms))]);

test.each(["onUpdate", "onProgress"] as const)("a throwing %s ends the wait with its error, before the deadline", async (callback) => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const job = fake.createJob("comfy", { status: "executing" });
  const oops = new Error(`${callback} broke`);
  const outcome = await settleWithin(
    wait(comfy, handleOf(job.id), { poll: fast, timeoutMs: 1_000, limiter: createRateLimiter(), [callback]: () => { throw oops; } }),
    2_000,
  );
  expect(outcome).toEqual({ error: oops });
  const polls = job.requests().length;
  await new Promise((r) => setTimeout(r, 120));
  expect(job.requests().length, "no poll after the wait ended").toBe(polls);
  expect(unhandled).toEqual([]);
});

test("a provider whose snapshot breaks the rules cannot hang a watcher's other jobs", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  // A hand-made provider (the interface is public) whose failed snapshot carries a number as its error text.
  const broken: JobProvider<ComfyJobHandle, unknown> = {
    ...comfy,
    async status(handle) {
      return { handle, state: "failed", terminal: true, rawStatus: "error", errorMessage: 42 as unknown as string, raw: {}, observedAt: new Date().toISOString() };
    },
  };
  const watcher = createWatcher({ limiter: createRateLimiter() });
  const good = fake.createJob("comfy", { script: [{ status: "executing", forMs: 100 }, { status: "success" }] });
  const bad = watcher.add(broken, handleOf("broken-job"), { poll: fast, timeoutMs: 1_000, throwOnFailure: true });
  const fine = watcher.add(comfy, handleOf(good.id), { poll: fast, timeoutMs: 3_000 });
  const [badOutcome, fineOutcome] = await Promise.all([settleWithin(bad.result, 2_000), settleWithin(fine.result, 4_000)]);
  expect(badOutcome).not.toBe("hung");
  expect(fineOutcome).toMatchObject({ value: { state: "succeeded" } });
  expect(watcher.size).toBe(0);
  watcher.close();
  expect(unhandled).toEqual([]);
});
