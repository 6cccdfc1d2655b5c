// Testing your app with jobstatus/testing: fake Comfy Cloud, Dify and DeepAffects servers on
// 127.0.0.1, with scripted job states, injected faults and a record of every request.
//
//   npx vitest run examples/testing-your-app.test.ts
import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, wait } from "jobstatus/comfy";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { renderThumbnail } from "./render.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

test("renderThumbnail survives a rate limit and an undocumented state", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  fake.fault({ api: "comfy", route: "status", status: 429, retryAfter: { seconds: 1 }, times: 1 });
  fake.fault({ api: "comfy", route: "status", rawStatus: "warming_up", times: 1 });

  const thumbnail = await renderThumbnail(comfy, { prompt: "a lighthouse" });

  expect(thumbnail.state).toBe("succeeded");
  expect(fake.requests({ api: "comfy", route: "start" })).toHaveLength(1); // never started twice
  expect(fake.requests({ api: "comfy", route: "status" }).map((r) => r.status)).toContain(429);
});

test("a job that fails resolves the wait with its error message", async () => {
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const job = fake.createJob("comfy", {
    script: [{ status: "executing", forMs: 200 }, { status: "non_retryable_error" }],
    errorMessage: "out of memory",
  });

  const done = await wait(comfy, { provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() });

  expect(done).toMatchObject({ state: "failed", errorMessage: "out of memory" });
});

test("a wrong key is an AuthenticationError, before any job starts", async () => {
  const comfy = createComfyClient({ apiKey: "not-the-key", baseUrl: fake.urls.comfy });
  await expect(renderThumbnail(comfy, { prompt: "a lighthouse" })).rejects.toMatchObject({ name: "AuthenticationError", status: 401 });
});
