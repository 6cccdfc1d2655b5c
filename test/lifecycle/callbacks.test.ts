/**
 * A wait must end in a clear state whatever code it calls back does: a caller's onUpdate or onProgress,
 * a watcher's listeners, or a provider of the caller's own making whose snapshot breaks the rules.
 * Each kind of failure (a throw of anything, a rejected promise, a promise that never settles) ends
 * the job's wait with that error or leaves it alone, and never goes unhandled or unreported.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createComfyClient,
  createRateLimiter,
  createWatcher,
  TimeoutError,
  wait,
  watch,
  type ComfyJobHandle,
  type JobProvider,
  type JobResult,
} from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { runFixture, within } from "../fixtures/child.js";

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
  Promise.race([
    promise.then(
      (v) => ({ value: v }),
      (error: unknown) => ({ error }),
    ),
    new Promise<"hung">((r) => setTimeout(() => r("hung"), ms)),
  ]);

test.each(["onUpdate", "onProgress"] as const)("a throwing %s ends the wait with its error, before the deadline", async (callback) => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const job = fake.createJob("comfy", { status: "executing" });
  const oops = new Error(`${callback} broke`);
  const outcome = await settleWithin(
    wait(comfy, handleOf(job.id), {
      poll: fast,
      timeoutMs: 1_000,
      limiter: createRateLimiter(),
      [callback]: () => {
        throw oops;
      },
    }),
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
      return {
        handle,
        state: "failed",
        terminal: true,
        rawStatus: "error",
        errorMessage: 42 as unknown as string,
        raw: {},
        observedAt: new Date().toISOString(),
      };
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

/** Every way caller code can fail, and how the wait ends: with that error, or at its deadline (a never-settling promise holds the job's next step). */
const failures: Array<[string, () => unknown, "ends" | "holds"]> = [
  [
    "throws an Error",
    () => {
      throw new Error("boom");
    },
    "ends",
  ],
  [
    "throws undefined",
    () => {
      throw undefined;
    },
    "ends",
  ],
  [
    "throws null",
    () => {
      throw null;
    },
    "ends",
  ],
  [
    "throws a string",
    () => {
      throw "boom";
    },
    "ends",
  ],
  [
    "throws a number",
    () => {
      throw 42;
    },
    "ends",
  ],
  ["rejects at once", () => Promise.reject(new Error("boom")), "ends"],
  ["rejects later with undefined", () => new Promise((_, reject) => setTimeout(() => reject(undefined), 5)), "ends"],
  ["rejects later with a string", () => new Promise((_, reject) => setTimeout(() => reject("boom"), 5)), "ends"],
  [
    "returns a thenable whose then throws",
    () => ({
      then() {
        throw new Error("boom");
      },
    }),
    "ends",
  ],
  ["returns a promise that never settles", () => new Promise(() => {}), "holds"],
];
const hooks = ["onUpdate", "onProgress", "update listener"] as const;

describe.each(hooks)("%s", (hook) => {
  test.each(failures)(
    "that %s: the wait ends with that error before its deadline, or at the deadline; nothing unhandled",
    async (_name, callback, effect) => {
      const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
      const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 150 }, { status: "success" }] });
      const watcher = createWatcher({ limiter: createRateLimiter() });
      const errors: unknown[] = [];
      watcher.on("error", (error) => void errors.push(error));
      if (hook === "update listener") watcher.on("update", callback);
      const options = hook === "update listener" ? {} : { [hook]: callback };
      const outcome = await settleWithin(watcher.add(comfy, handleOf(job.id), { poll: fast, timeoutMs: 1_000, ...options }).result, 2_000);
      if (effect === "holds") expect((outcome as { error?: unknown }).error).toBeInstanceOf(TimeoutError);
      else {
        expect(outcome).toHaveProperty("error");
        const { error } = outcome as { error: unknown };
        // What was thrown is what the wait throws; nothing (undefined, null) becomes an Error saying so.
        expect(error ?? "nullish").not.toBe("nullish");
        if (error instanceof Error && !/boom/.test(error.message)) expect(error.message).toMatch(/threw (undefined|null)/);
        const polls = job.requests().length;
        await new Promise((r) => setTimeout(r, 80));
        expect(job.requests().length, "no poll after the wait ended").toBe(polls);
      }
      await new Promise((r) => setTimeout(r, 20));
      watcher.close();
      expect(unhandled).toEqual([]);
      // The error that ended the wait is reported there, not again as a watcher error.
      expect(errors).toEqual([]);
    },
  );
});

