/**
 * openapi-fetch plus what every provider client needs: auth middleware, a per-request time limit,
 * a response size cap, redirects that never carry a key to another origin, and answers mapped to
 * typed errors.
 */
import createClient, { createQuerySerializer, type Client, type Middleware } from "openapi-fetch";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InvalidResponseError,
  JobStatusError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  type ProviderName,
} from "./errors.js";
import { redactText, sanitizeCause } from "./redact.js";
import { parseRetryAfter } from "./retry-after.js";
import type { StatusInit } from "./state.js";
import { requireApiKey, requireBaseUrl, requirePositive } from "./validate.js";

/** A `fetch` for a client to send its requests with: it gets a `Request` (carrying the call's signal) and answers a `Response`. */
export type FetchLike = (input: Request) => Promise<Response>;

/** Options every client factory takes. */
export interface ClientOptions {
  /** The provider API key. Kept out of every error, log line and snapshot. */
  apiKey: string;
  /** Where the API lives; defaults to the provider's public host. */
  baseUrl?: string;
  /** A fetch to use instead of the global one (a proxy agent, a test double server, an edge runtime's). */
  fetch?: FetchLike;
  /** Time limit for one request, in ms (default 30 000). */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes (default 4 MiB); a larger one is an InvalidResponseError. */
  maxResponseBytes?: number;
  /** Validate status bodies against the documented shape and throw InvalidResponseError on a mismatch. */
  strict?: boolean;
}

