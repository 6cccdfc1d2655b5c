/**
 * Hostile raw HTTP to a webhook receiver in its own process (http.createServer(toNodeListener(...)),
 * with node:http's default parser and with its lenient one): random methods, request targets, header names and values, token placements,
 * bodies, encodings, chunked framing, split writes and early disconnects. Whatever arrives, the
 * process lives on, every answer is a well-formed status below 500 (500 only for the deliberate
 * failing deliver), and nothing is delivered without the right token.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fuzzReport, runs } from "../fixtures/fuzz.js";
import { within } from "../fixtures/child.js";
import { exchange, startWebhookChild, type WebhookChild } from "../fixtures/raw-http.js";

const TOKEN = "whk_Zq8+c/2Lr=0pT7mXe4Kd";
// node:http's lenient parser (insecureHTTPParser) lets through header values and framing the strict one refuses.
const receivers: Record<"strict" | "lenient", WebhookChild> = {} as never;
beforeAll(async () => {
  receivers.strict = await startWebhookChild(TOKEN, "strict");
  receivers.lenient = await startWebhookChild(TOKEN, "lenient");
}, 30_000);
afterAll(async () => {
  await Promise.all(Object.values(receivers).map((r) => r.stop()));
  console.log(fuzzReport("fuzz-webhook"));
});

const printable = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const wrongToken = fc.oneof(
  fc.constantFrom("", TOKEN.slice(1), TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toLowerCase(), TOKEN.replace("Z", "z"), " ".repeat(24)),
  fc.string({ unit: printable(0x21, 0x7e), minLength: 1, maxLength: 40 }).filter((t) => t !== TOKEN),
);
// Where the token goes: in the query, the header, both, neither, right or wrong.
const tokenArb = fc.record({
  query: fc.option(fc.oneof(fc.constant(TOKEN), wrongToken), { nil: undefined }),
  header: fc.option(fc.oneof(fc.constant(TOKEN), wrongToken), { nil: undefined }),
});

/** Whether the request carries the right token as documented: the URL's `token` query parameter, else the header. */
function authorized(target: string, header: string | undefined): boolean {
  let query: string | null = null;
  try {
    query = new URL(target, "http://localhost").searchParams.get("token");
  } catch {
    // no URL, so no query
  }
  return (query ?? header?.trim()) === TOKEN;
}
const methodArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant("POST") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "GET",
      "HEAD",
      "PUT",
      "DELETE",
      "PATCH",
      "OPTIONS",
      "TRACE",
      "TRACK",
      "CONNECT",
      "PURGE",
      "M-SEARCH",
      "PROPFIND",
      "QUERY",
      "post",
      "PO ST",
      "POST\t",
      "ÿ",
      "",
    ),
  },
);
// The part of the target before the query: paths, hostile paths, absolute forms with good and bad authorities.
const targetArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant("/hook") },
  fc.constantFrom(
    "//evil.example/hook",
    "/",
    "*",
    "",
    "/%ff%00/..%2f",
    "/hook#frag",
    "/ho ok",
    "http://[bad",
    "http://[::1]/hook",
    "http://a:99999/hook",
    "http://a:-1/",
    "http://user:pw@a/hook",
    "https://a/hook",
    "ftp://a/hook",
    "http://a%00b/",
    "http:hook",
    "javascript:alert(1)",
  ),
  fc.string({ unit: printable(0x21, 0x7e), maxLength: 60 }).map((s) => `/${s}`),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.integer({ min: 2_000, max: 20_000 }).map((n) => `/${"a".repeat(n)}`),
);
const headerArb = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "X-Odd",
      "Content-Type",
      "Content-Encoding",
      "Expect",
      "Connection",
      "Host",
      "X-Webhook-Token",
      "Upgrade",
      "Trailer",
      "Te",
    ),
    fc.string({ unit: printable(0x00, 0xff), minLength: 0, maxLength: 12 }),
  ),
  fc.oneof(
    fc.constantFrom("gzip", "100-continue", "close", "websocket", "application/json; charset=utf-16", ""),
    fc.string({ unit: printable(0x00, 0xff), maxLength: 30 }),
  ),
);
const bodyKindArb = fc.constantFrom(
  "delivery",
  "delivery",
  "delivery",
  "boom",
  "junk",
  "empty",
  "deep",
  "not-utf8",
  "no-response",
  "long-id",
);
const framingArb = fc.constantFrom(
  "length",
  "length",
  "length",
  "chunked",
  "chunked",
  "chunked",
  "short-length",
  "long-length",
  "no-length",
  "length-and-chunked",
  "bad-chunk",
  "two-lengths",
);
const caseArb = fc.record({
  parser: fc.constantFrom("strict" as const, "lenient" as const),
  method: methodArb,
  target: targetArb,
  token: tokenArb,
  headers: fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as Array<[string, string]>) },
    { weight: 1, arbitrary: fc.array(headerArb, { minLength: 1, maxLength: 4 }) },
  ),
  body: bodyKindArb,
  junk: fc.uint8Array({ maxLength: 200 }),
  framing: framingArb,
  chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
  splits: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 4 }),
  cutAfter: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(c: Case, id: string): Buffer {
  switch (c.body) {
    case "delivery":
      return Buffer.from(JSON.stringify({ request_id: id, response: { transcript: "hello" } }));
    case "boom":
      return Buffer.from(JSON.stringify({ request_id: id, response: "boom" }));
    case "junk":
      return Buffer.from(c.junk);
    case "empty":
      return Buffer.alloc(0);
    case "deep":
      return Buffer.from(`{"request_id":"${id}","response":${"[".repeat(20_000)}${"]".repeat(20_000)}}`);
    case "not-utf8":
      return Buffer.concat([Buffer.from(`{"request_id":"${id}","response":"`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    case "no-response":
      return Buffer.from(JSON.stringify({ request_id: id }));
    default:
      return Buffer.from(JSON.stringify({ request_id: `${id}-${"r".repeat(300)}`, response: {} }));
  }
}

function chunked(body: Buffer, sizes: number[]): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const piece = body.subarray(at, at + sizes[i % sizes.length]!);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
    at += piece.length;
  }
  return Buffer.concat([...parts, Buffer.from("0\r\n\r\n")]);
}

const targetOf = (c: Case) => `${c.target}${c.token.query === undefined ? "" : `?token=${encodeURIComponent(c.token.query)}`}`;

function requestOf(c: Case, id: string): Buffer {
  const body = bodyOf(c, id);
  const lines = [`${c.method} ${targetOf(c)} HTTP/1.1`, "Host: hooks.example.com"];
  if (c.token.header !== undefined) lines.push(`X-Webhook-Token: ${c.token.header}`);
  for (const [name, value] of c.headers) lines.push(`${name}: ${value}`);
  const framing: Record<Case["framing"], () => [string[], Buffer]> = {
    length: () => [[`Content-Length: ${body.length}`], body],
    chunked: () => [["Transfer-Encoding: chunked"], chunked(body, c.chunkSizes)],
    "short-length": () => [[`Content-Length: ${Math.floor(body.length / 2)}`], body],
    "long-length": () => [[`Content-Length: ${body.length + 10}`], body],
    "no-length": () => [[], body],
    "length-and-chunked": () => [[`Content-Length: ${body.length}`, "Transfer-Encoding: chunked"], chunked(body, c.chunkSizes)],
    "bad-chunk": () => [["Transfer-Encoding: chunked"], Buffer.concat([Buffer.from("zz\r\n"), body, Buffer.from("\r\n0\r\n\r\n")])],
    "two-lengths": () => [[`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`], body],
  };
  const [extra, payload] = framing[c.framing]();
  return Buffer.concat([Buffer.from([...lines, ...extra, "", ""].join("\r\n"), "latin1"), payload]);
}

/** The request in pieces at the generated offsets, so the parser meets it split anywhere. */
function piecesOf(request: Buffer, splits: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const step of splits) {
    if (at + step >= request.length) break;
    pieces.push(request.subarray(at, at + step));
    at += step;
  }
  return [...pieces, request.subarray(at)];
}

