/**
 * The node:http adapter in a receiver process of its own, set up as the README shows: whatever one
 * unauthenticated client sends (request lines a Request cannot hold, odd targets and headers, bodies
 * cut off, handlers that fail), the process lives on and answers 400 or 405 (or node:http itself
 * refuses the request), never 5xx for input, never nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { within } from "../fixtures/child.js";
import { exchange, startWebhookChild, type WebhookChild } from "../fixtures/raw-http.js";

const TOKEN = "whk_Zq8+c/2Lr=0pT7mXe4Kd";
const Q = `?token=${encodeURIComponent(TOKEN)}`;
const delivery = (id: string, response: unknown = { transcript: "hi" }) => JSON.stringify({ request_id: id, response });
const post = (target: string, body: string, headers = "") =>
  `POST ${target} HTTP/1.1\r\nHost: hooks.example.com\r\n${headers}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

let receiver: WebhookChild;
beforeAll(async () => {
  receiver = await startWebhookChild(TOKEN);
}, 20_000);
// One case that kills the receiver must not hide how the others fare.
beforeEach(async () => {
  await within(receiver.run.exited, 50, undefined);
  if (receiver.ended()) receiver = await startWebhookChild(TOKEN);
}, 20_000);
afterAll(() => receiver.stop());

/** Asserts the receiver still runs and still takes a proper delivery. */
async function stillServing(id: string) {
  expect(receiver.ended(), "the receiver process ended").toBeUndefined();
  const answer = await exchange(receiver.port, [post(`/hook${Q}`, delivery(id))]);
  expect(answer.status).toBe(200);
  expect(receiver.delivered()).toContain(id);
}

describe("request lines a Request cannot be built from", () => {
  test.each([
    ["TRACE", [405], `TRACE /hook${Q} HTTP/1.1\r\nHost: a\r\n\r\n`],
    ["TRACK", [400, 405], `TRACK /hook${Q} HTTP/1.1\r\nHost: a\r\n\r\n`],
    ["an absolute URL with a bad host", [400], `POST http://[bad/hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`],
    ["an absolute URL with a port out of range", [400], `POST http://a:99999/hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`],
    ["an absolute URL with credentials", [400], `POST http://user:pw@a/hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`],
    ["an asterisk as the target of a POST", [400], `POST *${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`],
    ["an absolute URL of another scheme", [400], `POST ftp://a/hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`],
  ])("%s: %s, and the process lives on", async (what, status, request) => {
    const answer = await exchange(receiver.port, [request]);
    // TRACK is refused by node:http's parser itself (400) before the adapter sees it.
    expect(status, `${what}: ${answer.statusLine}; ${receiver.ended()?.stderr ?? ""}`).toContain(answer.status);
    await stillServing(`line-${what}`);
  });

  test("CONNECT is refused (by node:http or with 405), and the process lives on", async () => {
    const answer = await exchange(receiver.port, [`CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n`]);
    if (answer.status !== undefined) expect(answer.status).toBeOneOf([400, 405]);
    await stillServing("line-connect");
  });

  test.each([
    ["a protocol-relative target", `//evil.example/hook${Q}`, 200],
    ["a target of 8 000 characters", `/hook${Q}&pad=${"a".repeat(8_000)}`, 200],
    ["percent escapes that decode to nothing valid", `/%ff%fe%00hook${Q}&x=%zz`, 200],
  ])("%s: read for its query only", async (what, target, status) => {
    const id = `target-${what}`;
    const answer = await exchange(receiver.port, [post(target, delivery(id))]);
    expect(answer.status, answer.statusLine).toBe(status);
    expect(receiver.delivered().includes(id)).toBe(status === 200);
    await stillServing(`after-${id}`);
  });
});

describe("headers", () => {
  test("bytes past ASCII in a header value and a token split over two headers: no crash, 401", async () => {
    const answer = await exchange(receiver.port, [
      Buffer.concat([
        Buffer.from("POST /hook HTTP/1.1\r\nHost: a\r\nX-Odd: "),
        Buffer.from([0x80, 0xff, 0xfe]),
        Buffer.from(`\r\nX-Webhook-Token: ${TOKEN.slice(0, 8)}\r\nX-Webhook-Token: ${TOKEN.slice(8)}\r\nContent-Length: 2\r\n\r\n{}`),
      ]),
    ]);
    expect(answer.status).toBe(401);
    await stillServing("after-odd-headers");
  });

  test("behind node:http's lenient parser, a NUL in a header value (which Headers refuses) gets 400 and the process lives on", async () => {
    const lenient = await startWebhookChild(TOKEN, "lenient");
    try {
      const answer = await exchange(lenient.port, [post(`/hook${Q}`, delivery("nul-header"), "X-Odd: a\u0000b\r\n")]);
      await within(lenient.run.exited, 50, undefined);
      expect(lenient.ended()?.stderr).toBeUndefined();
      expect(answer.status).toBe(400);
      expect(lenient.delivered()).toEqual([]);
    } finally {
      await lenient.stop();
    }
  });
});

describe("bodies and clients that fail", () => {
  test.each([
    ["a length never reached", [`POST /hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{"request_id":`]],
    ["a chunk cut in its middle", [`POST /hook${Q} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{"request_id":"cut"`]],
  ])("a client gone mid-body (%s): nothing delivered, the process lives on", async (what, parts) => {
    await exchange(receiver.port, [...parts, "x"], { cutAfter: parts.length });
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.delivered()).not.toContain("cut");
    await stillServing(`after-cut-${what}`);
  });

  test("a client that stops sending and half-closes: 400 from node:http, nothing delivered", async () => {
    const answer = await exchange(receiver.port, [
      `POST /hook${Q} HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{"request_id":"half"`,
    ]);
    if (answer.status !== undefined) expect(answer.status).toBe(400);
    expect(receiver.delivered()).not.toContain("half");
    await stillServing("after-half-close");
  });

  test("a handler that throws before returning its promise: 500, the process lives on", async () => {
    const answer = await exchange(receiver.port, [post("/throw", "{}")]);
    expect(answer.status, receiver.ended()?.stderr).toBe(500);
    await stillServing("after-throw");
  });

  test("a Response whose body stream fails: 500, the process lives on", async () => {
    const answer = await exchange(receiver.port, [post("/broken-body", "{}")]);
    expect(answer.status, receiver.ended()?.stderr).toBe(500);
    await stillServing("after-broken-body");
  });
});
