/**
 * Comfy Cloud waits learn job ends and progress from the fake's WebSocket (one connection per key,
 * shared), with polling as the fallback and the source of truth: each pushed end costs exactly one
 * status request, polls slow down while the socket is up and come back when it drops.
 */
import { describe, expect, test } from "vitest";
import {
  createComfyClient,
  createWatcher,
  wait,
  watch,
  type ComfyClientOptions,
  type JobSnapshot,
  type PollPolicyOptions,
} from "../../src/comfy.js";
import { fake, faults, fast, handleOf, statusRequests, useComfyFake, webSocket } from "./fixtures/comfy-fake.js";
import { until } from "../testing/helpers.js";

useComfyFake();

const comfyClient = (options: Partial<ComfyClientOptions> = {}) =>
  createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, webSocket, ...options });
/** A first poll soon (to have a snapshot for progress), then nothing for a minute unless something pushes. */
const slow: PollPolicyOptions = { initialDelayMs: 50, minIntervalMs: 60_000, maxIntervalMs: 60_000, jitter: 0 };
/** No poll for a minute: only a pushed end can end such a wait in time. */
const never: PollPolicyOptions = { ...slow, initialDelayMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Until the key's connection is open: a job that ends after this has its end pushed. */
const connected = () => until(() => fake.comfySockets.count === 1, 5_000);

describe("a pushed end", () => {
  test("ends the wait with exactly one confirming status request", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    const done = wait(comfyClient(), handleOf(job.id), { poll: never, timeoutMs: 10_000 });
    await connected();
    const ended = performance.now();
    job.setStatus("success");
    await expect(done).resolves.toMatchObject({ state: "succeeded", rawStatus: "success" });
    expect(performance.now() - ended).toBeLessThan(2_000);
    expect(statusRequests(job.id)).toBe(1);
  });

  test.each([
    ["failed", "non_retryable_error"],
    ["cancelled", "cancelled"],
  ])("of a job that ends %s is confirmed the same way", async (state, status) => {
    const job = fake.createJob("comfy", { status: "executing" });
    const done = wait(comfyClient(), handleOf(job.id), { poll: never, timeoutMs: 10_000 });
    await connected();
    job.setStatus(status);
    expect((await done).state).toBe(state);
    expect(statusRequests(job.id)).toBe(1);
  });

  test("one connection serves every wait and watcher of the key, and closes with the last job", async () => {
    const a = fake.createJob("comfy", { status: "executing" });
    const b = fake.createJob("comfy", { status: "executing" });
    const watcher = createWatcher();
    const connections = fake.requests({ api: "comfy", route: "ws" }).length;
    const first = wait(comfyClient(), handleOf(a.id), { poll: never, timeoutMs: 10_000 });
    // Another client of the same key: the same connection.
    const second = watcher.add(comfyClient(), handleOf(b.id), { poll: never, timeoutMs: 10_000 }).result;
    await connected();
    a.setStatus("success");
    await first;
    await sleep(50);
    expect(fake.comfySockets.count).toBe(1); // b still needs it
    b.setStatus("success");
    await second;
    await until(() => fake.comfySockets.count === 0);
    expect(fake.requests({ api: "comfy", route: "ws" })).toHaveLength(connections + 1);
    watcher.close();
  });
});

describe("progress", () => {
  test("reaches onUpdate and watch as snapshot.progress, without a request", async () => {
    // The fake sends progress for a run that starts while a socket is open.
    const job = fake.createJob("comfy", { status: "pending" });
    const seen: JobSnapshot[] = [];
    const watching = (async () => {
      for await (const snapshot of watch(comfyClient(), handleOf(job.id), { poll: slow, timeoutMs: 10_000 })) seen.push(snapshot);
    })();
    await until(() => fake.comfySockets.count === 1 && seen.length === 1);
    job.setStatus("executing");
    await until(() => seen.some((s) => s.progress?.max !== undefined));
    job.setStatus("success");
    await watching;
    const withProgress = seen.filter((s) => s.progress?.max !== undefined);
    expect(withProgress.at(-1)!.progress).toMatchObject({ node: "3", max: expect.any(Number), value: expect.any(Number) });
    expect(seen.at(-1)).toMatchObject({ state: "succeeded", terminal: true });
    // The first poll, and the one that confirmed the end.
    expect(statusRequests(job.id)).toBe(2);
  });
});

describe("progress and a slow onUpdate", () => {
  test("waits for the promise onUpdate returned: progress never piles calls up", async () => {
    const job = fake.createJob("comfy", { status: "pending" });
    let active = 0;
    let progressCalls = 0;
    let overlapping = 0;
    const done = wait(comfyClient(), handleOf(job.id), {
      poll: slow,
      timeoutMs: 10_000,
      onUpdate: async (snapshot) => {
        if (snapshot.progress && !snapshot.terminal) {
          progressCalls++;
          if (active > 0) overlapping++;
        }
        active++;
        await sleep(400);
        active--;
      },
    });
    await until(() => fake.comfySockets.count === 1 && statusRequests(job.id) === 1 && active === 0);
    job.setStatus("executing"); // four progress frames over 500 ms
    await sleep(1_500);
    job.setStatus("success");
    await done;
    expect(progressCalls).toBeGreaterThan(0);
    expect(overlapping).toBe(0);
  });
});

