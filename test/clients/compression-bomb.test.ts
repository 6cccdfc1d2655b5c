/**
 * A compressed body is capped by what it inflates to, not by its Content-Length: gzip, deflate and
 * br bombs (64 MiB of JSON text in a few hundred KB or less) end in a ResponseTooLargeError at the
 * 4 MiB default cap, quickly and without the inflated body ever being held, and a wait does not
 * send the request again. A body that does not decode as its Content-Encoding says is an invalid
 * answer, not a network failure, and ends within the request's time limit whatever its size; JSON
 * nested too deep to serialize again is refused.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Transform } from "node:stream";
import { constants, createBrotliCompress, createDeflate, createGzip, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRateLimiter, InvalidResponseError, ResponseTooLargeError, TimeoutError, wait } from "../../src/index.js";
import { makeClient } from "../fixtures/apis.js";

const MiB = 1024 * 1024;
const INFLATED = 64 * MiB;
type Encoding = "gzip" | "deflate" | "br";
const ENCODINGS: Encoding[] = ["gzip", "deflate", "br"];
const bombs = new Map<Encoding, Buffer>();
let server: Server;
let origin = "";
/** `body`: sent as is, whatever Content-Encoding says; the bomb of `encoding` otherwise. */
let next: { encoding: Encoding; length: boolean; body?: Buffer } = { encoding: "gzip", length: true };
let requests = 0;

function compressor(encoding: Encoding): Transform {
  if (encoding === "gzip") return createGzip({ level: 9 });
  if (encoding === "deflate") return createDeflate({ level: 9 });
  return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
}

/** `{"status":"000…"}`: valid JSON of INFLATED bytes, so only the cap can refuse it. */
async function bomb(encoding: Encoding): Promise<Buffer> {
  const z = compressor(encoding);
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise((r) => z.on("end", r));
  const zeros = Buffer.alloc(MiB, "0");
  z.write('{"status":"');
  for (let i = 0; i < INFLATED / MiB; i++) z.write(zeros);
  z.end('"}');
  await ended;
  return Buffer.concat(out);
}

beforeAll(async () => {
  for (const encoding of ENCODINGS) bombs.set(encoding, await bomb(encoding));
  server = createServer((req, res) => {
    req.resume();
    requests++;
    const body = next.body ?? bombs.get(next.encoding)!;
    const headers: Record<string, string> = { "content-type": "application/json", "content-encoding": next.encoding };
    // Without a Content-Length node sends the body chunked.
    if (next.length) headers["content-length"] = String(body.length);
    res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

describe.each(ENCODINGS)("%s", (encoding) => {
  test.each([true, false])("a bomb (Content-Length sent: %s) stops at the default cap, fast and small", async (length) => {
    next = { encoding, length };
    expect(bombs.get(encoding)!.length).toBeLessThan(4 * MiB);
    const client = makeClient("comfy", { apiKey: "bomb-test-key-0123456789", baseUrl: `${origin}/comfy`, timeoutMs: 10_000 });
    const before = memory();
    const started = performance.now();
    const error = await client.getJobStatus("job-1").catch((e: unknown) => e);
    const took = performance.now() - started;
    const grew = memory() - before;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ transient: false, maxBytes: 4 * MiB });
    expect((error as Error).message).toMatch(/over the 4194304-byte cap \(maxResponseBytes\) once decoded/);
    expect(took).toBeLessThan(2_000);
    // The inflated 64 MiB is never held: what grows is the cap's worth of chunks at most.
    expect(grew).toBeLessThan(48 * MiB);
  });
});

test("a wait does not retry a bomb", async () => {
  next = { encoding: "br", length: true };
  requests = 0;
  const client = makeClient("comfy", { apiKey: "bomb-test-key-0123456789", baseUrl: `${origin}/comfy`, timeoutMs: 10_000 });
  const error = await wait(client.provider, client.handle("job-1"), {
    poll: { initialDelayMs: 0, minIntervalMs: 1 },
    timeoutMs: 8_000,
    limiter: createRateLimiter(),
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ResponseTooLargeError);
  expect(requests).toBe(1);
});

describe.each(ENCODINGS)("a body that says %s but is not", (encoding) => {
  // Node 20's fetch stalls on a 64-78 KB one and ignores the abort; a smaller or larger one fails at once.
  test.each([100, 20_000, 70_000, 200_000])("%i bytes: an InvalidResponseError, or a TimeoutError at the request's limit", async (size) => {
    next = { encoding, length: true, body: Buffer.from(`{"status":"${"x".repeat(size)}"}`) };
    const client = makeClient("comfy", { apiKey: "bomb-test-key-0123456789", baseUrl: `${origin}/comfy`, timeoutMs: 800 });
    const started = performance.now();
    const error = await client.getJobStatus("job-1").catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_500);
    if (error instanceof TimeoutError) return void expect(error.kind).toBe("request");
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ transient: false });
    expect((error as Error).message).toMatch(/does not decode as its Content-Encoding says/);
  });
});

test.each([65, 10_000, 500_000])(
  "JSON nested %i deep is an InvalidResponseError, so no snapshot is too deep to serialize",
  async (depth) => {
    next = { encoding: "gzip", length: true, body: gzipSync(`{"status":"executing","x":${"[".repeat(depth)}${"]".repeat(depth)}}`) };
    const client = makeClient("comfy", { apiKey: "bomb-test-key-0123456789", baseUrl: `${origin}/comfy`, timeoutMs: 5_000 });
    const outcome = await client.provider.status(client.handle("job-1")).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(InvalidResponseError);
    expect((outcome as Error).message).toMatch(/nested deeper than 64 levels/);
  },
);
