/**
 * A job's options meet in one place (resolveJobOptions), in one order: library defaults < the
 * provider's defaults < the watcher's options < the job's own. One test per layer, on the resolver,
 * and through a real watcher against the fake providers where the order shows on the wire.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createComfyClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  type ComfyJobHandle,
  type DifyJobHandle,
} from "../../src/index.js";
import { resolveJobOptions } from "../../src/lifecycle/options.js";
import { DEFAULT_POLL_POLICY } from "../../src/lifecycle/policy.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

const now = Date.parse("2030-01-01T00:00:00Z");
const difyHandle: DifyJobHandle = {
  provider: "dify",
  app: "chatflow",
  action: "enable",
  jobId: "job-1",
  startedAt: new Date(now).toISOString(),
};
const comfyHandle: ComfyJobHandle = { provider: "comfy", jobId: "job-1", startedAt: new Date(now).toISOString() };
const resolve = (
  provider: Parameters<typeof resolveJobOptions>[0]["provider"],
  handle: Parameters<typeof resolveJobOptions>[0]["handle"],
  watcher = {},
  job = {},
) => resolveJobOptions({ provider, handle, saved: undefined, watcher, job, adaptive: false, now });

describe("resolveJobOptions: each layer wins over the ones before it", () => {
  const dify = () => createDifyClient({ apiKey: fake.keys.difyChatflow, app: "chatflow", baseUrl: fake.urls.difyChatflow });
  const comfy = () => createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });

  test("library defaults, where no layer says anything (Comfy brings no poll defaults)", () => {
    const { policy, maxConsecutiveFailures, requestTimeoutMs } = resolve(comfy(), comfyHandle);
    expect(policy).toMatchObject({ initialDelayMs: DEFAULT_POLL_POLICY.initialDelayMs, maxIntervalMs: DEFAULT_POLL_POLICY.maxIntervalMs });
    expect(maxConsecutiveFailures).toBe(20);
    // No second default for the request time limit: the client's own holds.
    expect(requestTimeoutMs).toBeUndefined();
  });

  test("the provider's defaults win over the library's (Dify: a 1 s first check, a 30 s ceiling)", () => {
    expect(resolve(dify(), difyHandle).policy).toMatchObject({ initialDelayMs: 1_000, maxIntervalMs: 30_000 });
  });

  test("the watcher's options win over the provider's", () => {
    expect(resolve(dify(), difyHandle, { poll: { maxIntervalMs: 5_000 } }).policy.maxIntervalMs).toBe(5_000);
  });

  test("the job's own options win over the watcher's", () => {
    const limiter = createRateLimiter();
    const resolved = resolve(
      dify(),
      difyHandle,
      { poll: { maxIntervalMs: 5_000 }, limiter: createRateLimiter() },
      { poll: { maxIntervalMs: 2_000 }, limiter, maxConsecutiveFailures: 3, requestTimeoutMs: 900 },
    );
    expect(resolved.policy.maxIntervalMs).toBe(2_000);
    expect(resolved.limiter).toBe(limiter);
    expect(resolved).toMatchObject({ maxConsecutiveFailures: 3, requestTimeoutMs: 900 });
  });
});

describe("through a watcher, on the wire", () => {
  test("createWatcher({ poll }) sets the schedule of a Dify job, whose provider defaults it outranks", async () => {
    const dify = createDifyClient({ apiKey: fake.keys.difyChatflow, app: "chatflow", baseUrl: fake.urls.difyChatflow });
    const job = fake.createJob("dify-chatflow", {
      action: "enable",
      script: [{ status: "processing", forMs: 60_000 }, { status: "completed" }],
    });
    const watcher = createWatcher({
      limiter: createRateLimiter(),
      poll: { initialDelayMs: 20, minIntervalMs: 20, maxIntervalMs: 50, jitter: 0 },
    });
    try {
      const added = Date.now();
      watcher.add(
        dify,
        { provider: "dify", app: "chatflow", action: "enable", jobId: job.id, startedAt: new Date(added).toISOString() },
        { timeoutMs: 5_000 },
      );
      while (job.requests().length === 0 && Date.now() - added < 2_000) await new Promise((r) => setTimeout(r, 10));
      // The watcher's 20 ms first check, not Dify's own 1 s.
      expect(job.requests()[0]!.at - added).toBeLessThan(700);
    } finally {
      watcher.close();
    }
  });

  test("a job's own limiter is the one it waits on, not the watcher's", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    const own = createRateLimiter();
    own.pause(comfy.rateKey, Date.now() + 60_000);
    const watcher = createWatcher({ limiter: createRateLimiter() });
    try {
      watcher.add(
        comfy,
        { provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() },
        { limiter: own, timeoutMs: 5_000, poll: { initialDelayMs: 0, minIntervalMs: 20, jitter: 0 } },
      );
      await new Promise((r) => setTimeout(r, 300));
      // The key is paused on the job's limiter: nothing may be sent.
      expect(job.requests()).toHaveLength(0);
    } finally {
      watcher.close();
    }
  });
});
