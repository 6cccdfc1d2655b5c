/**
 * Receives DeepAffects webhook deliveries and hands them to a watcher, so a wait ends without
 * another poll. Framework-neutral: a function from a standard Request to a Response, plus an
 * adapter for node:http-style servers that needs no node: import.
 */
import { InvalidArgumentError, type ProviderName } from "../core/errors.js";

/** Options of `createWebhookHandler`. */
export interface WebhookHandlerOptions {
  /** Where deliveries go: a watcher (or anything with its `deliver`). */
  watcher: {
    /**
     * Hands a delivery to the job it is for; false when no watched job matches. A throw or a
     * rejection means the delivery was not handed over: the handler answers 500 so the provider sends it again.
     */
    deliver(provider: ProviderName, jobId: string, payload: unknown): boolean | PromiseLike<boolean>;
  };
  /**
   * The shared secret, at least 16 characters. Deliveries must carry it as `?token=` in the webhook
   * URL you gave the provider, or in an `X-Webhook-Token` header.
   */
  token: string;
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * Request ids remembered to ignore redelivery (the provider retries up to 5 times); default 10 000.
   * An id is remembered once its delivery was handed over, so a redelivery after a failed one is handed over again.
   */
  rememberDeliveries?: number;
}

const MIN_TOKEN_LENGTH = 16;

const json = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * A handler for `POST {request_id, response}` deliveries. Answers 401 for a missing or wrong token
 * (compared in constant time) with no side effect, 400 for a malformed, oversized or cut-off body,
 * 500 when `watcher.deliver` throws or rejects (nothing is remembered, so the provider's retry is
 * handed over again), 200 otherwise; a repeat of a delivery handed over is acknowledged and changes nothing.
 * @throws {InvalidArgumentError} when the token is not a string of at least 16 characters.
 * @example
 * const watcher = createWatcher();
 * const onWebhook = createWebhookHandler({ watcher, token: process.env.WEBHOOK_TOKEN! });
 * // Deno.serve(onWebhook), a Hono/Next route, or http.createServer(toNodeListener(onWebhook))
 * const handle = await deepaffects.start("asr", body, { webhook: `https://example.com/hooks/da?token=${process.env.WEBHOOK_TOKEN}` });
 * watcher.add(deepaffects, handle);
 */
export function createWebhookHandler(options: WebhookHandlerOptions): (request: Request) => Promise<Response> {
  if (typeof options?.token !== "string" || options.token.length < MIN_TOKEN_LENGTH) {
    throw new InvalidArgumentError(`createWebhookHandler: token must be a secret string of at least ${MIN_TOKEN_LENGTH} characters.`);
  }
  const expected = new TextEncoder().encode(options.token);
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  const remember = options.rememberDeliveries ?? 10_000;
  const seen = new Set<string>();
  // Deliveries being handed over: a redelivery meanwhile shares the outcome instead of handing over twice.
  const handing = new Map<string, Promise<boolean>>();

  function handOver(requestId: string, payload: unknown): Promise<boolean> {
    let outcome = handing.get(requestId);
    if (outcome) return outcome;
    outcome = (async () => options.watcher.deliver("deepaffects", requestId, payload))();
    handing.set(requestId, outcome);
    const forget = () => handing.delete(requestId);
    outcome.then(() => {
      forget();
      if (seen.size >= remember) seen.delete(seen.values().next().value!);
      seen.add(requestId);
    }, forget);
    return outcome;
  }

  return async function handleWebhook(request) {
    if (request.method !== "POST") return json(405, { error: "use POST" });
    const given = new URL(request.url).searchParams.get("token") ?? request.headers.get("x-webhook-token") ?? "";
    if (!sameSecret(new TextEncoder().encode(given), expected)) {
      await drop(request);
      return json(401, { error: "missing or wrong token" });
    }
    let text: string | undefined;
    try {
      text = await readCapped(request, maxBytes);
    } catch {
      return json(400, { error: "body could not be read" });
    }
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
    try {
      return json(200, { ok: true, matched: await handOver(requestId, payload) });
    } catch {
      return json(500, { error: "the delivery could not be handed over; send it again" });
    }
  };
}

/** Stops reading a body we refuse; one already failed (a client gone) is nothing to report. */
const drop = (request: Request) => request.body?.cancel().catch(() => {});

/** Compares two secrets in time that depends only on the expected one's length. */
function sameSecret(given: Uint8Array, expected: Uint8Array): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given[i] ?? 0) ^ expected[i]!;
  return difference === 0;
}

async function readCapped(request: Request, maxBytes: number): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) {
    await drop(request);
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
  let open = true;
  // The controller throws once the stream is closed, errored or cancelled; a late event changes nothing.
  const settle = (end: () => void) => {
    if (!open) return;
    open = false;
    end();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk) => {
        if (!open) return;
        controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on("end", () => settle(() => controller.close()));
      req.on("error", (error) => settle(() => controller.error(error)));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      // The sender is still writing: let the rest flow away so it can read our answer.
      req.removeAllListeners("data");
      req.resume();
    },
  });
}

// Methods a fetch Request refuses to carry (Fetch standard, "forbidden method").
const FORBIDDEN_METHOD = /^(CONNECT|TRACE|TRACK)$/i;

/** The request as a fetch Request on a fixed origin (only the path and query are the sender's), or undefined if it cannot be one. */
function requestOf(req: NodeRequestLike, method: string): Request | undefined {
  try {
    const target = req.url ?? "/";
    // Origin form ("/hook?token=..."), or the absolute form a proxy sends; never "*" or a bare host.
    const parsed = target.startsWith("/") ? new URL(`http://localhost${target}`) : new URL(target);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const body = method === "GET" || method === "HEAD" ? undefined : bodyOf(req);
    return new Request(`http://localhost${parsed.pathname}${parsed.search}`, { method, headers, body, duplex: "half" } as RequestInit);
  } catch {
    return undefined;
  }
}

/** Sends a whole answer; false when node:http refused it (headers it will not send, a socket gone). */
function send(
  res: NodeResponseLike,
  status: number,
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
): boolean {
  try {
    res.writeHead(status, headers);
    res.end(body);
    return true;
  } catch {
    return false;
  }
}
const failure = (message: string) => JSON.stringify({ error: message });

/**
 * Adapts a Request → Response handler to `http.createServer`'s (req, res) listener. It never throws
 * and leaves no rejection behind: a request line or headers a fetch Request cannot hold get 400
 * (405 for CONNECT, TRACE and TRACK), a handler that throws or rejects, or a Response whose body
 * fails, gets 500, and a client gone mid-body ends that request only.
 * @example
 * http.createServer(toNodeListener(createWebhookHandler({ watcher, token }))).listen(8080);
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    // A connection reset mid-body errors the request; the body stream (if any) hears it too.
    req.on("error", () => {});
    const method = req.method ?? "GET";
    if (FORBIDDEN_METHOD.test(method)) return void send(res, 405, failure("use POST"));
    const request = requestOf(req, method);
    if (!request) return void send(res, 400, failure("request line or headers cannot be read"));
    void (async () => {
      try {
        const response = await handler(request);
        if (send(res, response.status, await response.text(), Object.fromEntries(response.headers))) return;
      } catch {
        // The handler threw or rejected, or its Response's body failed: answered below.
      }
      send(res, 500, failure("webhook handler failed"));
    })();
  };
}
