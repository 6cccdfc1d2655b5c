/** Public types of the fake-provider test kit (`jobstatus/testing`). */

/** One of the four job APIs the kit serves. */
export type FakeApi = "dify-chatflow" | "dify-completion" | "comfy" | "deepaffects";

/** Routes a fault rule or a request filter can name; `ws` is the upgrade request of Comfy's WebSocket (`/comfy/ws`). */
export type FakeRoute = "start" | "status" | "detail" | "cancel" | "view" | "ws";

/** Route recorded for a request: a provider route, a CORS preflight, the fake storage host, or no route. */
export type RecordedRoute = FakeRoute | "preflight" | "storage" | "unknown";

/** One step of a job script: the job reports `status` for `forMs` milliseconds; the last step is final. */
export interface ScriptStep {
  status: string;
  forMs?: number;
}

/** API keys the kit accepts. */
export interface FakeKeys {
  difyChatflow: string;
  difyCompletion: string;
  comfy: string;
  /** A second Comfy Cloud user: its jobs answer 403 to `comfy` and the other way round. */
  comfyOther: string;
  /** A Comfy Cloud key whose subscription is inactive: every route answers 429, as Comfy documents. */
  comfyInactive: string;
  deepaffects: string;
}

/** Base URLs to give a client as `baseUrl`. */
export interface FakeUrls {
  difyChatflow: string;
  difyCompletion: string;
  comfy: string;
  deepaffects: string;
}

/** A request budget over a sliding window. */
export interface RateLimit {
  perMinute: number;
  perDay?: number;
}

export interface FakeProvidersOptions {
  /** Clock in ms; read on every request, so mocked `Date.now` (vitest fake timers) works. Default `() => Date.now()`. */
  now?: () => number;
  /** Override any accepted key. */
  keys?: Partial<FakeKeys>;
  /** Scripts for jobs created through the start routes (and `createJob` without script or status). */
  defaultScripts?: Partial<Record<FakeApi, ScriptStep[]>>;
  /** Where Comfy's `GET /api/view` redirects (a signed-storage stand-in). Default: this server's `/signed/` path. */
  storageOrigin?: string;
  /** Request budgets per key and API path. `true` means the real DeepAffects figures: 5 a minute, 100 a day. */
  rateLimits?: Partial<Record<FakeApi, RateLimit | true>>;
  /** First webhook retry delay; doubles on each retry. Default 1000. */
  webhookBackoffMs?: number;
  /** Webhook delivery attempts in all, the first included. Default 5, as the DeepAffects docs say. */
  webhookAttempts?: number;
  /** Per-attempt timeout of a webhook POST. Default 5000. */
  webhookTimeoutMs?: number;
  /** Answer CORS preflights and add `Access-Control-Allow-Origin: *` to every answer. */
  cors?: boolean;
  /** Largest request body accepted; larger gets 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Keep only the newest N recorded requests (for long soak runs). Default: keep all. */
  maxRecordedRequests?: number;
  /** How long Dify keeps an ended job's status before "The job does not exist." Default 600 000, as Dify's tasks store it. */
  difyStatusTtlMs?: number;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
}

/** What `createJob` accepts. */
export interface FakeJobInit {
  /** Job id; a random UUID (or DeepAffects request id) when absent. */
  id?: string;
  /** States over time, from the moment of creation. */
  script?: ScriptStep[];
  /** An instant, final state (shorthand for `script: [{ status }]`). */
  status?: string;
  /** Comfy outputs or DeepAffects response body reported once the job has succeeded. */
  result?: unknown;
  /** Failure text reported in the provider's error field when the job fails. */
  errorMessage?: string;
  /** Dify: the action the job belongs to; asking with the other action gives "job does not exist". Default `enable`. */
  action?: "enable" | "disable";
  /** DeepAffects: the async API path, such as `/audio/generic/api/v1/async/asr` (the default). */
  deepaffectsApi?: string;
  /** DeepAffects: URL the result is POSTed to when the job ends (loopback hosts only). */
  webhook?: string;
  /** Comfy: create the job as the second user. */
  owner?: "comfyOther";
}

/** A request the kit received. */
export interface RecordedRequest {
  method: string;
  /** Path as received, including the provider prefix such as `/comfy`. */
  path: string;
  /** Path and query string exactly as received, except a `token` query value (the Comfy WebSocket's key), recorded as `redacted`. */
  url: string;
  /** The query; a `token` value is recorded as `redacted`. */
  query: Record<string, string>;
  /** Header names in lower case, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** `now()` when the request arrived. */
  at: number;
  route: RecordedRoute;
  api?: FakeApi;
  jobId?: string;
  /** HTTP status answered (101 for an accepted WebSocket); undefined while hanging or after a reset. */
  status?: number;
}

/** A job held by the kit. */
export interface FakeJob {
  readonly id: string;
  readonly api: FakeApi;
  /** Current state, computed from the script and the clock. */
  readonly status: string;
  /** Force a state from now on; the script no longer applies. */
  setStatus(status: string): void;
  /** Requests that named this job. */
  requests(): RecordedRequest[];
}

export type RetryAfter = { seconds: number } | { date: Date } | { ms: number };

