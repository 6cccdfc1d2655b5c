/**
 * openapi-fetch plus what every provider client needs: auth middleware, a per-request time limit,
 * a response size cap, redirects that never carry a key to another origin, and answers mapped to
 * typed errors.
 */
import type { Client, Middleware } from "openapi-fetch";
import {
  ConnectionError,
  errorForStatus,
  InvalidResponseError,
  JobStatusError,
  ResponseTooLargeError,
  TimeoutError,
  type APIError,
  type ProviderName,
} from "./errors.js";
import { clipText } from "./clip.js";
import { readErrorBody, textOf, type ErrorAnswer, type ErrorBody } from "./error-mapping.js";
import { createKeyedClient } from "./keyed-client.js";
import { guardedFetch } from "./redirects.js";
import { createLog, type LogOptions } from "./log.js";
import { redactHeaders, redactText, sanitizeCause } from "./redact.js";
import { requireMaxRetries, retryDelay, sleep, type RetryInit } from "./retry.js";
import type { StatusInit } from "./state.js";
import { requireApiKey, requireBaseUrl, requirePositive, requireTimeoutMs } from "./validate.js";

/** A `fetch` for a client to send its requests with: it gets a `Request` (carrying the call's signal) and answers a `Response`. */
export type FetchLike = (input: Request) => Promise<Response>;

/**
 * Options every client factory takes. `logger` and `logLevel` (or `JOBSTATUS_LOG`) log each request
 * and answer at `debug` and each retry decision at `info`, redacted.
 */
export interface ClientOptions extends LogOptions {
  /** The provider API key. Kept out of every error, log line and snapshot. */
  apiKey: string;
  /** Where the API lives; defaults to the provider's public host. */
  baseUrl?: string;
  /** A fetch to use instead of the global one (a proxy agent, a test double server, an edge runtime's). */
  fetch?: FetchLike;
  /** Time limit for one request, in ms (default 30 000; at most 2 147 483 647, a timer's longest). */
  timeoutMs?: number;
  /**
   * Largest response body accepted, in bytes (default 4 MiB), counted as decoded: a gzip, deflate or
   * br body is counted as it inflates. A larger one is a ResponseTooLargeError, which a wait does not retry.
   */
  maxResponseBytes?: number;
  /** Validate status bodies against the documented shape and throw InvalidResponseError on a mismatch. */
  strict?: boolean;
}

export type { ErrorAnswer, ErrorBody };

export interface ProviderConfig {
  provider: ProviderName;
  displayName: string;
  envName: string;
  defaultBaseUrl: string;
  auth: (apiKey: string) => Middleware;
  /**
   * The query parameter that carries the key, for a provider whose auth is in the query (DeepAffects'
   * `apikey`). openapi-fetch's query serializer then writes it into the URL it builds, and `auth` runs
   * only where that cannot happen: a redirect hop back home, a direct `api` call with its own serializer.
   */
  authQuery?: string;
  readError: (body: unknown) => ErrorBody;
  /** Some providers answer a missing job with something other than 404 (Dify: 400 invalid_param). */
  isMissingJob?: (status: number, error: ErrorBody) => boolean;
  /**
   * A provider's own reading of an error answer (Comfy's 429 "subscription inactive", Dify's quota
   * codes); undefined falls back to the mapping by status.
   */
  errorFor?: (answer: ErrorAnswer) => APIError | undefined;
}

/**
 * What a `send` callback spreads into its openapi-fetch call. With the global fetch it is a `fetch`
 * that hands the time limit's signal to fetch beside the Request, and no `signal`: in openapi-fetch's
 * Request the signal was linked once there and again in fetch's copy of it, each link a WeakRef, a
 * FinalizationRegistry entry and an abort listener in undici. A caller's fetch (FetchLike takes only
 * a Request) gets the signal inside the Request, so that it can still be cancelled.
 */
export interface SendOptions {
  signal?: AbortSignal;
  fetch?: FetchLike;
}