let caseNumber = 0;
const anonymousDeliveries = () => Object.values(receivers).flatMap((r) => r.delivered().filter((d) => d.endsWith("-anon")));
const seen = new Map<string, number>();
test("random hostile requests: the receiver lives on, answers are well-formed and below 500, nothing is delivered without the token", {
  timeout: 120_000,
}, async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      // A case that killed the receiver is reported once; shrinking then needs a live one.
      if (receivers[c.parser].ended()) receivers[c.parser] = await startWebhookChild(TOKEN, c.parser);
      const receiver = receivers[c.parser];
      const auth = authorized(targetOf(c), c.token.header);
      const id = `case-${caseNumber++}-${auth ? "auth" : "anon"}`;
      const pieces = piecesOf(requestOf(c, id), c.splits);
      const answer = await exchange(receiver.port, pieces, {
        timeoutMs: 5_000,
        ...(c.cutAfter === null ? {} : { cutAfter: Math.min(c.cutAfter, pieces.length - 1) }),
      });
      if (answer.status === undefined && c.cutAfter === null) await within(receiver.run.exited, 200, undefined);
      expect(receiver.ended(), `the receiver died: ${receiver.ended()?.stderr}`).toBeUndefined();
      if (answer.received > 0) expect(answer.status, `not an HTTP answer: ${JSON.stringify(answer.statusLine)}`).toBeDefined();
      // Only a client that hung up, or a CONNECT (node:http drops it when no one listens for "connect"), goes unanswered.
      if (c.cutAfter === null && c.method !== "CONNECT") expect(answer.status, `no answer to ${JSON.stringify(c)}`).toBeDefined();
      const deliberate = auth && c.body === "boom";
      for (const status of answer.statuses) {
        expect(status).toBeGreaterThanOrEqual(200);
        if (!deliberate) expect(status, answer.statusLine).toBeLessThan(500);
      }
      expect(anonymousDeliveries()).toEqual([]);
      const key = answer.status === undefined ? (c.cutAfter === null ? "no answer" : "cut") : String(answer.status);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }),
    runs(250),
  );
  // Deliveries print asynchronously: a last look once the receiver has taken one more.
  for (const receiver of Object.values(receivers)) {
    const final = JSON.stringify({ request_id: "final-auth", response: "ok" });
    const last = await exchange(receiver.port, [
      `POST /hook?token=${encodeURIComponent(TOKEN)} HTTP/1.1\r\nHost: a\r\nContent-Length: ${final.length}\r\n\r\n${final}`,
    ]);
    expect(last.status).toBe(200);
  }
  await new Promise((r) => setTimeout(r, 100));
  for (const receiver of Object.values(receivers)) expect(receiver.delivered()).toContain("final-auth");
  expect(anonymousDeliveries()).toEqual([]);
  const delivered = Object.values(receivers).reduce((n, r) => n + r.delivered().length, 0);
  console.log(
    `fuzz-webhook: ${caseNumber} requests, ${delivered} delivered; first answers ${JSON.stringify(Object.fromEntries([...seen].sort()))}`,
  );
});