/** A fault rule. Rules are tried in the order added; the first that matches answers. */
export interface FaultRule {
  api?: FakeApi;
  /**
   * Route to affect; `*` or absent means every HTTP route of the api. Comfy's WebSocket is only
   * affected by `route: "ws"`, which refuses the upgrade with `status` (and `body`, `headers`,
   * `retryAfter`), delays it (`delayMs`), never answers it (`hang`) or destroys it (`reset`).
   * @example `fake.fault({ api: "comfy", route: "ws", status: 503, times: 1 })`
   */
  route?: FakeRoute | "*";
  jobId?: string;
  /** How many requests the rule affects; unlimited when absent. */
  times?: number;
  /** HTTP status to answer. Default 429 with `retryAfter`, else 200. */
  status?: number;
  /** Body to send: a string as is, anything else as JSON. Default: the provider's error body for `status`. */
  body?: string | object;
  headers?: Record<string, string>;
  /** `seconds` and `date` set `Retry-After`; `ms` sets `retry-after-ms`. */
  retryAfter?: RetryAfter;
  /** Wait this long before answering (or before the other effects). */
  delayMs?: number;
  /** Never answer (until `close()`). */
  hang?: true;
  /** Destroy the connection without answering. */
  reset?: true;
  malformed?: "json" | "html" | "empty" | "truncated";
  /** Answer a JSON body of exactly this many bytes. */
  oversizeBytes?: number;
  /** Answer the normal body with this status value in the provider's status field. */
  rawStatus?: string;
}

/** A fault rule in force: how often it has answered, and how to lift it. */
export interface FaultHandle {
  /** Lifts the rule: later requests are answered normally. */
  remove(): void;
  /** Requests the rule has answered so far. */
  readonly hits: number;
}

export interface WebhookDelivery {
  url: string;
  requestId: string;
  /** 1 for the first try. */
  attempt: number;
  status?: number;
  error?: string;
  body: unknown;
  at: number;
}

export interface RequestFilter {
  api?: FakeApi;
  jobId?: string;
  route?: RecordedRoute;
}

/**
 * Control of the fake Comfy Cloud WebSocket, `ws://127.0.0.1:<port>/comfy/ws?clientId=<uuid>&token=<key>`
 * (`fake.urls.comfy` with `ws:` and `/ws`). Each connection gets a `status` message, then the
 * `execution_*`, `executing`, `progress` messages and a binary preview frame of its user's Comfy
 * jobs as their states change. The table at the top of `src/testing/comfy-ws.ts` gives each
 * behaviour's source.
 */
export interface FakeComfySockets {
  /**
   * Open connections.
   * @example `await until(() => fake.comfySockets.count === 1)`
   */
  readonly count: number;
  /**
   * Destroys every connection without a close frame, as a network failure does.
   * @example `fake.comfySockets.drop(); // the client sees close code 1006`
   */
  drop(): void;
  /**
   * Sends a close frame to every connection (default code 1000) and ends each once the client answers.
   * @example `fake.comfySockets.close(1011, "restarting")`
   */
  close(code?: number, reason?: string): void;
  /**
   * Sends a raw frame to every connection: a string as a text frame, bytes as a binary frame.
   * @example `fake.comfySockets.send("{not json"); fake.comfySockets.send(new Uint8Array([0, 0, 0, 9]))`
   */
  send(frame: string | Uint8Array): void;
  /**
   * Delays every later event by this many ms (default 0), as a slow link would.
   * @example `fake.comfySockets.delayMs = 300`
   */
  delayMs: number;
  /**
   * Drops the events of the next `ms` (connections stay open), as a stalled proxy would.
   * @example `fake.comfySockets.silence(2000); job.setStatus("success"); // no message tells the client`
   */
  silence(ms: number): void;
}

/** The running fake providers. */
export interface FakeProviders {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /**
   * Base URLs to give a client.
   * @example `createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy })`
   */
  readonly urls: FakeUrls;
  /**
   * The keys each fake accepts; anything else gets the provider's 401.
   * @example `fetch(url, { headers: { "X-API-Key": fake.keys.comfy } })`
   */
  readonly keys: FakeKeys;
  /**
   * Adds a job as if the provider had accepted it.
   * @example `fake.createJob("comfy", { script: [{ status: "executing", forMs: 500 }, { status: "success" }] })`
   */
  createJob(api: FakeApi, init?: FakeJobInit): FakeJob;
  /**
   * Finds a job, including one your code started through the API.
   * @example `fake.job("deepaffects", requestId)?.setStatus("Failed")`
   */
  job(api: FakeApi, id: string): FakeJob | undefined;
  /**
   * Requests received so far, oldest first.
   * @example `expect(fake.requests({ api: "comfy", route: "status" })).toHaveLength(3)`
   */
  requests(filter?: RequestFilter): RecordedRequest[];
  /**
   * Adds a fault rule; call `remove()` on the result to lift it.
   * @example `fake.fault({ api: "dify-chatflow", route: "status", status: 429, retryAfter: { seconds: 1 }, times: 2 })`
   */
  fault(rule: FaultRule): FaultHandle;
  /**
   * Comfy Cloud's WebSocket: open connections, and drops, close frames, raw frames, delays and silences.
   * @example `fake.comfySockets.drop()`
   */
  readonly comfySockets: FakeComfySockets;
  /**
   * Webhook POST attempts so far, each with its outcome.
   * @example `expect(fake.webhookDeliveries().map((d) => d.status)).toEqual([500, 200])`
   */
  webhookDeliveries(): WebhookDelivery[];
  /**
   * Stops the server and drops every connection and timer, so the process can exit; open Comfy
   * WebSockets get a close frame (1001) first.
   * @example `afterAll(() => fake.close())`
   */
  close(): Promise<void>;
}
