import type { IncomingMessage, ServerResponse } from "node:http";

/** What a route handler answers. The server turns it into bytes, after faults had their say. */
export interface Reply {
  status: number;
  /** Serialized as JSON unless `text` is set. */
  body?: unknown;
  /** Raw body text, sent as is. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The job the request was about, when the handler found or created it. */
  jobId?: string;
}

export type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true };

/** Reads the request body, stopping as soon as it passes `max` bytes. */
export function readBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        req.pause();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") });
    });
    req.on("error", (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

export type ParsedBody = { kind: "empty" } | { kind: "json"; value: unknown } | { kind: "invalid"; text: string };

export function parseJsonBody(text: string): ParsedBody {
  if (text.trim() === "") return { kind: "empty" };
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "invalid", text };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const CORS_ALLOW_HEADERS = "Authorization, X-API-Key, Content-Type";
export const CORS_EXPOSE_HEADERS = "Retry-After, retry-after-ms";

export function corsHeaders(): Record<string, string> {
  return { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS };
}

export function preflightHeaders(): Record<string, string> {
  return {
    ...corsHeaders(),
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
    "Access-Control-Max-Age": "600",
  };
}

/** Sends a complete answer with an exact Content-Length. */
export function send(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(text, "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": contentType,
    "Content-Length": String(bytes.length),
  });
  res.end(bytes);
}

export function sendReply(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
  send(res, reply.status, text, reply.contentType ?? "application/json", { ...reply.headers, ...extraHeaders });
}

/** Splits a path below a provider prefix into decoded segments; `%2F` stays inside its segment. */
export function segments(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** The 8-byte PNG signature: enough for a client to see it got a file, not JSON. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