/** The provider's error code and message, read from its error body. */
export interface ErrorBody {
  code?: string | undefined;
  message?: string | undefined;
}

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
   * Provider text that ends up in a snapshot's errorMessage (and so in a JobFailedError's message),
   * with the key removed; undefined for anything but text. A failed job's error text echoing the key
   * reached the error message before (test/reliability/fuzz-wire.test.ts).
   */
  redact(text: unknown): string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export function createProviderHttp<Paths extends {}>(config: ProviderConfig, options: ClientOptions): ProviderHttp<Paths> {
  const { provider, displayName } = config;
  if (options === null || typeof options !== "object") {
    throw new JobStatusError(`${provider}: pass an options object such as { apiKey }.`, { provider });
  }
  const apiKey = requireApiKey(options.apiKey, provider, config.envName);
  const baseUrl = requireBaseUrl(options.baseUrl ?? config.defaultBaseUrl, provider);
  const timeoutMs = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : requirePositive(options.timeoutMs, "timeoutMs", provider);
  const maxBytes =
    options.maxResponseBytes === undefined
      ? DEFAULT_MAX_RESPONSE_BYTES
      : requirePositive(options.maxResponseBytes, "maxResponseBytes", provider);
  const secrets = [apiKey];
  const userFetch = options.fetch;
  // The signal goes beside the Request only to the global fetch: a caller's fetch takes a Request alone.
  const baseFetch: SignalledFetch = userFetch
    ? (request) => userFetch(request)
    : (request, signal) => (signal === undefined ? globalThis.fetch(request) : globalThis.fetch(request, { signal }));

  const invalid = (operation: string, problem: string) =>
    new InvalidResponseError(
      redactText(`${displayName} ${operation} answered ${problem}. Check the base URL points at the ${displayName} API; if it does, the API has changed: please report it.`, secrets),
      { provider, operation },
    );

  const auth = config.auth(apiKey);
  // Puts the key on a redirected request that is back on the provider's origin (see guardedFetch).
  const authorize = async (request: Request): Promise<Request> => {
    const out = await auth.onRequest?.({ request } as Parameters<NonNullable<Middleware["onRequest"]>>[0]);
    return out instanceof Request ? out : request;
  };
  const { authQuery } = config;
  const guarded = guardedFetch(baseFetch, maxBytes, (problem) => invalid("request", problem), authorize);
  // Our own calls (call() below) always build their URL with the key serializer. A direct `api` call
  // may pass a querySerializer of its own, which replaces ours: that one still gets the key here.
  const hasKey = authQuery ? new RegExp(`[?&]${authQuery}=`) : undefined;
  const keyed: FetchLike | undefined = hasKey
    ? (request) => (hasKey.test(request.url) ? guarded(request) : authorize(request).then((authorized) => guarded(authorized)))
    : undefined;
  const api = createClient<Paths>({
    baseUrl,
    fetch: keyed ?? ((request) => guarded(request)),
    // We follow redirects ourselves, so that a key never travels to another origin.
    redirect: "manual",
    ...(authQuery ? { querySerializer: keyQuerySerializer(authQuery, apiKey) } : {}),
  });
  if (!authQuery) api.use(auth);
  // With a caller's fetch the signal rides in openapi-fetch's Request; the fetch needs no closure per call.
  const userSend: FetchLike | undefined = userFetch ? (request) => guarded(request) : undefined;

  function errorFromAnswer(operation: string, response: Response, body: unknown): APIError {
    const status = response.status;
    const parsed = safeReadError(config.readError, body);
    const code = parsed.code ? redactText(parsed.code, secrets).slice(0, 100) : undefined;
    // Redact before textOf: it cuts the text at 200 characters and rewrites tags and spaces, which left
    // a prefix or pieces of an echoed key that no longer matched it (test/reliability/fuzz-wire.test.ts).
    const said = redactText(parsed.message ?? (typeof body === "string" ? textOf(redactText(body, secrets)) : ""), secrets).slice(0, 300);
    const details = {
      provider,
      status,
      code,
      operation,
      requestId: response.headers.get("x-request-id") ?? response.headers.get("request-id") ?? undefined,
    };
    // Our advice follows after a full stop, so the provider's own closing stops are dropped.
    const head = `${displayName} ${operation} answered ${status}${code ? ` ${code}` : ""}${said ? `: ${said.replace(/[.\s]+$/, "")}` : ""}`;
    if (status === 401) {
      return new AuthenticationError(`${head}. Check that the API key (${config.envName}) is valid and meant for this ${displayName} API.`, details);
    }
    if (status === 403) {
      return new PermissionDeniedError(`${head}. The key works but may not see this job: use the key of the account that started it.`, details);
    }
    if (status === 404 || config.isMissingJob?.(status, parsed)) {
      return new NotFoundError(`${head}. The provider does not know this job: check the job id, the base URL${provider === "dify" ? ", the app and the action" : ""}.`, details);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers);
      const when = retryAfterMs === undefined ? "later" : `in ${Math.ceil(retryAfterMs / 1000)} s`;
      return new RateLimitError(`${head}. Too many requests: try again ${when}, or poll less often.`, { ...details, retryAfterMs });
    }
    if (status >= 500) {
      return new ServerError(`${head}. The provider failed; try again later (a wait retries this by itself).`, details);
    }
    if (status === 400) {
      return new BadRequestError(`${head}. The provider rejected the request's parameters; check them against its documentation.`, details);
    }
    return new APIError(`${head}.`, details);
  }

  function errorFromThrown(operation: string, error: unknown, timedOut: boolean): unknown {
    if (error instanceof JobStatusError) return error;
    const cause = sanitizeCause(error, secrets);
    if (timedOut) {
      return new TimeoutError(`${displayName} ${operation} got no answer within ${timeoutMs} ms. The provider may be slow or unreachable; try again, or raise timeoutMs.`, {
        provider,
        operation,
        kind: "request",
        cause,
      });
    }
    if (error instanceof SyntaxError) return invalid(operation, "with a body that is not valid JSON");
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
    const userSignal = init?.signal;
    userSignal?.throwIfAborted();
    const limit = Math.min(init?.timeoutMs ?? timeoutMs, timeoutMs);
    const controller = new AbortController();
    const onAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, Math.max(0, limit));
    let result: R;
    try {
      const signal = controller.signal;
      result = await send(userSend ? { signal, fetch: userSend } : { fetch: (request) => guarded(request, signal) });
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
    return { data: data as NonNullable<R["data"]>, response };
  }

  const redact = (text: unknown) => (typeof text === "string" && text !== "" ? redactText(text, secrets) : undefined);
  return { api, apiKey, strict: options.strict === true, call, invalid, redact };
}

