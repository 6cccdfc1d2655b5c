// Testing a long job in a fraction of a second: vitest fake timers move both the wait's sleeps and
// the fake providers' clock (job states are computed from Date.now() on each request), while the
// requests themselves still go over real loopback HTTP.
//
//   npx vitest run examples/testing-fake-timers.test.ts
import { afterEach, expect, test, vi } from "vitest";
import { createComfyClient } from "jobstatus/comfy";
import { startFakeProviders, type FakeProviders, type ScriptStep } from "jobstatus/testing";
import { renderThumbnail } from "./render.js";

// Captured before faking: real pauses let a request's loopback I/O happen while the clock stands still.
const realSetTimeout = globalThis.setTimeout;
const realPause = () => new Promise((resolve) => realSetTimeout(resolve, 1));

/** The global fetch, counting requests in flight until their bodies are read, so the clock moves only between them. */
function countingFetch() {
  const counter = {
    inFlight: 0,
    fetch: async (request: Request): Promise<Response> => {
      counter.inFlight++;
      try {
        const response = await fetch(request);
        return new Response(await response.arrayBuffer(), response);
      } finally {
        counter.inFlight--;
      }
    },
  };
  return counter;
}

/** Moves fake time forward in `stepMs` steps until `promise` settles, never while a request is in flight. */
async function runFakeTime<T>(
  counter: { inFlight: number },
  promise: Promise<T>,
  { stepMs = 1_000, maxMs = 3 * 60 * 60_000 } = {},
): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let elapsed = 0; !settled && elapsed < maxMs; elapsed += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
    for (let i = 0; i < 5_000 && counter.inFlight > 0; i++) await realPause();
  }
  return promise;
}

let fake: FakeProviders | undefined;

/** Fake timers first, so the fake providers' clock is the faked Date; then every started Comfy job follows `script`. */
async function startWithFakeTime(script: ScriptStep[]) {
  // Only timers and Date: the HTTP server and client need real sockets and setImmediate.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  fake = await startFakeProviders({ defaultScripts: { comfy: script } });
  const counter = countingFetch();
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, fetch: counter.fetch });
  return { comfy, counter };
}

afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
});

test("a 15-minute render is found soon after it ends, with about 40 polls", async () => {
  const { comfy, counter } = await startWithFakeTime([
    { status: "pending", forMs: 60_000 },
    { status: "executing", forMs: 14 * 60_000 },
    { status: "success" },
  ]);
  const started = Date.now();

  const thumbnail = await runFakeTime(counter, renderThumbnail(comfy, { prompt: "a lighthouse" }));

  expect(thumbnail.state).toBe("succeeded");
  const polls = fake!.requests({ api: "comfy", route: "status" });
  const lateMs = polls.at(-1)!.at - (started + 15 * 60_000);
  expect(lateMs).toBeLessThanOrEqual(0.15 * 15 * 60_000); // about `patience` (0.15) of the job's age at most
  // Intervals grow with the job's age: about 40 polls in 15 minutes, where a fixed 2.5 s interval takes 360.
  expect(polls.length).toBeLessThanOrEqual(50);
});

test("the deadline ends a render that never finishes, with a TimeoutError", async () => {
  const { comfy, counter } = await startWithFakeTime([{ status: "executing" }]);

  const render = renderThumbnail(comfy, { prompt: "a lighthouse", timeoutMs: 30 * 60_000 });

  await expect(runFakeTime(counter, render)).rejects.toMatchObject({ name: "TimeoutError", kind: "wait" });
});
