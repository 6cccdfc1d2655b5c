/**
 * Issue 6 §3: a redirect to another origin never carries the provider key, for every API (Comfy's
 * file view is covered in test/clients/redirect.test.ts); a same-origin redirect keeps working; a
 * redirect loop ends in a typed error.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { InvalidResponseError } from "../../src/index.js";
import { startFakeProviders, type FakeApi, type FakeProviders, type FaultHandle } from "../../src/testing.js";
import { APIS, keyOf, makeClient, RAW, SECRET_KEYS, spellingsOf, urlOf } from "./fixtures/apis.js";

let fake: FakeProviders;
let other: Server;
let otherOrigin = "";
const faults: FaultHandle[] = [];
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  fake = await startFakeProviders({ keys: SECRET_KEYS });
  // Another origin (another port): answers any GET with a body every API's status reader accepts.
  other = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    const body = JSON.stringify({ job_status: "completed", status: "success", job_id: "elsewhere", response: { request_id: "elsewhere", response: {} } });
    res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
  });
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterEach(() => {
  faults.splice(0).forEach((f) => f.remove());
  seen.length = 0;
});
afterAll(async () => {
  other.closeAllConnections();
  await new Promise((r) => other.close(r));
  await fake.close();
});

const redirect = (api: FakeApi, jobId: string, status: number, location: string, times?: number) =>
  faults.push(fake.fault({ api, route: "status", jobId, status, body: "", headers: { Location: location }, ...(times ? { times } : {}) }));

/** The canonical status URL of a job, as a server would name it, without any credential in it. */
function statusUrl(api: FakeApi, jobId: string): string {
  const path = api === "deepaffects" ? `/transaction/generic/api/v1/async/status?request_id=${jobId}` : api === "comfy" ? `/api/job/${jobId}/status` : `/apps/annotation-reply/enable/status/${jobId}`;
  return `${urlOf(api, fake.urls)}${path}`;
}

describe.each(APIS)("%s", (api) => {
  const key = () => keyOf(api, fake.keys);
  const client = () => makeClient(api, { apiKey: key(), baseUrl: urlOf(api, fake.urls), timeoutMs: 3_000 });

  test.each([301, 302, 303, 307, 308])("a %i to another origin is followed without the key", async (status) => {
    const job = fake.createJob(api, { status: RAW[api].running });
    redirect(api, job.id, status, `${otherOrigin}/signed/status?sig=abc`, 1);
    const body = await client().getJobStatus(job.id);
    expect(body[RAW[api].field]).toBe(api.startsWith("dify") ? "completed" : "success");
    expect(seen).toHaveLength(1);
    const [request] = seen as [(typeof seen)[number]];
    expect(request.url).toBe("/signed/status?sig=abc");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["x-api-key"]).toBeUndefined();
    const everything = JSON.stringify(seen);
    for (const form of spellingsOf(key())) expect(everything).not.toContain(form);
  });

  test.each([301, 302, 303, 307, 308])("a same-origin %i, then a hop to another origin, still drops the key", async (status) => {
    const first = fake.createJob(api, { status: RAW[api].running });
    const second = fake.createJob(api, { status: RAW[api].running });
    redirect(api, first.id, status, statusUrl(api, second.id), 1);
    redirect(api, second.id, 302, `${otherOrigin}/signed/status?sig=def`, 1);
    await client().getJobStatus(first.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers["x-api-key"]).toBeUndefined();
    for (const form of spellingsOf(key())) expect(JSON.stringify(seen)).not.toContain(form);
  });

  test("a same-origin redirect keeps the key and works", async () => {
    const job = fake.createJob(api, { status: RAW[api].done });
    redirect(api, job.id, 307, statusUrl(api, job.id), 1);
    const body = await client().getJobStatus(job.id);
    expect(body[RAW[api].field]).toBe(RAW[api].done);
    const hops = fake.requests({ api, jobId: job.id });
    expect(hops.map((r) => r.status)).toEqual([307, 200]);
  });

  test("a redirect loop ends in an InvalidResponseError without the key", async () => {
    const looping = fake.createJob(api, { status: RAW[api].done });
    redirect(api, looping.id, 302, statusUrl(api, looping.id));
    const error = await client().getJobStatus(looping.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/more than 5 redirects/);
    expect(fake.requests({ api, jobId: looping.id })).toHaveLength(6);
    for (const form of spellingsOf(key())) expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(form);
  });
});
