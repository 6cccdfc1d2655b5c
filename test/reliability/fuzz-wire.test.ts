/**
 * No generated key leaks through a client's errors, no generated
 * job id reaches a path other than the documented one, arbitrary bytes as a body give a snapshot or
 * a typed error, never a crash, and so do hostile answers: Content-Encoding lies, BOMs, invalid UTF-8,
 * huge strings, deep nesting, garbage Retry-After, huge headers, the key echoed in any of them.
 */
import fc from "fast-check";
import { createServer, type OutgoingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createRateLimiter,
  InvalidArgumentError,
  JobFailedError,
  JobStatusError,
  NotFoundError,
  wait,
  type JobSnapshot,
} from "../../src/index.js";
import { startFakeProviders, type FakeApi, type FakeProviders } from "../../src/testing.js";
import { everythingIn, keyOf, makeClient, RAW, spellingsOf, urlOf } from "../fixtures/apis.js";
import { apiKeyArb, fuzzReport, holdsPartOf, jobIdArb, runs } from "../fixtures/fuzz.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake.close();
  console.log(fuzzReport("fuzz-wire"));
});

const apiArb = fc.constantFrom<FakeApi>("dify-chatflow", "dify-completion", "comfy", "deepaffects");
const STATES = ["queued", "running", "succeeded", "failed", "cancelled", "unknown"];

describe("redaction through a client whose key is arbitrary", () => {
  /** An answer echoing the key every way a server might: raw, URL- and form-encoded, JSON-escaped, in a URL, far into a page. */
  function echo(key: string, padding: number): string {
    const forms = spellingsOf(key);
    return `${"x".repeat(padding)} key ${forms.join(" | ")} seen at /status?apikey=${encodeURIComponent(key)}&request_id=1 ${JSON.stringify(key)}`;
  }
  const shape = fc.constantFrom("json error", "text error", "strict 200", "failed job");

  test("no error, whatever its status and body, holds the key or a run of it", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        apiKeyArb,
        apiArb,
        shape,
        fc.constantFrom(400, 401, 403, 404, 408, 429, 500, 502, 503),
        fc.nat(400),
        async (key, api, kind, status, padding) => {
          const client = makeClient(api, { apiKey: key, baseUrl: urlOf(api, fake.urls), timeoutMs: 5_000, strict: kind === "strict 200" });
          const jobId = crypto.randomUUID();
          const text = echo(key, padding);
          const field = RAW[api].field;
          const body =
            kind === "text error"
              ? `<html><body><h1>${status}</h1><p>${text}</p></body></html>`
              : kind === "json error"
                ? { code: key, message: text, status, fault: { faultstring: text, detail: { errorcode: key } } }
                : kind === "strict 200"
                  ? { [field]: text, job_id: jobId }
                  : {
                      [field]: RAW[api].failed,
                      error_msg: text,
                      error_message: text,
                      response: { request_id: jobId, response: { error: text } },
                    };
          const rule = fake.fault({
            api,
            route: "status",
            jobId,
            status: kind.endsWith("200") || kind === "failed job" ? 200 : status,
            body,
          });
          try {
            const error =
              kind === "failed job"
                ? await wait(client.provider, client.handle(jobId), {
                    throwOnFailure: true,
                    poll: { initialDelayMs: 0 },
                    timeoutMs: 5_000,
                    limiter: createRateLimiter(),
                  }).catch((e: unknown) => e)
                : await client.getJobStatus(jobId).then(
                    () => undefined,
                    (e: unknown) => e,
                  );
            // DeepAffects documents its status as any string, so strict mode has nothing to refuse there.
            if (kind === "strict 200" && api === "deepaffects") return void expect(error).toBeUndefined();
            expect(error).toBeInstanceOf(JobStatusError);
            // A failed job's snapshot keeps the provider's raw body as sent; its message and error text must not hold the key.
            const failed = error as JobFailedError & { snapshot: JobSnapshot };
            const shown =
              kind === "failed job"
                ? everythingIn({ message: failed.message, stack: failed.stack, errorMessage: failed.snapshot?.errorMessage })
                : everythingIn(error);
            for (const form of spellingsOf(key)) expect(holdsPartOf(shown, form), `${(error as Error).message}`).toBe(false);
          } finally {
            rule.remove();
          }
        },
      ),
      runs(500),
    );
  });
});

