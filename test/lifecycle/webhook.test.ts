/**
 * The webhook handler (test/lifecycle/watcher.test.ts covers the basic 401/400/replay
 * path through a real DeepAffects wait; this goes further): every byte of the token counts and the
 * comparison has no early exit; a refused delivery has no side effect at all; malformed and oversized
 * bodies (also chunked, without a length) get 400; replays, also of early deliveries, change nothing;
 * a delivery that could not be handed over is not remembered, so the provider's retry is handed over.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  createDeepAffectsClient,
  createRateLimiter,
  createWatcher,
  createWebhookHandler,
  InvalidArgumentError,
  JobStatusError,
  toNodeListener,
} from "../../src/deepaffects.js";

const TOKEN = "whk_Zq8+c/2Lr=0pT7mXe4Kd";
const URL_BASE = "https://hooks.example.com/deepaffects";

function spy() {
  const deliver = vi.fn((_provider: string, _jobId: string, _payload: unknown) => true);
  return { deliver, handler: createWebhookHandler({ watcher: { deliver }, token: TOKEN, maxBodyBytes: 64 * 1024 }) };
}
const post = (handler: (r: Request) => Promise<Response>, body: string, token: string | undefined, via: "query" | "header" = "query") =>
  handler(
    new Request(via === "query" && token !== undefined ? `${URL_BASE}?token=${encodeURIComponent(token)}` : URL_BASE, {
      method: "POST",
      headers: { "content-type": "application/json", ...(via === "header" && token !== undefined ? { "x-webhook-token": token } : {}) },
      body,
    }),
  );
const delivery = (id = "req-1", response: unknown = { transcript: "hello" }) => JSON.stringify({ request_id: id, response });

describe("the token", () => {
  test("a change in any single byte, a missing or extra byte, or no token gives 401 and no delivery", async () => {
    const { deliver, handler } = spy();
    const wrong: string[] = ["", TOKEN.slice(1), TOKEN.slice(0, -1), `${TOKEN}x`, `x${TOKEN}`, TOKEN.toLowerCase(), `${TOKEN}\u0000`];
    for (let i = 0; i < TOKEN.length; i++)
      wrong.push(`${TOKEN.slice(0, i)}${String.fromCharCode(TOKEN.charCodeAt(i) ^ 1)}${TOKEN.slice(i + 1)}`);
    const headerSafe = (value: string) => {
      try {
        return new Headers({ v: value }).get("v") === value;
      } catch {
        return false;
      }
    };
    for (const token of wrong) {
      for (const via of headerSafe(token) ? (["query", "header"] as const) : (["query"] as const)) {
        const res = await post(handler, delivery(), token, via);
        expect(res.status, `token ${JSON.stringify(token)} via ${via}`).toBe(401);
      }
    }
    expect((await post(handler, delivery(), undefined)).status).toBe(401);
    expect(deliver).not.toHaveBeenCalled();
    // No side effect: the same delivery with the right token is then the first one, not a replay.
    const ok = await post(handler, delivery(), TOKEN, "header");
    expect(await ok.json()).toEqual({ ok: true, matched: true });
    expect(deliver).toHaveBeenCalledTimes(1);
  });

  test("the comparison runs over every byte of the expected token, with no early exit", () => {
    const source = readFileSync(join(import.meta.dirname, "../../src/lifecycle/webhook.ts"), "utf8");
    const fn = /function sameSecret\(([^)]*)\)[^{]*\{([\s\S]*?)\n\}/.exec(source);
    expect(fn, "sameSecret is where tokens are compared").not.toBeNull();
    const body = fn![2]!;
    // One pass bounded by the expected token's length, folding every byte difference into one value...
    expect(body).toMatch(/for \(let i = 0; i < expected\.length; i\+\+\)/);
    expect(body).toMatch(/\|=/);
    expect(body).toMatch(/given\.length \^ expected\.length/);
    // ...and a single decision at the end: no return, break or short-circuit inside.
    expect(body.match(/\breturn\b/g)).toHaveLength(1);
    expect(body).toMatch(/return difference === 0;\s*$/);
    expect(body).not.toMatch(/\bbreak\b|\bcontinue\b|&&|\|\||\s\?\s/);
    // The handler compares tokens nowhere else (a plain === on strings stops at the first difference).
    expect(source).toMatch(/sameSecret\(new TextEncoder\(\)\.encode\(given\), expected\)/);
    expect(source).not.toMatch(/\bgiven\s*(===|!==|==|!=)|(===|!==|==|!=)\s*given\b/);
  });

  test.each([
    ["a short token", "fifteen-chars!!"],
    ["no token", undefined],
    ["a token that is not a string", 1234567890123456],
  ])("%s: an InvalidArgumentError naming the 16-character minimum, without the token", (_what, token) => {
    const error = (() => {
      try {
        createWebhookHandler({ watcher: { deliver: () => true }, token: token as string });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toBeInstanceOf(JobStatusError);
    expect((error as Error).message).toMatch(/at least 16 characters/);
    if (typeof token === "string") expect((error as Error).message).not.toContain(token);
  });
});

describe("bodies", () => {
  test.each([
    ["not JSON", "{nope"],
    ["empty", ""],
    ["JSON null", "null"],
    ["a number", "5"],
    ["a string", '"req-1"'],
    ["an array", '[{"request_id":"req-1","response":{}}]'],
    ["no request_id", '{"response":{}}'],
    ["a numeric request_id", '{"request_id":7,"response":{}}'],
    ["an empty request_id", '{"request_id":"","response":{}}'],
    ["a request_id over 256 characters", JSON.stringify({ request_id: "r".repeat(257), response: {} })],
    ["no response", '{"request_id":"req-1"}'],
    ["bytes that are not UTF-8", "\udcff\ud800{"],
    ["over the size limit", delivery("req-1", "x".repeat(70 * 1024))],
  ])("%s: 400, nothing delivered", async (_what, body) => {
    const { deliver, handler } = spy();
    const res = await post(handler, body, TOKEN);
    expect(res.status).toBe(400);
    expect(deliver).not.toHaveBeenCalled();
    // Nothing was remembered either: the proper delivery still goes through.
    expect((await post(handler, delivery(), TOKEN)).status).toBe(200);
    expect(deliver).toHaveBeenCalledTimes(1);
  });

  test.each([
    ["a wrong token", "wrong-token-0123456789", 401],
    ["the right token", TOKEN, 400],
  ])("%s, from a client whose body stream has already failed: an answer, not a rejection", async (_what, token, status) => {
    const { deliver, handler } = spy();
    const gone = new ReadableStream({ start: (controller) => controller.error(new Error("client gone")) });
    const request = new Request(`${URL_BASE}?token=${encodeURIComponent(token)}`, {
      method: "POST",
      body: gone,
      duplex: "half",
    } as RequestInit);
    expect((await handler(request)).status).toBe(status);
    expect(deliver).not.toHaveBeenCalled();
  });

  test("GET gets 405 and nothing happens", async () => {
    const { deliver, handler } = spy();
    expect((await handler(new Request(`${URL_BASE}?token=${TOKEN}`))).status).toBe(405);
    expect(deliver).not.toHaveBeenCalled();
  });
});

describe("through node:http", () => {
  let server: Server;
  let port = 0;
  const deliver = vi.fn(() => true);
  beforeAll(async () => {
    server = createServer(toNodeListener(createWebhookHandler({ watcher: { deliver }, token: TOKEN, maxBodyBytes: 64 * 1024 })));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test("a chunked body without a length that grows past the limit gets 400, read, not reset", async () => {
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/hook?token=${encodeURIComponent(TOKEN)}`,
        headers: { "content-type": "application/json" },
      });
      let sent = 0;
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sent });
      });
      req.on("error", reject);
      req.write('{"request_id":"req-big","response":"');
      // Far more than the limit: the handler must answer without buffering it all.
      const chunk = "x".repeat(16 * 1024);
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end('"}');
      };
      pump();
    });
    expect(status).toBe(400);
    expect(sent).toBeGreaterThan(64 * 1024);
    expect(deliver).not.toHaveBeenCalled();
  });
});

describe("replays", () => {
  test("the provider's retries of one delivery end the wait once, with the first result", async () => {
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const handler = createWebhookHandler({ watcher, token: TOKEN });
    const da = createDeepAffectsClient({ apiKey: "da-key-unused-0123456789", baseUrl: "http://127.0.0.1:9" });
    const updates: unknown[] = [];
    watcher.on("update", (s) => updates.push(s.raw));
    const job = watcher.add(
      da,
      { provider: "deepaffects", api: "asr", jobId: "req-replay", startedAt: new Date().toISOString(), webhook: true },
      { webhookFallbackMs: 3_600_000 },
    );
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await (await post(handler, delivery("req-replay", { transcript: `try ${i}` }), TOKEN)).json());
    expect(answers[0]).toEqual({ ok: true, matched: true });
    expect(answers.slice(1)).toEqual(Array(4).fill({ ok: true, duplicate: true }));
    expect((await job.result).raw).toMatchObject({ response: { response: { transcript: "try 0" } } });
    expect(updates).toHaveLength(1);
    // A fallback slower than DeepAffects' 2-minute ceiling is allowed, and nothing polled meanwhile.
    expect(watcher.inFlight).toBe(0);
    watcher.close();
  });

  test("a delivery that comes before the job is watched is kept; its replays change nothing", async () => {
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const handler = createWebhookHandler({ watcher, token: TOKEN });
    const da = createDeepAffectsClient({ apiKey: "da-key-unused-0123456789", baseUrl: "http://127.0.0.1:9" });
    expect(await (await post(handler, delivery("req-early", { transcript: "first" }), TOKEN)).json()).toEqual({ ok: true, matched: false });
    expect(await (await post(handler, delivery("req-early", { transcript: "second" }), TOKEN)).json()).toEqual({
      ok: true,
      duplicate: true,
    });
    const job = watcher.add(
      da,
      { provider: "deepaffects", api: "asr", jobId: "req-early", startedAt: new Date().toISOString(), webhook: true },
      { webhookFallbackMs: 3_600_000 },
    );
    expect((await job.result).raw).toMatchObject({ response: { response: { transcript: "first" } } });
    watcher.close();
  });

  test("an early delivery its job cannot read (handed to watcher.deliver directly) ends that wait with a typed error; add does not throw", async () => {
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const da = createDeepAffectsClient({ apiKey: "da-key-unused-0123456789", baseUrl: "http://127.0.0.1:9" });
    expect(watcher.deliver("deepaffects", "req-odd", { request_id: "another-job", response: {} })).toBe(false);
    const job = watcher.add(
      da,
      { provider: "deepaffects", api: "asr", jobId: "req-odd", startedAt: new Date().toISOString(), webhook: true },
      { webhookFallbackMs: 3_600_000 },
    );
    await expect(job.result).rejects.toBeInstanceOf(JobStatusError);
    expect(watcher.size).toBe(0);
    watcher.close();
  });
});

describe("a delivery that could not be handed over", () => {
  test.each([
    [
      "throws",
      () => {
        throw new Error("listener failed");
      },
    ],
    ["rejects", () => Promise.reject(new Error("store unavailable"))],
  ])("when deliver %s: 500 and nothing remembered, so the provider's retry is handed over again", async (_how, fail) => {
    let failures = 1;
    const handed: unknown[] = [];
    const handler = createWebhookHandler({
      token: TOKEN,
      watcher: {
        deliver: (_provider, _jobId, payload) => {
          if (failures-- > 0) return fail() as unknown as boolean;
          handed.push(payload);
          return true;
        },
      },
    });
    const first = await post(handler, delivery("req-retry"), TOKEN);
    expect(first.status).toBe(500);
    expect(JSON.stringify(await first.json())).not.toMatch(/listener failed|store unavailable/);
    expect(await (await post(handler, delivery("req-retry"), TOKEN)).json()).toEqual({ ok: true, matched: true });
    expect(await (await post(handler, delivery("req-retry"), TOKEN)).json()).toEqual({ ok: true, duplicate: true });
    expect(handed).toHaveLength(1);
  });

  test("redeliveries while one is being handed over share its outcome: handed over once", async () => {
    let calls = 0;
    let finish!: (matched: boolean) => void;
    const handler = createWebhookHandler({
      token: TOKEN,
      watcher: { deliver: () => (calls++, new Promise<boolean>((r) => (finish = r))) },
    });
    const answers = [post(handler, delivery("req-slow"), TOKEN), post(handler, delivery("req-slow"), TOKEN)];
    await new Promise((r) => setTimeout(r, 20));
    finish(true);
    expect(await Promise.all(answers.map(async (a) => (await a).status))).toEqual([200, 200]);
    expect(calls).toBe(1);
  });

  test("a watcher whose update listener throws: the delivery is handed over once and the job's wait ends with the listener's error", async () => {
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const handler = createWebhookHandler({ watcher, token: TOKEN });
    const da = createDeepAffectsClient({ apiKey: "da-key-unused-0123456789", baseUrl: "http://127.0.0.1:9" });
    const broke = new Error("listener failed");
    watcher.on("update", () => {
      throw broke;
    });
    const job = watcher.add(
      da,
      { provider: "deepaffects", api: "asr", jobId: "req-listener", startedAt: new Date().toISOString(), webhook: true },
      { webhookFallbackMs: 3_600_000 },
    );
    expect((await post(handler, delivery("req-listener", { transcript: "done" }), TOKEN)).status).toBe(200);
    const ended = await Promise.race([
      job.result.then(
        () => "resolved",
        (error: unknown) => error,
      ),
      new Promise((r) => setTimeout(() => r("still waiting"), 1_000)),
    ]);
    expect(ended).toBe(broke);
    expect(watcher.size).toBe(0);
    watcher.close();
  });
});
