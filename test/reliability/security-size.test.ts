/**
 * A hostile or broken server cannot exhaust memory or hold a request forever. A body
 * streamed without end (chunked, no Content-Length) stops at the size cap with an InvalidResponseError,
 * the connection is dropped, and the bytes read stay bounded; a body that trickles in ends at the
 * request's time limit. The declared-length case is in the fault matrix.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InvalidResponseError, TimeoutError } from "../../src/index.js";
import { APIS, makeClient, RAW } from "./fixtures/apis.js";

const MiB = 1024 * 1024;
let server: Server;
let origin = "";
let mode: { status: number; kind: "flood" | "trickle" } = { status: 200, kind: "flood" };
/** Bytes the server got onto the socket for the last request, and when its connection closed. */
let written = 0;
let closed: Promise<void> = Promise.resolve();

function flood(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, "x");
  res.write(`{"${RAW.comfy.field}":"executing","padding":"`);
  const pump = () => {
    while (!res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
  };
  pump();
}

function trickle(res: ServerResponse): void {
  res.write("{");
  const timer = setInterval(() => {
    written += 1;
    res.write(" ");
  }, 20);
  res.on("close", () => clearInterval(timer));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    written = 0;
    closed = new Promise((resolve) => res.on("close", () => resolve()));
    // No Content-Length: node sends the body chunked, so the client cannot refuse it up front.
    res.writeHead(mode.status, { "content-type": "application/json" });
    if (mode.kind === "flood") flood(res);
    else trickle(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const baseFor = (api: string) => (api === "comfy" ? `${origin}/comfy` : api === "deepaffects" ? `${origin}/da` : `${origin}/v1`);

describe.each(APIS)("%s", (api) => {
  test.each([
    [200, 1 * MiB],
    [500, 1 * MiB],
    [200, undefined],
  ])("an endless chunked body with status %i stops at the cap (%s bytes; default 4 MiB)", async (status, cap) => {
    mode = { status, kind: "flood" };
    const client = makeClient(api, { apiKey: "size-test-key-0123456789", baseUrl: baseFor(api), timeoutMs: 10_000, maxResponseBytes: cap });
    const heapBefore = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const started = Date.now();
    const error = await client.getJobStatus("job-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/over the \d+-byte cap \(maxResponseBytes\)/);
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    // What the server got out before the client hung up: the cap plus what socket buffers hold.
    const limit = cap ?? 4 * MiB;
    expect(written).toBeLessThan(limit + 16 * MiB);
    const heapAfter = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    expect(heapAfter - heapBefore).toBeLessThan(limit + 64 * MiB);
  });

  test("a body that trickles in forever ends at the request's time limit", async () => {
    mode = { status: 200, kind: "trickle" };
    const client = makeClient(api, { apiKey: "size-test-key-0123456789", baseUrl: baseFor(api), timeoutMs: 400 });
    const started = Date.now();
    const error = await client.getJobStatus("job-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ kind: "request", transient: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    await closed;
  });
});