describe("path parameters", () => {
  const prefixOf = (api: FakeApi) =>
    api === "comfy"
      ? "/comfy/api/job/"
      : api === "deepaffects"
        ? "/deepaffects/transaction/generic/api/v1/async/status"
        : `/dify/${api.slice(5)}/v1/apps/annotation-reply/enable/status/`;

  test("a job id is refused before any request, or reaches exactly the documented route as that id", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(jobIdArb, apiArb, async (id, api) => {
        let sent = 0;
        const client = makeClient(api, { apiKey: keyOf(api, fake.keys), baseUrl: urlOf(api, fake.urls), fetch: (r) => (sent++, fetch(r)) });
        const before = fake.requests().length;
        const error = await client.getJobStatus(id).then(
          () => undefined,
          (e: unknown) => e,
        );
        const seen = fake.requests().slice(before);
        if (error instanceof InvalidArgumentError) {
          expect(sent).toBe(0);
          expect(seen).toEqual([]);
          return;
        }
        expect(sent, `${String(error)}`).toBe(1);
        expect(seen).toHaveLength(1);
        const [request] = seen as [(typeof seen)[number]];
        expect(request).toMatchObject({ api, route: "status", jobId: id, method: "GET" });
        if (api === "deepaffects") {
          expect(request.path).toBe(prefixOf(api));
          expect(Object.keys(request.query).sort()).toEqual(["apikey", "request_id"]);
          expect(request.query["request_id"]).toBe(id);
        } else {
          expect(request.path).toBe(`${prefixOf(api)}${encodeURIComponent(id)}${api === "comfy" ? "/status" : ""}`);
          expect(request.url).toBe(request.path);
        }
        // The fake knows no such job: every API answers with its own "not found".
        expect(error).toBeInstanceOf(NotFoundError);
      }),
      runs(2_000),
    );
  });
});

