import type { IncomingMessage } from "node:http";
import type { ParsedBody, Reply } from "./http.js";
import type { JobRecord, JobStore } from "./jobs.js";
import type { FakeApi, FakeKeys, FakeRoute } from "./types.js";

/** Shared state every provider module reads. */
export interface KitContext {
  now(): number;
  jobs: JobStore;
  keys: FakeKeys;
  /** Where Comfy's file view redirects to. */
  storageOrigin(): string;
  /** Called whenever a DeepAffects job may have changed, so its webhook goes out on time. */
  jobTouched(job: JobRecord): void;
}

/** Who made a request, once authenticated. */
export interface Principal {
  key: string;
  user: "main" | "comfyOther";
}

export interface HandlerInput {
  principal: Principal;
  body: ParsedBody;
  query: URLSearchParams;
}

export interface RouteMatch {
  route: FakeRoute;
  jobId?: string;
  /** For routes that name the job in the body (Comfy's queue). */
  jobIdOf?(body: ParsedBody): string | undefined;
  run(input: HandlerInput): Reply;
}

/** One provider API mounted under a path prefix of the server. */
export interface Provider {
  readonly api: FakeApi;
  readonly prefix: string;
  /** Field of a JSON answer holding the job state, rewritten by a `rawStatus` fault. */
  readonly statusField: string;
  match(method: string, parts: string[], query: URLSearchParams): RouteMatch | undefined;
  authenticate(req: IncomingMessage, query: URLSearchParams): Principal | Reply;
  /** The provider's own error body for an HTTP status. */
  error(status: number, message?: string): Reply;
  /** The answer to a request over a `rateLimits` budget; default: `error(429)` with `Retry-After`. */
  rateLimited?(retryAfterSeconds: number): Reply;
}

export function isReply(value: Principal | Reply): value is Reply {
  return "status" in value;
}

/** Default wording per status, used when a fault or a rule gives no body. */
export const STATUS_TEXT: Record<number, { code: string; message: string }> = {
  400: { code: "invalid_param", message: "Bad request." },
  401: { code: "unauthorized", message: "Access token is invalid" },
  402: { code: "payment_required", message: "Over plan quota." },
  403: { code: "forbidden", message: "You do not have access to this resource." },
  404: { code: "not_found", message: "Not found." },
  405: { code: "method_not_allowed", message: "Method not allowed." },
  413: { code: "payload_too_large", message: "Request body too large." },
  429: { code: "too_many_requests", message: "Too many requests, please retry later." },
  500: { code: "internal_server_error", message: "Internal server error." },
  502: { code: "bad_gateway", message: "Bad gateway." },
  503: { code: "service_unavailable", message: "Service unavailable." },
  504: { code: "gateway_timeout", message: "Gateway timeout." },
};

export function statusText(status: number): { code: string; message: string } {
  return STATUS_TEXT[status] ?? { code: status >= 500 ? "server_error" : "error", message: `HTTP ${status}` };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
