/**
 * Provider text in our errors and snapshots: a 3 MB status, error message or error code is quoted
 * clipped (with its full length noted), the full value staying where a property holds it today
 * (`rawStatus`, `raw`); and a key a server echoes into a status or a request id header is redacted.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRateLimiter, InvalidResponseError, JobStatusError, TimeoutError, wait, type JobSnapshot } from "../../src/index.js";
import type { FakeApi } from "../../src/testing.js";
import { APIS, everythingIn, makeClient, RAW, spellingsOf } from "../fixtures/apis.js";

const HUGE = 3_000_000;
const huge = (seed: string) => seed.repeat(Math.ceil(HUGE / seed.length)).slice(0, HUGE);
const KEY = "echo+Key/Secret=Zz~9Qw 41";
let server: Server;
let origin = "";
let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: "{}" };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const baseFor = (api: FakeApi) => (api === "comfy" ? `${origin}/comfy` : api === "deepaffects" ? `${origin}/da` : `${origin}/v1`);
const clientFor = (api: FakeApi, strict = false) =>
  makeClient(api, { apiKey: KEY, baseUrl: baseFor(api), timeoutMs: 5_000, strict, maxResponseBytes: 32 * 1024 * 1024 });
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe.each(APIS)("%s", (api) => {
  test.each([400, 404, 429, 500])("a %i with a 3 MB error message and code gives a message of at most 1 000 characters", async (status) => {
    const text = huge("the provider says no ");
    answer = {
      status,
      body: JSON.stringify({ code: huge("code_"), message: text, fault: { faultstring: text, detail: { errorcode: huge("code_") } } }),
    };
    const error = await errorOf(clientFor(api).getJobStatus("job-1"));
    expect(error).toBeInstanceOf(JobStatusError);
    const { message, code } = error as JobStatusError;
    expect(message.length).toBeLessThan(1_000);
    expect(message).toContain(`… (${HUGE} characters)`);
    expect(code!.length).toBeLessThan(200);
  });

  test("a 502 HTML page of 3 MB gives a message of at most 1 000 characters", async () => {
    answer = {
      status: 502,
      body: `<html><body><p>${huge("gateway trouble ")}</p></body></html>`,
      headers: { "content-type": "text/html" },
    };
    const error = await errorOf(clientFor(api).getJobStatus("job-1"));
    expect((error as Error).message.length).toBeLessThan(1_000);
  });

  test("a key echoed into the status and the request id header is in no snapshot field or error property", async () => {
    const echoed = spellingsOf(KEY).join(" ");
    const body = { [RAW[api].field]: `${RAW[api].running} ${echoed}`, job_id: "job-1", response: { request_id: "job-1" } };
    answer = { status: 200, body: JSON.stringify(body), headers: { "x-request-id": `r-1 ${echoed}` } };
    const client = clientFor(api);
    const snapshot = await client.provider.status(client.handle("job-1"));
    const { raw: _raw, ...fields } = snapshot;
    for (const form of spellingsOf(KEY)) expect(JSON.stringify(fields)).not.toContain(form);
    answer = { status: 503, body: "{}", headers: { "x-request-id": `r-1 ${echoed}` } };
    const error = await errorOf(client.getJobStatus("job-1"));
    expect((error as JobStatusError).requestId).toMatch(/^r-1 /);
    for (const form of spellingsOf(KEY)) expect(everythingIn(error)).not.toContain(form);
  });
});

describe.each(["dify-chatflow", "comfy"] as const)("%s in strict mode", (api) => {
  test("a 3 MB undocumented status is quoted clipped", async () => {
    answer = { status: 200, body: JSON.stringify({ [RAW[api].field]: huge("warp_drive_"), job_id: "job-1" }) };
    const error = await errorOf(clientFor(api, true).getJobStatus("job-1"));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message.length).toBeLessThan(1_000);
    expect((error as Error).message).toContain(`… (${HUGE + 2} characters)`);
  });
});

test("a wait that times out on a 3 MB status quotes it clipped, and its last snapshot keeps it whole", async () => {
  answer = { status: 200, body: JSON.stringify({ status: huge("still_thinking_") }) };
  const client = clientFor("comfy");
  const error = await errorOf(
    wait(client.provider, client.handle("job-1"), {
      poll: { initialDelayMs: 0, minIntervalMs: 50 },
      timeoutMs: 400,
      limiter: createRateLimiter(),
    }),
  );
  expect(error).toBeInstanceOf(TimeoutError);
  expect((error as Error).message.length).toBeLessThan(1_000);
  const last = (error as TimeoutError).lastSnapshot as JobSnapshot;
  expect(last.rawStatus).toHaveLength(HUGE);
});