function safeReadError(read: (body: unknown) => ErrorBody, body: unknown): ErrorBody {
  try {
    const parsed = read(body);
    return {
      code: typeof parsed.code === "string" ? parsed.code : undefined,
      message: typeof parsed.message === "string" ? parsed.message : undefined,
    };
  } catch {
    return {};
  }
}

/** A short plain-text version of a non-JSON error body (an HTML error page, a proxy's text). */
function textOf(body: string): string {
  return body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

/** A fetch given the time limit's signal beside the Request (undefined: the Request's own signal rules). */
type SignalledFetch = (request: Request, signal?: AbortSignal) => Promise<Response>;

/**
 * An openapi-fetch query serializer that appends the key (`name=KEY`) to the query it builds, so no
 * Request is rebuilt per call to add it; a `name` among the call's own parameters is replaced, as
 * `searchParams.set` did.
 */
function keyQuerySerializer(name: string, apiKey: string): (query: Record<string, unknown>) => string {
  const plain = createQuerySerializer();
  const pair = `${name}=${encodeURIComponent(apiKey)}`;
  return (query) => {
    let own = query;
    if (own && Object.hasOwn(own, name)) {
      own = { ...own };
      delete own[name];
    }
    const search = plain(own);
    return search === "" ? pair : `${search}&${pair}`;
  };
}

/**
 * The fetch under openapi-fetch: caps the body size, and follows redirects by hand so that a
 * cross-origin redirect (Comfy's file view sends one to signed storage URLs) drops every credential.
 * `signal`, when given, goes to every hop's fetch beside its Request.
 */
function guardedFetch(
  baseFetch: SignalledFetch,
  maxBytes: number,
  invalid: (problem: string) => InvalidResponseError,
  authorize: (request: Request) => Promise<Request>,
): SignalledFetch {
  return async function fetchGuarded(request, signal) {
    // The key belongs to the origin the client was made for: the first request's (read on a redirect only).
    let home: string | undefined;
    let current = request;
    for (let hop = 0; ; hop++) {
      const response = await baseFetch(current, signal);
      if (response.type === "opaqueredirect") {
        throw invalid("with a redirect this runtime hides; jobstatus does not follow it blindly with your key");
      }
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (location === null) return capBody(response, maxBytes, invalid);
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw invalid(`with more than ${MAX_REDIRECTS} redirects`);
      const target = new URL(location, current.url);
      home ??= new URL(request.url).origin;
      current = redirected(current, target, response.status);
      // Back home the key is put on again: a key in the query (DeepAffects) is not in the Location, so a
      // same-origin redirect used to arrive without it and answer 401 (test/reliability/security-redirect.test.ts).
      if (target.origin === home) current = await authorize(current);
    }
  };
}

function redirected(request: Request, target: URL, status: number): Request {
  const keepsMethod = status === 307 || status === 308;
  if (target.origin === new URL(request.url).origin) {
    // `redirect: "manual"` on every hop: without it fetch followed the next redirects itself and carried
    // X-API-Key to another origin after a same-origin 301/302/303 (test/reliability/security-redirect.test.ts).
    return keepsMethod
      ? new Request(target, request)
      : new Request(target, { method: "GET", headers: request.headers, signal: request.signal, redirect: "manual" });
  }
  // Another origin never sees our headers: they carry the key (Authorization, X-API-Key).
  return new Request(target, { method: keepsMethod ? request.method : "GET", signal: request.signal, redirect: "manual" });
}

function capBody(response: Response, maxBytes: number, invalid: (problem: string) => InvalidResponseError): Response {
  const length = response.headers.get("content-length");
  if (length !== null && Number(length) <= maxBytes) return response;
  if (length !== null) {
    void response.body?.cancel();
    throw invalid(`with a ${length}-byte body, over the ${maxBytes}-byte cap (maxResponseBytes)`);
  }
  if (response.body === null) return response;
  let seen = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(invalid(`with a body over the ${maxBytes}-byte cap (maxResponseBytes)`));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}