describe("response parsing", () => {
  interface Answer {
    status: number;
    type: string | undefined;
    body: Uint8Array;
    mode: "length" | "chunked" | "cut";
  }
  let server: Server;
  let origin = "";
  let next: Answer = { status: 200, type: undefined, body: new Uint8Array(), mode: "length" };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const { status, type, body, mode } = next;
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      if (mode === "length") return void res.writeHead(status, { ...headers, "content-length": String(body.length) }).end(body);
      if (mode === "chunked") return void res.writeHead(status, headers).end(body);
      // Declares more than it sends, then drops the connection.
      res.writeHead(status, { ...headers, "content-length": String(body.length + 100) });
      res.write(body, () => res.socket?.destroy());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const shaped = fc
    .record(
      {
        job_status: fc.oneof(fc.constantFrom("waiting", "processing", "completed", "error"), fc.jsonValue()),
        status: fc.oneof(fc.constantFrom("success", "error", "lost", "executing", "Completed", "Failed", "In Progress"), fc.jsonValue()),
        error_msg: fc.jsonValue(),
        error_message: fc.jsonValue(),
        job_id: fc.jsonValue(),
        response: fc.oneof(fc.jsonValue(), fc.record({ request_id: fc.jsonValue(), response: fc.jsonValue() })),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 3_000 }),
    fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
    shaped.map((t) => new TextEncoder().encode(t)),
    fc.tuple(shaped, fc.nat()).map(([t, cut]) => new TextEncoder().encode(t.slice(0, cut % (t.length + 1)))),
    fc.string({ unit: "binary", maxLength: 200 }).map((t) => new TextEncoder().encode(t)),
  );
  const answer: fc.Arbitrary<Answer> = fc.record({
    status: fc.constantFrom(200, 200, 200, 201, 202, 204, 206, 299, 302, 400, 401, 403, 404, 408, 409, 418, 429, 500, 502, 503, 504),
    type: fc.constantFrom(
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "text/html",
      "text/plain",
      "application/octet-stream",
    ),
    body: bytes,
    mode: fc.constantFrom("length", "length", "chunked", "cut"),
  });

  test("arbitrary bytes give a well-formed snapshot or a typed error, and a wait on them always settles", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        answer,
        apiArb,
        fc.option(fc.integer({ min: 1, max: 4_096 }), { nil: undefined }),
        async (reply, api, maxResponseBytes) => {
          next = reply;
          const base = api === "comfy" ? `${origin}/comfy` : api === "deepaffects" ? `${origin}/da` : `${origin}/v1`;
          const client = makeClient(api, { apiKey: "fuzz-key-0123456789", baseUrl: base, timeoutMs: 5_000, maxResponseBytes });
          const handle = client.handle("job-1");
          const outcome = await client.provider.status(handle).then(
            (s: JobSnapshot) => s,
            (e: unknown) => e,
          );
          if (!(outcome instanceof JobStatusError)) {
            const snapshot = outcome as JobSnapshot;
            expect(STATES).toContain(snapshot.state);
            expect(snapshot.terminal).toBe(["succeeded", "failed", "cancelled"].includes(snapshot.state));
            expect(["string", "undefined"]).toContain(typeof snapshot.rawStatus);
            expect(["string", "undefined"]).toContain(typeof snapshot.errorMessage);
            expect(reply.status >= 200 && reply.status < 300).toBe(true);
            if (!snapshot.terminal) return;
            // A wait that asks to throw on failure builds its error from this snapshot: it must settle, typed.
            const settled = await wait(client.provider, handle, {
              throwOnFailure: true,
              poll: { initialDelayMs: 0 },
              timeoutMs: 5_000,
              limiter: createRateLimiter(),
            }).then(
              (s) => s,
              (e: unknown) => e,
            );
            expect(settled instanceof JobStatusError || (settled as JobSnapshot).state === "succeeded", String(settled)).toBe(true);
          }
        },
      ),
      runs(1_200),
    );
  });
});