export interface ProviderHttp<Paths extends {}> {
  api: Client<Paths>;
  apiKey: string;
  /** The validated base URL, without a trailing slash. */
  baseUrl: string;
  strict: boolean;
  /**
   * Runs one openapi-fetch call under the time limit and turns every failure into a typed error.
   * Resolves with the parsed body of a 2xx answer and the answer itself (for headers).
   */
  call<R extends { data?: unknown; response: Response }>(
    operation: string,
    init: StatusInit | undefined,
    send: (options: SendOptions) => Promise<R>,
  ): Promise<{ data: NonNullable<R["data"]>; response: Response }>;
  /** An InvalidResponseError for a body that does not have the documented shape. */
  invalid(operation: string, problem: string): InvalidResponseError;
  /**
   * Provider text that ends up in a snapshot (rawStatus, errorMessage, and so in a JobFailedError's
   * message), with the key removed; undefined for anything but text.
   */
  redact(text: unknown): string | undefined;
  /** A provider value as JSON for one of our messages: redacted, then clipped to a readable length. */
  quote(value: unknown): string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
// Documented bodies nest a few levels; a far deeper one parses but then overflows the stack of any
// recursive reader (JSON.stringify of a snapshot, structuredClone).
const MAX_DEPTH = 64;
// zlib's and brotli's decode errors, and undici's for oversized headers.
const UNREADABLE = /^(?:Z_|ERR__ERROR_|ERR_BROTLI|UND_ERR_HEADERS_OVERFLOW$)/;

export function createProviderHttp<Paths extends {}>(config: ProviderConfig, options: ClientOptions): ProviderHttp<Paths> {
  const { provider, displayName } = config;
  if (options === null || typeof options !== "object") {
    throw new JobStatusError(`${provider}: pass an options object such as { apiKey }.`, { provider });
  }
  const apiKey = requireApiKey(options.apiKey, provider, config.envName);
  const baseUrl = requireBaseUrl(options.baseUrl ?? config.defaultBaseUrl, provider);
  const timeoutMs = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : requireTimeoutMs(options.timeoutMs, "timeoutMs", provider);
  const maxBytes =
    options.maxResponseBytes === undefined
      ? DEFAULT_MAX_RESPONSE_BYTES
      : requirePositive(options.maxResponseBytes, "maxResponseBytes", provider, "bytes");
  const secrets = [apiKey];
  const log = createLog(options, secrets);

  const invalid = (operation: string, problem: string) =>
    new InvalidResponseError(
      redactText(
        `${displayName} ${operation} answered ${problem}. Check the base URL points at the ${displayName} API; if it does, the API has changed: please report it.`,
        secrets,
      ),
      { provider, operation },
    );

  // Provider text as one of our messages quotes it: redacted, then clipped to `max`. Only the part that
  // can be shown is redacted (a few MB of text took a second), with room for any spelling of a secret
  // that starts inside it.
  const slack = 256 + 16 * Math.max(...secrets.map((s) => s.length));
  const shown = (text: string, max: number) =>
    clipText(redactText(text.length > max + slack ? text.slice(0, max + slack) : text, secrets), max, text.length);

  const tooLarge = (problem: string) =>
    new ResponseTooLargeError(`${displayName} answered ${problem}. Raise maxResponseBytes if the answer is genuine.`, {
      provider,
      maxBytes,
    });
  const { api, send: sendOptions } = createKeyedClient<Paths>(
    baseUrl,
    apiKey,
    config.auth(apiKey),
    config.authQuery,
    options.fetch,
    (base, authorize) => guardedFetch(base, maxBytes, (problem) => invalid("request", problem), tooLarge, authorize, log),
  );

  function errorFromAnswer(operation: string, response: Response, body: unknown): APIError {
    const status = response.status;
    const parsed = readErrorBody(config.readError, body);
    // Redacted whole before textOf and the clip: each cut or rewrite of spaces and tags made first
    // could leave a piece of an echoed key that no longer matches it.
    const code = parsed.code ? shown(parsed.code, 100) : undefined;
    const said = shown(parsed.message ?? (typeof body === "string" ? textOf(redactText(body.slice(0, 65_536), secrets)) : ""), 300);
    const requestId = response.headers.get("x-request-id") ?? response.headers.get("request-id") ?? undefined;
    const details = {
      provider,
      status,
      code,
      operation,
      requestId: requestId === undefined ? undefined : redactText(requestId, secrets),
      headers: redactHeaders(response.headers, secrets),
    };
    // Our advice follows after a full stop, so the provider's own closing stops are dropped.
    const head = `${displayName} ${operation} answered ${status}${code ? ` ${code}` : ""}${said ? `: ${said.replace(/[.\s]+$/, "")}` : ""}`;
    return (
      config.errorFor?.({ status, body, response, error: parsed, head, details, redact: (text) => redactText(text, secrets) }) ??
      errorForStatus(head, details, displayName, config.envName, config.isMissingJob?.(status, parsed), response.headers)
    );
  }

  function errorFromThrown(operation: string, error: unknown, timedOut: boolean): unknown {
    if (error instanceof JobStatusError) return error;
    const cause = sanitizeCause(error, secrets);
    if (timedOut) {
      return new TimeoutError(
        `${displayName} ${operation} got no answer within ${timeoutMs} ms. The provider may be slow or unreachable; try again, or raise timeoutMs.`,
        {
          provider,
          operation,
          kind: "request",
          cause,
        },
      );
    }
    if (error instanceof SyntaxError) return invalid(operation, "with a body that is not valid JSON");
    // A body that does not decode as its Content-Encoding says, or headers over fetch's limit, is the
    // server's answer, not a network failure: the same request would get it again.
    const code = codesOf(error).find((c) => UNREADABLE.test(c));
    if (code !== undefined) {
      return invalid(
        operation,
        code === "UND_ERR_HEADERS_OVERFLOW"
          ? "with headers over fetch's size limit"
          : "with a body that does not decode as its Content-Encoding says",
      );
    }
    return new ConnectionError(
      `${displayName} ${operation} failed before an answer arrived (${cause?.message ?? "network error"}). Check the network and the base URL; a wait retries this by itself.`,
      { provider, operation, cause },
    );
  }

  async function call<R extends { data?: unknown; response: Response }>(
    operation: string,
    init: StatusInit | undefined,
    send: (options: SendOptions) => Promise<R>,
  ): Promise<{ data: NonNullable<R["data"]>; response: Response }> {
    // Only an idempotent GET is retried: a POST sent twice may start a job twice.
    const maxRetries = operation.startsWith("GET ") ? requireMaxRetries((init as RetryInit | undefined)?.maxRetries, provider) : 0;
    if (maxRetries === 0) return callOnce(operation, init, send);
    for (let retry = 1; ; retry++) {
      try {
        return await callOnce(operation, init, send);
      } catch (error) {
        const delay = retry > maxRetries ? undefined : retryDelay(error, retry);
        const what = error instanceof Error ? error.name : "error";
        if (delay === undefined) {
          if (retry > 1 || (error instanceof JobStatusError && error.transient))
            log.info?.(`${operation} failed (${what}); not retried (${retry - 1} of ${maxRetries} retries done)`);
          throw error;
        }
        log.info?.(`${operation} failed (${what}); retry ${retry} of ${maxRetries} in ${delay} ms`);
        await sleep(delay, init?.signal);
      }
    }
  }

  async function callOnce<R extends { data?: unknown; response: Response }>(
    operation: string,
    init: StatusInit | undefined,
    send: (options: SendOptions) => Promise<R>,
  ): Promise<{ data: NonNullable<R["data"]>; response: Response }> {
    const userSignal = init?.signal;
    userSignal?.throwIfAborted();
    // Checked here, before any request: NaN, 0 or a negative limit made every call time out at once.
    const limit = init?.timeoutMs === undefined ? timeoutMs : Math.min(requireTimeoutMs(init.timeoutMs, "timeoutMs", provider), timeoutMs);
    const controller = new AbortController();
    const onAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        controller.abort();
      },
      Math.max(0, limit),
    );
    let result: R;
    try {
      const signal = controller.signal;
      result = await send(sendOptions(signal));
    } catch (error) {
      if (userSignal?.aborted && !timedOut) throw userSignal.reason;
      throw errorFromThrown(operation, error, timedOut);
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onAbort);
    }
    const { response } = result;
    if (!response.ok) throw errorFromAnswer(operation, response, (result as { error?: unknown }).error);
    const data = result.data;
    if (data === undefined || data === null || typeof data !== "object" || Array.isArray(data)) {
      throw invalid(operation, `${response.status} with ${data === undefined ? "an empty body" : "a body that is not a JSON object"}`);
    }
    if (nestedDeeper(data, MAX_DEPTH)) throw invalid(operation, `with JSON nested deeper than ${MAX_DEPTH} levels`);
    return { data: data as NonNullable<R["data"]>, response };
  }

  const redact = (text: unknown) => (typeof text === "string" ? redactText(text, secrets) : undefined);
  const quote = (value: unknown) => shown(jsonOf(value), 120);
  return { api, apiKey, baseUrl, strict: options.strict === true, call, invalid, redact, quote };
}

/** The `code` of an error and of its causes. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** Whether a parsed body has arrays or objects nested more than `max` deep; iterative, so any depth is safe. */
function nestedDeeper(value: object, max: number): boolean {
  const stack: Array<[object, number]> = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child as object, depth + 1]);
    }
  }
  return false;
}

function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