test("watch(): an onUpdate whose promise rejects ends the loop with its error", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const job = fake.createJob("comfy", { status: "executing" });
  const oops = new Error("onUpdate rejected");
  const loop = (async () => {
    const states: string[] = [];
    for await (const s of watch(comfy, handleOf(job.id), {
      poll: fast,
      timeoutMs: 1_000,
      limiter: createRateLimiter(),
      onUpdate: async () => Promise.reject(oops),
    }))
      states.push(s.state);
    return states;
  })();
  expect(await settleWithin(loop, 2_000)).toEqual({ error: oops });
  expect(unhandled).toEqual([]);
});

test("a settled listener that throws or rejects skips no other listener, results() ends, and each error reaches the error event", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const watcher = createWatcher({ limiter: createRateLimiter() });
  const seen: JobResult[] = [];
  const errors: unknown[] = [];
  watcher.on("settled", () => {
    throw new Error("first broke");
  });
  watcher.on("settled", () => {
    throw undefined;
  });
  watcher.on("settled", async () => {
    throw "third broke";
  });
  watcher.on("settled", (result) => void seen.push(result));
  watcher.on("error", (error) => void errors.push(error));
  const jobs = Array.from({ length: 3 }, () =>
    fake.createJob("comfy", { script: [{ status: "executing", forMs: 60 }, { status: "success" }] }),
  );
  for (const job of jobs) watcher.add(comfy, handleOf(job.id), { poll: fast, timeoutMs: 2_000 });
  const streamed = (async () => {
    const all: JobResult[] = [];
    for await (const result of watcher.results()) all.push(result);
    return all;
  })();
  const outcome = await settleWithin(streamed, 3_000);
  expect(outcome).not.toBe("hung");
  expect((outcome as { value: JobResult[] }).value.map((r) => r.snapshot?.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
  expect(seen).toHaveLength(3);
  await new Promise((r) => setTimeout(r, 20));
  expect(errors.filter((e) => e instanceof Error && e.message === "first broke")).toHaveLength(3);
  expect(errors.filter((e) => e === undefined)).toHaveLength(3);
  expect(errors.filter((e) => e === "third broke")).toHaveLength(3);
  watcher.close();
  expect(unhandled).toEqual([]);
});

test("an update listener that throws skips no other listener, and ends only its own job", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const watcher = createWatcher({ limiter: createRateLimiter() });
  const broken = fake.createJob("comfy", { status: "executing" });
  const fine = fake.createJob("comfy", { script: [{ status: "executing", forMs: 100 }, { status: "success" }] });
  const updates: string[] = [];
  watcher.on("update", (s) => {
    if (s.handle.jobId === broken.id) throw new Error("listener broke");
  });
  watcher.on("update", (s) => void updates.push(`${s.handle.jobId}:${s.state}`));
  const a = watcher.add(comfy, handleOf(broken.id), { poll: fast, timeoutMs: 2_000 });
  const b = watcher.add(comfy, handleOf(fine.id), { poll: fast, timeoutMs: 2_000 });
  const [outA, outB] = await Promise.all([settleWithin(a.result, 3_000), settleWithin(b.result, 3_000)]);
  expect(outA).toEqual({ error: new Error("listener broke") });
  expect(outB).toMatchObject({ value: { state: "succeeded" } });
  expect(updates).toContain(`${broken.id}:running`);
  expect(updates).toContain(`${fine.id}:succeeded`);
  watcher.close();
  expect(unhandled).toEqual([]);
});