describe("hostile answers", () => {
  type Encoding =
    | "none"
    | "gzip"
    | "deflate"
    | "br"
    | "says gzip, is plain"
    | "says br, is gzip"
    | "says deflate, is garbage"
    | "unknown coding";
  interface Hostile {
    status: number;
    encoding: Encoding;
    body: "status" | "bom" | "invalid utf-8" | "deep" | "huge string" | "error body";
    depth: number;
    size: number;
    retryAfter: string | undefined;
    requestId: "none" | "key" | "long";
    hugeHeader: boolean;
  }
  let server: Server;
  let origin = "";
  let reply: (body: Buffer, headers: OutgoingHttpHeaders) => void = () => {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      reply = (body, headers) => res.writeHead(current.status, headers).end(body);
      respond();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  let current: Hostile & { key: string; api: FakeApi } = undefined as never;

  function respond(): void {
    const { key, api, body: kind, depth, size, encoding } = current;
    const echo = spellingsOf(key).join(" ");
    const field = RAW[api].field;
    const text =
      kind === "deep"
        ? `{"${field}":"${RAW[api].running}","x":${"[".repeat(depth)}${"]".repeat(depth)}}`
        : kind === "huge string"
          ? JSON.stringify({ [field]: `${echo} ${"s".repeat(size)}`, error_msg: "x".repeat(size), error_message: echo })
          : kind === "error body"
            ? JSON.stringify({
                code: echo,
                message: `${echo} ${"m".repeat(size)}`,
                fault: { faultstring: `${echo} ${"f".repeat(size)}`, detail: { errorcode: echo } },
              })
            : JSON.stringify({
                [field]: `${RAW[api].failed} ${echo}`,
                error_msg: echo,
                error_message: echo,
                response: { request_id: "job-1", response: { error: echo } },
              });
    let bytes = Buffer.from(kind === "bom" ? `\uFEFF${text}` : text);
    if (kind === "invalid utf-8")
      bytes = Buffer.concat([bytes.subarray(0, 12), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), bytes.subarray(12)]);
    const headers: OutgoingHttpHeaders = { "content-type": "application/json" };
    if (encoding === "gzip" || encoding === "says br, is gzip") bytes = gzipSync(bytes);
    if (encoding === "deflate") bytes = deflateSync(bytes);
    if (encoding === "br") bytes = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
    if (encoding === "says deflate, is garbage") bytes = Buffer.from(bytes.map((b) => b ^ 0x5a));
    const said =
      {
        "says gzip, is plain": "gzip",
        "says br, is gzip": "br",
        "says deflate, is garbage": "deflate",
        "unknown coding": "zstd-x",
        none: undefined,
      }[encoding as string] ?? encoding;
    if (said !== undefined) headers["content-encoding"] = said;
    if (current.retryAfter !== undefined) headers["retry-after"] = current.retryAfter;
    if (current.requestId === "key") headers["x-request-id"] = `req ${encodeURIComponent(key)} ${key}`;
    if (current.requestId === "long") headers["x-request-id"] = "r".repeat(8_000);
    if (current.hugeHeader) headers["x-padding"] = "p".repeat(40_000);
    reply(bytes, headers);
  }

  const hostile: fc.Arbitrary<Hostile> = fc.record({
    status: fc.constantFrom(200, 200, 200, 202, 400, 404, 429, 500, 503),
    encoding: fc.constantFrom<Encoding>(
      "none",
      "gzip",
      "deflate",
      "br",
      "says gzip, is plain",
      "says br, is gzip",
      "says deflate, is garbage",
      "unknown coding",
    ),
    body: fc.constantFrom<Hostile["body"]>("status", "bom", "invalid utf-8", "deep", "huge string", "error body"),
    depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1_000, max: 400_000 })),
    size: fc.constantFrom(0, 300, 300, 20_000, 20_000, 1_500_000),
    retryAfter: fc.option(
      fc.oneof(
        fc.constantFrom(
          "-1",
          "1e400",
          "NaN",
          "Infinity",
          "99999999999999",
          "0",
          "Thu, 01 Jan 1970 00:00:00 GMT",
          "Fri, 31 Dec 9999 23:59:59 GMT",
        ),
        fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
      ),
      { nil: undefined },
    ),
    requestId: fc.constantFrom<Hostile["requestId"]>("none", "key", "long"),
    hugeHeader: fc.boolean().map((b) => b && Math.random() < 0.2),
  });

  test("give a snapshot or a typed error, quickly, bounded in text, key-free and serializable", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostile, apiArb, apiKeyArb, async (answer, api, key) => {
        current = { ...answer, key, api };
        const base = api === "comfy" ? `${origin}/comfy` : api === "deepaffects" ? `${origin}/da` : `${origin}/v1`;
        const client = makeClient(api, { apiKey: key, baseUrl: base, timeoutMs: 1_500 });
        const started = performance.now();
        const outcome = await client.provider.status(client.handle("job-1")).then(
          (s: JobSnapshot) => s,
          (e: unknown) => e,
        );
        expect(performance.now() - started).toBeLessThan(3_000);
        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(JobStatusError);
          expect(outcome.message.length, outcome.message.slice(0, 200)).toBeLessThan(1_500);
          const shown = everythingIn(outcome);
          for (const form of spellingsOf(key)) expect(holdsPartOf(shown, form), outcome.message.slice(0, 300)).toBe(false);
          return;
        }
        const { raw: _raw, ...fields } = outcome as JobSnapshot;
        for (const form of spellingsOf(key)) expect(holdsPartOf(JSON.stringify(fields), form)).toBe(false);
        // Whatever it holds, a snapshot can be saved and printed.
        expect(() => JSON.stringify(outcome)).not.toThrow();
        const hint = (outcome as JobSnapshot).retryAfterMs;
        expect(hint === undefined || (Number.isFinite(hint) && hint >= 0 && hint <= 86_400_000)).toBe(true);
      }),
      runs(200),
    );
  });
});
