/**
 * The fetch under openapi-fetch: it follows redirects by hand, so that a key never reaches another
 * origin, and caps each answer's body (body-cap.ts).
 */
import { capBody } from "./body-cap.js";
import type { InvalidResponseError, ResponseTooLargeError } from "./errors.js";
import type { Log } from "./log.js";

const MAX_REDIRECTS = 5;

/** A fetch given the time limit's signal beside the Request (undefined: the Request's own signal rules). */
export type SignalledFetch = (request: Request, signal?: AbortSignal) => Promise<Response>;

/**
 * The fetch under openapi-fetch: caps the body size, and follows redirects by hand so that a
 * cross-origin redirect (Comfy's file view sends one to signed storage URLs) drops every credential.
 * `signal`, when given, goes to every hop's fetch beside its Request.
 */
export function guardedFetch(
  baseFetch: SignalledFetch,
  maxBytes: number,
  invalid: (problem: string) => InvalidResponseError,
  tooLarge: (problem: string) => ResponseTooLargeError,
  authorize: (request: Request) => Promise<Request>,
  log: Log,
): SignalledFetch {
  return async function fetchGuarded(request, signal) {
    // The key belongs to the origin the client was made for: the first request's (read on a redirect only).
    let home: string | undefined;
    let current = request;
    // A body is read once, so that a 307 or 308 can send it again.
    let body: ArrayBuffer | null = null;
    if (request.body !== null) {
      body = await request.arrayBuffer();
      current = new Request(request, { body });
    }
    for (let hop = 0; ; hop++) {
      const started = log.debug ? Date.now() : 0;
      log.debug?.(`request ${current.method} ${current.url}`);
      let response: Response;
      try {
        response = await baseFetch(current, signal);
      } catch (error) {
        log.debug?.(
          `no answer to ${current.method} ${current.url} after ${Date.now() - started} ms: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw error;
      }
      log.debug?.(`answer ${response.status} to ${current.method} ${current.url} in ${Date.now() - started} ms`);
      if (response.type === "opaqueredirect") {
        throw invalid("with a redirect this runtime hides; jobstatus does not follow it blindly with your key");
      }
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (location === null) return capBody(response, maxBytes, tooLarge, signal ?? current.signal);
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw invalid(`with more than ${MAX_REDIRECTS} redirects`);
      const target = new URL(location, current.url);
      home ??= new URL(request.url).origin;
      current = redirected(current, target, response.status, body);
      // Back home the key is put on again: a key in the query (DeepAffects) is not in the Location.
      if (target.origin === home) current = await authorize(current);
    }
  };
}

// What fetch drops with the body when a redirect turns a request into a GET.
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/**
 * The next hop's request, by fetch's rules: a 307 or 308 sends the same method and body again; a 303,
 * or a 301/302 after a POST, becomes a GET without a body. `redirect: "manual"` on every hop: without
 * it fetch followed the next redirects itself and carried X-API-Key to another origin after a
 * same-origin 301/302/303. Another origin gets none of
 * our headers, which carry the key (Authorization, X-API-Key); only the body's Content-Type.
 */
function redirected(request: Request, target: URL, status: number, body: ArrayBuffer | null): Request {
  const keepsBody = status === 307 || status === 308 || (status !== 303 && request.method !== "POST");
  const method = keepsBody ? request.method : "GET";
  let headers: Headers;
  if (target.origin === new URL(request.url).origin) {
    headers = new Headers(request.headers);
    if (!keepsBody) for (const name of BODY_HEADERS) headers.delete(name);
  } else {
    headers = new Headers();
    const type = request.headers.get("content-type");
    if (keepsBody && body !== null && type !== null) headers.set("content-type", type);
  }
  return new Request(target, { method, headers, body: keepsBody ? body : null, signal: request.signal, redirect: "manual" });
}
