import type { ServerResponse } from "node:http";
import { isPlainObject, send, sendReply, type Reply } from "./http.js";
import { FAKE_APIS } from "./jobs.js";
import type { Provider } from "./provider.js";
import type { FakeApi, FakeRoute, FaultHandle, FaultRule, RetryAfter } from "./types.js";

const ROUTES: readonly string[] = ["start", "status", "detail", "cancel", "view", "ws", "*"];
const MALFORMED: readonly string[] = ["json", "html", "empty", "truncated"];

interface Entry {
  rule: FaultRule;
  hits: number;
  active: boolean;
}

/** Fault rules, tried in insertion order; the first match answers and counts down its `times`. */
export class Faults {
  private entries: Entry[] = [];

  add(rule: FaultRule): FaultHandle {
    validate(rule);
    const entry: Entry = { rule: { ...rule }, hits: 0, active: true };
    this.entries.push(entry);
    const remove = (): void => {
      entry.active = false;
      this.entries = this.entries.filter((e) => e !== entry);
    };
    return {
      remove,
      get hits() {
        return entry.hits;
      },
    };
  }

  take(api: FakeApi, route: FakeRoute, jobId: string | undefined): FaultRule | undefined {
    for (const entry of this.entries) {
      const { rule } = entry;
      if (!entry.active) continue;
      if (rule.api !== undefined && rule.api !== api) continue;
      // The WebSocket is only faulted by name: a rule for "every route" keeps meaning every HTTP route.
      if (route === "ws" ? rule.route !== "ws" : rule.route !== undefined && rule.route !== "*" && rule.route !== route) continue;
      if (rule.jobId !== undefined && rule.jobId !== jobId) continue;
      entry.hits++;
      if (rule.times !== undefined && entry.hits >= rule.times) {
        entry.active = false;
        this.entries = this.entries.filter((e) => e !== entry);
      }
      return rule;
    }
    return undefined;
  }
}

function validate(rule: FaultRule): void {
  if (typeof rule !== "object" || rule === null) throw new TypeError("fault rule must be an object");
  if (rule.api !== undefined && !FAKE_APIS.includes(rule.api)) throw new TypeError(`unknown api: ${String(rule.api)}`);
  if (rule.route !== undefined && !ROUTES.includes(rule.route)) throw new TypeError(`unknown route: ${String(rule.route)}`);
  if (rule.route === "ws") {
    if (rule.api !== undefined && rule.api !== "comfy")
      throw new TypeError('route "ws" is Comfy\'s WebSocket: api must be comfy or absent');
    for (const field of ["jobId", "malformed", "oversizeBytes", "rawStatus"] as const) {
      if (rule[field] !== undefined)
        throw new TypeError(`a route "ws" rule cannot use ${field}: it refuses, delays, hangs or resets the handshake`);
    }
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
    throw new TypeError("times must be a positive integer");
  }
  if (rule.malformed !== undefined && !MALFORMED.includes(rule.malformed)) {
    throw new TypeError(`unknown malformed kind: ${String(rule.malformed)}`);
  }
  if (rule.oversizeBytes !== undefined && !(Number.isInteger(rule.oversizeBytes) && rule.oversizeBytes >= 16)) {
    throw new TypeError("oversizeBytes must be an integer >= 16");
  }
  if (rule.delayMs !== undefined && !(Number.isFinite(rule.delayMs) && rule.delayMs >= 0)) {
    throw new TypeError("delayMs must be a finite number >= 0");
  }
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 200 && rule.status <= 599)) {
    throw new TypeError("status must be an HTTP status from 200 to 599");
  }
}

export function retryAfterHeaders(retryAfter: RetryAfter | undefined): Record<string, string> {
  if (!retryAfter) return {};
  if ("seconds" in retryAfter) return { "Retry-After": String(retryAfter.seconds) };
  if ("date" in retryAfter) return { "Retry-After": retryAfter.date.toUTCString() };
  return { "retry-after-ms": String(retryAfter.ms) };
}

/** True when the rule answers in place of the provider (the handler does not run). */
export function replacesAnswer(rule: FaultRule): boolean {
  if (rule.body !== undefined || rule.malformed !== undefined || rule.oversizeBytes !== undefined) return true;
  if (rule.retryAfter !== undefined) return true;
  return rule.status !== undefined && rule.status >= 400;
}

/** Status of a replacing answer. */
export function faultStatus(rule: FaultRule): number {
  return rule.status ?? (rule.retryAfter ? 429 : 200);
}

/** Extra headers a rule adds to any answer. */
export function faultHeaders(rule: FaultRule): Record<string, string> {
  return { ...rule.headers, ...retryAfterHeaders(rule.retryAfter) };
}

/** Applies the non-replacing effects to the provider's own answer. */
export function modifyAnswer(rule: FaultRule, reply: Reply, provider: Provider): Reply {
  let body = reply.body;
  if (rule.rawStatus !== undefined && reply.status < 300 && isPlainObject(body) && provider.statusField in body) {
    body = { ...body, [provider.statusField]: rule.rawStatus };
  }
  return { ...reply, status: rule.status ?? reply.status, body };
}

const HTML_PAGE =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n" +
  "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

/** Writes a replacing answer. `headers` already holds CORS and the rule's own headers. */
export function writeFaultAnswer(res: ServerResponse, rule: FaultRule, provider: Provider, headers: Record<string, string>): number {
  const status = faultStatus(rule);
  if (rule.oversizeBytes !== undefined) {
    streamOversize(res, status, rule.oversizeBytes, headers);
  } else if (rule.malformed === "html") {
    send(res, status, HTML_PAGE, "text/html; charset=utf-8", headers);
  } else if (rule.malformed === "empty") {
    send(res, status, "", "application/json", headers);
  } else if (rule.malformed === "json") {
    send(res, status, '{"status": "processing", "id": "7f0c', "application/json", headers);
  } else if (rule.malformed === "truncated") {
    writeTruncated(res, status, headers);
  } else if (rule.body !== undefined) {
    const text = typeof rule.body === "string" ? rule.body : JSON.stringify(rule.body);
    send(res, status, text, "application/json", headers);
  } else {
    sendReply(res, status >= 400 ? provider.error(status) : { status, body: {} }, headers);
  }
  return status;
}

/** Declares more bytes than it sends, then drops the connection mid-body. */
function writeTruncated(res: ServerResponse, status: number, headers: Record<string, string>): void {
  const full = Buffer.from(JSON.stringify({ status: "processing", detail: "x".repeat(256) }), "utf8");
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": String(full.length + 512) });
  res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
}

/** A valid JSON body of exactly `size` bytes, streamed so the kit itself never holds it. */
function streamOversize(res: ServerResponse, status: number, size: number, headers: Record<string, string>): void {
  const head = '{"padding":"';
  const tail = '"}';
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": String(size) });
  res.write(head);
  const chunk = Buffer.alloc(64 * 1024, "x");
  let remaining = size - head.length - tail.length;
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const n = Math.min(remaining, chunk.length);
      remaining -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once("drain", pump);
        return;
      }
    }
    res.end(tail);
  };
  pump();
}
