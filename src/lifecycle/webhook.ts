/**
 * Receives DeepAffects webhook deliveries and hands them to a watcher, so a wait ends without
 * another poll. Framework-neutral: a function from a standard Request to a Response, plus an
 * adapter for node:http-style servers that needs no node: import.
 */
import type { ProviderName } from "../core/errors.js";

/** Options of `createWebhookHandler`. */
export interface WebhookHandlerOptions {
  /** Where deliveries go: a watcher (or anything with its `deliver`). */
  watcher: {
    /** Hands a delivery to the job it is for; false when no watched job matches. */
    deliver(provider: ProviderName, jobId: string, payload: unknown): boolean;
  };
  /**
   * The shared secret. Deliveries must carry it as `?token=` in the webhook URL you gave the
   * provider, or in an `X-Webhook-Token` header.
   */
  token: string;
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Request ids remembered to ignore redelivery (the provider retries up to 5 times); default 10 000. */
  rememberDeliveries?: number;
}

const json = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * A handler for `POST {request_id, response}` deliveries. Answers 401 for a missing or wrong token
 * (compared in constant time) with no side effect, 400 for a malformed or oversized body, 200 at
 * once otherwise; a repeated delivery is acknowledged and changes nothing.
 * @example
 * const watcher = createWatcher();
 * const onWebhook = createWebhookHandler({ watcher, token: process.env.WEBHOOK_TOKEN! });
 * // Deno.serve(onWebhook), a Hono/Next route, or http.createServer(toNodeListener(onWebhook))
 * const handle = await deepaffects.start("asr", body, { webhook: `https://example.com/hooks/da?token=${process.env.WEBHOOK_TOKEN}` });
 * watcher.add(deepaffects, handle);
 */
export function createWebhookHandler(options: WebhookHandlerOptions): (request: Request) => Promise<Response> {
  if (typeof options?.token !== "string" || options.token.length < 16) {
    throw new TypeError("createWebhookHandler: token must be a secret string of at least 16 characters.");
  }
  const expected = new TextEncoder().encode(options.token);
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  const remember = options.rememberDeliveries ?? 10_000;
  const seen = new Set<string>();

  return async function handleWebhook(request) {
    if (request.method !== "POST") return json(405, { error: "use POST" });
    const given = new URL(request.url).searchParams.get("token") ?? request.headers.get("x-webhook-token") ?? "";
    if (!sameSecret(new TextEncoder().encode(given), expected)) {
      await request.body?.cancel();
      return json(401, { error: "missing or wrong token" });
    }
    const text = await readCapped(request, maxBytes);
    if (text === undefined) return json(400, { error: `body over ${maxBytes} bytes` });
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return json(400, { error: "body is not JSON" });
    }
    const requestId = (payload as { request_id?: unknown } | null)?.request_id;
    if (typeof requestId !== "string" || requestId === "" || requestId.length > 256 || !("response" in (payload as object))) {
      return json(400, { error: "expected {request_id, response}" });
    }
    if (seen.has(requestId)) return json(200, { ok: true, duplicate: true });
    if (seen.size >= remember) seen.delete(seen.values().next().value!);
    seen.add(requestId);
    const matched = options.watcher.deliver("deepaffects", requestId, payload);
    return json(200, { ok: true, matched });
  };
}

/** Compares two secrets in time that depends only on the expected one's length. */
function sameSecret(given: Uint8Array, expected: Uint8Array): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given[i] ?? 0) ^ expected[i]!;
  return difference === 0;
}

async function readCapped(request: Request, maxBytes: number): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) {
    await request.body?.cancel();
    return undefined;
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(body);
}

/** The parts of node:http's IncomingMessage the adapter uses (no node: import, so the entry stays browser-safe). */
export interface NodeRequestLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** A chunk of the body. */
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  /** The body is complete. */
  on(event: "end", listener: () => void): unknown;
  /** The connection failed. */
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Stops reading into the body stream (the rest is drained). */
  removeAllListeners(event: "data"): unknown;
  /** Holds back data while the body stream is full. */
  pause(): unknown;
  /** Reads on. */
  resume(): unknown;
}
/** The parts of node:http's ServerResponse the adapter uses. */
export interface NodeResponseLike {
  /** Sends the status line and headers. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** Sends the body and ends the response. */
  end(body?: string): unknown;
}

/** The request body as a web stream, with backpressure; a refused body is drained, not reset. */
function bodyOf(req: NodeRequestLike): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk) => {
        controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on("end", () => cancelled || controller.close());
      req.on("error", (error) => cancelled || controller.error(error));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      cancelled = true;
      // The sender is still writing: let the rest flow away so it can read our answer.
      req.removeAllListeners("data");
      req.resume();
    },
  });
}

/**
 * Adapts a Request → Response handler to `http.createServer`'s (req, res) listener.
 * @example
 * http.createServer(toNodeListener(createWebhookHandler({ watcher, token }))).listen(8080);
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const method = req.method ?? "GET";
    const body = method === "GET" || method === "HEAD" ? undefined : bodyOf(req);
    const request = new Request(new URL(req.url ?? "/", "http://localhost"), { method, headers, body, duplex: "half" } as RequestInit);
    handler(request).then(
      async (response) => {
        const text = await response.text();
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(text);
      },
      () => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "webhook handler failed" }));
      },
    );
  };
}
