/**
 * The status call four ways, for the overhead benchmarks: raw fetch + json(), bare openapi-fetch,
 * openapi-fetch with the same auth middleware we use (a reference point), and our client.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as ComfyPaths } from "../../generated/comfy-cloud.js";
import type { paths as DeepAffectsPaths } from "../../generated/deepaffects.js";
import type { FetchLike } from "../../src/core/client.js";
import type { Library } from "./built.js";

export type ProviderUnderTest = "comfy" | "deepaffects";
/** A fetch with the global fetch's signature, as raw callers use it. */
export type AnyFetch = (input: Request | string, init?: RequestInit) => Promise<Response>;

export interface Contender {
  key: "raw-fetch" | "openapi-fetch" | "openapi-fetch-auth" | "ours";
  label: string;
  call: () => Promise<unknown>;
}

export interface Target {
  baseUrl: string;
  apiKey: string;
  jobId: string;
  /** Given to every contender; the global fetch when absent. */
  fetch?: AnyFetch | undefined;
}

const COMFY_STATUS = "/api/job/{job_id}/status";
const DA_STATUS = "/transaction/generic/api/v1/async/status";

/** `lib` is the library under test: the built bundle (see built.ts) or the sources. */
export function contenders(provider: ProviderUnderTest, target: Target, lib: Library): Contender[] {
  return provider === "comfy" ? comfyContenders(target, lib) : deepAffectsContenders(target, lib);
}

async function rawJson(fetchImpl: AnyFetch, url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetchImpl(url, init);
  if (!response.ok) throw new Error(`raw fetch answered ${response.status}`);
  return response.json();
}

function ensureOk<T extends { error?: unknown; response: Response }>(result: T): T {
  if (!result.response.ok) throw new Error(`openapi-fetch answered ${result.response.status}`);
  return result;
}

function comfyContenders({ baseUrl, apiKey, jobId, fetch: fetchImpl }: Target, lib: Library): Contender[] {
  const doFetch: AnyFetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const headers = { "X-API-Key": apiKey };
  const url = `${baseUrl}/api/job/${encodeURIComponent(jobId)}/status`;
  const bare = createClient<ComfyPaths>({ baseUrl, headers, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  const withAuth = createClient<ComfyPaths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set("X-API-Key", apiKey);
    },
  };
  withAuth.use(auth);
  const ours = lib.createComfyClient({ apiKey, baseUrl, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  const params = { path: { job_id: jobId } };
  return [
    { key: "raw-fetch", label: "raw fetch + json()", call: () => rawJson(doFetch, url, { headers }) },
    { key: "openapi-fetch", label: "bare openapi-fetch GET", call: async () => ensureOk(await bare.GET(COMFY_STATUS, { params })) },
    {
      key: "openapi-fetch-auth",
      label: "openapi-fetch + auth middleware",
      call: async () => ensureOk(await withAuth.GET(COMFY_STATUS, { params })),
    },
    { key: "ours", label: "ours: getJobStatus", call: () => ours.getJobStatus(jobId) },
  ];
}

function deepAffectsContenders({ baseUrl, apiKey, jobId, fetch: fetchImpl }: Target, lib: Library): Contender[] {
  const doFetch: AnyFetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const url = `${baseUrl}${DA_STATUS}?request_id=${encodeURIComponent(jobId)}&apikey=${encodeURIComponent(apiKey)}`;
  const bare = createClient<DeepAffectsPaths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  const withAuth = createClient<DeepAffectsPaths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const rewritten = new URL(request.url);
      rewritten.searchParams.set("apikey", apiKey);
      return new Request(rewritten, request);
    },
  };
  withAuth.use(auth);
  const ours = lib.createDeepAffectsClient({ apiKey, baseUrl, ...(fetchImpl ? { fetch: fetchImpl as FetchLike } : {}) });
  // A bare caller puts the key in the query itself; the document declares it as a security scheme, not a parameter.
  const bareQuery = { request_id: jobId, apikey: apiKey } as { request_id: string };
  return [
    { key: "raw-fetch", label: "raw fetch + json()", call: () => rawJson(doFetch, url) },
    {
      key: "openapi-fetch",
      label: "bare openapi-fetch GET",
      call: async () => ensureOk(await bare.GET(DA_STATUS, { params: { query: bareQuery } })),
    },
    {
      key: "openapi-fetch-auth",
      label: "openapi-fetch + auth middleware",
      call: async () => ensureOk(await withAuth.GET(DA_STATUS, { params: { query: { request_id: jobId } } })),
    },
    { key: "ours", label: "ours: getJobStatus", call: () => ours.getJobStatus(jobId) },
  ];
}

/** A recorded answer (status, headers, body) replayed as a fresh Response on every call. */
export interface CannedAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Records what the fake server really answers, headers included, for the no-network benchmark. */
export async function record(url: string, init?: RequestInit): Promise<CannedAnswer> {
  const response = await fetch(url, init);
  const body = await response.text();
  if (!response.ok) throw new Error(`recording ${url} answered ${response.status}`);
  return { status: response.status, headers: [...response.headers.entries()], body };
}

/**
 * A fetch that answers at once with the canned answer and ignores its input, like the stub of
 * openapi-fetch's own benchmark: what is left to measure is each contender's own work.
 */
export function cannedFetch(answer: CannedAnswer): AnyFetch {
  return async () => new Response(answer.body, { status: answer.status, headers: answer.headers });
}