describe("when the connection drops", () => {
  test("polls come back to the usual schedule, and slow down again once it reconnects", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    const done = wait(comfyClient(), handleOf(job.id), { poll: fast, pushFallbackMs: 60_000, timeoutMs: 30_000 });
    await until(() => fake.comfySockets.count === 1 && statusRequests(job.id) >= 1);
    await sleep(200); // a poll placed before the socket opened
    const up = statusRequests(job.id);
    await sleep(500);
    expect(statusRequests(job.id)).toBe(up); // up: the fallback rate, one poll a minute

    faults.push(fake.fault({ api: "comfy", route: "ws", status: 503 }));
    fake.comfySockets.drop();
    await sleep(700);
    expect(statusRequests(job.id)).toBeGreaterThanOrEqual(up + 3); // down: every 100 ms

    faults.splice(0).forEach((f) => f.remove());
    await until(() => fake.comfySockets.count === 1, 10_000);
    await sleep(300); // the poll already placed when it came back
    const back = statusRequests(job.id);
    await sleep(500);
    expect(statusRequests(job.id)).toBe(back);

    job.setStatus("success");
    await expect(done).resolves.toMatchObject({ state: "succeeded" });
    expect(statusRequests(job.id)).toBe(back + 1);
  });

  test("a refused upgrade is retried with backoff while polling carries the wait", async () => {
    const refused = fake.fault({ api: "comfy", route: "ws", status: 503 });
    faults.push(refused);
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 2_000 }, { status: "success" }] });
    const done = await wait(comfyClient(), handleOf(job.id), { poll: fast, timeoutMs: 10_000 });
    expect(done.state).toBe("succeeded");
    // At once, then after 0.5-1 s, then 1-2 s: two or three attempts in 2 s, not a storm.
    expect(refused.hits).toBeGreaterThanOrEqual(2);
    expect(refused.hits).toBeLessThanOrEqual(4);
  });
});

describe("events for other jobs", () => {
  test("are ignored: a job nobody watches costs no request", async () => {
    const watched = fake.createJob("comfy", { status: "executing" });
    const other = fake.createJob("comfy", { status: "executing" });
    const done = wait(comfyClient(), handleOf(watched.id), { poll: slow, timeoutMs: 10_000 });
    await until(() => fake.comfySockets.count === 1 && statusRequests(watched.id) === 1);
    other.setStatus("success");
    await sleep(500);
    expect(statusRequests(other.id)).toBe(0);
    expect(statusRequests(watched.id)).toBe(1);
    watched.setStatus("success");
    await done;
  });

  test("an end pushed shortly before its job is added is held for it", async () => {
    const keeper = fake.createJob("comfy", { status: "executing" });
    const watcher = createWatcher();
    const kept = watcher.add(comfyClient(), handleOf(keeper.id), { poll: slow, timeoutMs: 10_000 });
    await connected();
    const early = fake.createJob("comfy", { status: "executing" });
    early.setStatus("success");
    await sleep(300); // its end has been pushed, to no one yet
    const started = performance.now();
    const done = await watcher.add(comfyClient(), handleOf(early.id), { poll: never, timeoutMs: 10_000 }).result;
    expect(done.state).toBe("succeeded");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(statusRequests(early.id)).toBe(1);
    keeper.setStatus("success");
    await kept.result;
    watcher.close();
  });
});

describe("a job that ended before it was added", () => {
  test("is found on its usual schedule until a poll has answered while the connection was up", async () => {
    const keeper = fake.createJob("comfy", { status: "executing" });
    const watcher = createWatcher();
    const kept = watcher.add(comfyClient(), handleOf(keeper.id), { poll: slow, timeoutMs: 10_000 });
    await connected();
    // Its end is never pushed (a stalled link), and its first poll meets a 429.
    fake.comfySockets.silence(1_000);
    const ended = fake.createJob("comfy", { status: "success" });
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: ended.id, status: 429, retryAfter: { ms: 300 }, times: 1 }));
    const started = performance.now();
    const done = await watcher.add(comfyClient(), handleOf(ended.id), { poll: fast, pushFallbackMs: 60_000, timeoutMs: 10_000 }).result;
    expect(done.state).toBe("succeeded");
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(statusRequests(ended.id)).toBe(2);
    keeper.setStatus("success");
    await kept.result;
    watcher.close();
  });
});

describe("opting out", () => {
  test("webSocket: false polls only", async () => {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 300 }, { status: "success" }] });
    const before = fake.requests({ api: "comfy", route: "ws" }).length;
    const done = await wait(comfyClient({ webSocket: false }), handleOf(job.id), { poll: fast, timeoutMs: 10_000 });
    expect(done.state).toBe("succeeded");
    expect(fake.requests({ api: "comfy", route: "ws" }).length).toBe(before);
    expect(statusRequests(job.id)).toBeGreaterThanOrEqual(3);
  });
});
