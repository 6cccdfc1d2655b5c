/**
 * Issue 6 §3, the webhook handler (test/lifecycle/watcher.test.ts covers the basic 401/400/replay
 * path through a real DeepAffects wait; this goes further): every byte of the token counts and the
 * comparison has no early exit; a refused delivery has no side effect at all; malformed and oversized
 * bodies (also chunked, without a length) get 400; replays, also of early deliveries, change nothing.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createDeepAffectsClient, createRateLimiter, createWatcher, createWebhookHandler, toNodeListener } from "../../src/deepaffects.js";

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
    for (let i = 0; i < TOKEN.length; i++) wrong.push(`${TOKEN.slice(0, i)}${String.fromCharCode(TOKEN.charCodeAt(i) ^ 1)}${TOKEN.slice(i + 1)}`);
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
      const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: `/hook?token=${encodeURIComponent(TOKEN)}`, headers: { "content-type": "application/json" } });
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
    const job = watcher.add(da, { provider: "deepaffects", api: "asr", jobId: "req-replay", startedAt: new Date().toISOString(), webhook: true }, { webhookFallbackMs: 3_600_000 });
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
    expect(await (await post(handler, delivery("req-early", { transcript: "second" }), TOKEN)).json()).toEqual({ ok: true, duplicate: true });
    const job = watcher.add(da, { provider: "deepaffects", api: "asr", jobId: "req-early", startedAt: new Date().toISOString(), webhook: true }, { webhookFallbackMs: 3_600_000 });
    expect((await job.result).raw).toMatchObject({ response: { response: { transcript: "first" } } });
    watcher.close();
  });
});