describe("in a process of its own", () => {
  const run = async (mode: string) => {
    // The child takes a second or two to start: a job that runs on, or one that has ended already.
    const job = fake.createJob("comfy", { status: mode === "progress-rejects" ? "executing" : "success" });
    const child = runFixture("callback-errors.ts", [fake.urls.comfy, fake.keys.comfy, job.id, mode]);
    const exited = await within(child.exited, 15_000, undefined);
    if (!exited) child.child.kill("SIGKILL");
    return { exited, lines: child.lines, stderr: child.stderr() };
  };

  test("the README's resume pattern with a failing database write: the wait throws the write's error, the process lives", {
    timeout: 20_000,
  }, async () => {
    const { exited, lines, stderr } = await run("progress-rejects");
    expect(exited?.code, stderr).toBe(0);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ summary: true, outcome: "database unavailable" }]);
  });

  test("a settled listener's error that nobody listens for is rethrown, not swallowed: the process fails loudly", {
    timeout: 20_000,
  }, async () => {
    const { exited, stderr } = await run("settled-unheard");
    expect(exited?.code).not.toBe(0);
    expect(stderr).toContain("settled listener broke");
  });

  test("with an error listener, the same error goes there and the process goes on", { timeout: 20_000 }, async () => {
    const { exited, lines, stderr } = await run("settled-heard");
    expect(exited?.code, stderr).toBe(0);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ summary: true, state: "succeeded", errors: ["settled listener broke"] }]);
  });
});

describe("a callback's promise holds its job's next step", () => {
  test("an onProgress write that fails after the job has ended at the provider rejects the wait; nothing is rethrown", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 30 }, { status: "success" }] });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const down = new Error("database down");
      // The README's resume pattern, with a database that fails slowly: the job ends long before the write does.
      const onProgress = () => new Promise((_, reject) => setTimeout(() => reject(down), 200));
      const outcome = await settleWithin(
        wait(comfy, handleOf(job.id), { poll: fast, timeoutMs: 2_000, limiter: createRateLimiter(), onProgress }),
        3_000,
      );
      expect(outcome).toEqual({ error: down });
      await new Promise((r) => setTimeout(r, 50));
      expect(uncaught).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  test("onProgress writes never overlap and land in order; the next poll waits for each", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 300 }, { status: "success" }] });
    let running = 0;
    let most = 0;
    const saved: number[] = [];
    const onProgress = async (state: { attempts: number }) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 40));
      saved.push(state.attempts);
      running--;
    };
    const done = await wait(comfy, handleOf(job.id), {
      poll: { ...fast, minIntervalMs: 5, maxIntervalMs: 5 },
      timeoutMs: 3_000,
      limiter: createRateLimiter(),
      onProgress,
    });
    expect(done.state).toBe("succeeded");
    expect(most).toBe(1);
    expect(saved.length).toBeGreaterThan(1);
    expect(saved).toEqual([...saved].sort((a, b) => a - b));
    // A 5 ms poll interval, but each poll waited for the 40 ms write before it.
    const times = job.requests().map((r) => r.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(35);
  });

  test("an async onUpdate of the terminal snapshot has finished when the wait resolves", async () => {
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 30 }, { status: "success" }] });
    const written: string[] = [];
    const onUpdate = async (snapshot: { state: string }) => {
      await new Promise((r) => setTimeout(r, 60));
      written.push(snapshot.state);
    };
    const done = await wait(comfy, handleOf(job.id), { poll: fast, timeoutMs: 2_000, limiter: createRateLimiter(), onUpdate });
    expect(done.state).toBe("succeeded");
    expect(written.at(-1)).toBe("succeeded");
  });
});
