/**
 * The openapi-fetch client and which fetch runs under it, decided in this one place: the global fetch
 * or the caller's, under the guarded fetch (redirects.ts), with the key put on by our middleware or
 * query serializer until a caller registers middleware of their own, and below it from then on.
 */
import createClient, { createQuerySerializer, type Client, type Middleware } from "openapi-fetch";
import type { FetchLike, SendOptions } from "./client.js";
import type { SignalledFetch } from "./redirects.js";

/** The openapi-fetch client, and what one of our calls spreads into its openapi-fetch call (see SendOptions). */
export interface KeyedClient<Paths extends {}> {
  api: Client<Paths>;
  send(signal: AbortSignal): SendOptions;
}

/**
 * @param auth the provider's auth middleware
 * @param authQuery the query parameter that carries the key, for a provider whose auth is in the query
 * @param guard the guarded fetch (redirects.ts) over a base fetch, given what puts the key on a request
 */
export function createKeyedClient<Paths extends {}>(
  baseUrl: string,
  apiKey: string,
  auth: Middleware,
  authQuery: string | undefined,
  userFetch: FetchLike | undefined,
  guard: (base: SignalledFetch, authorize: (request: Request) => Promise<Request>) => SignalledFetch,
): KeyedClient<Paths> {
  // Puts the key on a redirected request that is back on the provider's origin (see guardedFetch).
  const authorize = async (request: Request): Promise<Request> => {
    const out = await auth.onRequest?.({ request } as Parameters<NonNullable<Middleware["onRequest"]>>[0]);
    return out instanceof Request ? out : request;
  };
  // The signal goes beside the Request only to the global fetch: a caller's fetch takes a Request alone.
  const base: SignalledFetch = userFetch
    ? (request) => userFetch(request)
    : (request, signal) => (signal === undefined ? globalThis.fetch(request) : globalThis.fetch(request, { signal }));
  const guarded = guard(base, authorize);
  // Our own calls (ProviderHttp.call) always build their URL with the key serializer. A direct `api` call
  // may pass a querySerializer of its own, which replaces ours: that one still gets the key here.
  const hasKey = authQuery ? new RegExp(`[?&]${authQuery}=`) : undefined;
  // Once a caller's middleware is registered, the key is put on below it, so that hooks never see it:
  // in a copy of the request (a header set in place would show in onResponse's request), and for a
  // key in the query without the answer's `url`. Until then the serializer or our own middleware put
  // it on, with no rebuild.
  const keyedBelow = (request: Request, signal?: AbortSignal): Promise<Response> =>
    hasKey?.test(request.url)
      ? guarded(request, signal)
      : authorize(hasKey ? request : new Request(request)).then((authorized) =>
          guarded(authorized, signal).then(hasKey ? withoutUrl : undefined),
        );
  let hooked = false;
  const current: FetchLike = (request) => (hooked ? keyedBelow(request) : guarded(request));
  const api = createClient<Paths>({
    baseUrl,
    fetch: hasKey ? (request) => keyedBelow(request) : current,
    // We follow redirects ourselves, so that a key never travels to another origin.
    redirect: "manual",
    ...(authQuery ? { querySerializer: keyQuerySerializer(authQuery, apiKey, () => hooked) } : {}),
  });
  if (!authQuery) api.use(auth);
  const use = api.use.bind(api);
  api.use = (...middleware) => {
    if (!hooked && !authQuery) api.eject(auth);
    hooked = true;
    use(...middleware);
  };
  return {
    api,
    // With a caller's fetch the signal rides in openapi-fetch's Request; the fetch needs no closure per call.
    send: (signal) =>
      userFetch
        ? { signal, fetch: current }
        : { fetch: hooked ? (request) => keyedBelow(request, signal) : (request) => guarded(request, signal) },
  };
}

/**
 * An openapi-fetch query serializer that appends the key (`name=KEY`) to the query it builds, so no
 * Request is rebuilt per call to add it; a `name` among the call's own parameters is replaced, as
 * `searchParams.set` did.
 */
function keyQuerySerializer(name: string, apiKey: string, hooked: () => boolean): (query: Record<string, unknown>) => string {
  const plain = createQuerySerializer();
  const pair = `${name}=${encodeURIComponent(apiKey)}`;
  return (query) => {
    if (hooked()) return plain(query);
    let own = query;
    if (own && Object.hasOwn(own, name)) {
      own = { ...own };
      delete own[name];
    }
    const search = plain(own);
    return search === "" ? pair : `${search}&${pair}`;
  };
}

/** The same answer without its `url` (fetch's holds the key in the query), for a caller's middleware to see. */
function withoutUrl(response: Response): Response {
  if (response.url === "") return response;
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
