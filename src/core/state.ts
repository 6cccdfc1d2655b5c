/**
 * The cross-provider job model: handles (what a status call needs, as plain JSON), the normalized
 * state, snapshots, and the JobProvider interface the lifecycle talks to without knowing providers.
 */
import type { ProviderName } from "./errors.js";

/** One normalized state for every provider. `unknown` is a value we have not seen documented. */
export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "unknown";

/** A provider's raw status strings and the normalized state each one means. */
export type StateTable = Readonly<Record<string, JobState>>;

/** A Dify annotation-reply job: the status path needs its app (for the key) and its action. */
export interface DifyJobHandle {
  provider: "dify";
  app: "chatflow" | "completion";
  action: "enable" | "disable";
  jobId: string;
  /** ISO 8601 time the job was started (or first seen). */
  startedAt: string;
}

/** A Comfy Cloud job: its `prompt_id`. */
export interface ComfyJobHandle {
  provider: "comfy";
  jobId: string;
  startedAt: string;
}

/** A DeepAffects async job: its `request_id`, and the API that started it (its rate budget and kind). */
export interface DeepAffectsJobHandle {
  provider: "deepaffects";
  /** The async API that started the job, such as `asr` or `diarize`. */
  api: string;
  jobId: string;
  startedAt: string;
  /** The job was started with a webhook, so polling only backs it up. */
  webhook?: boolean;
}

/** Everything a status call needs, as plain JSON: store it anywhere and wait on it later. */
export type JobHandle = DifyJobHandle | ComfyJobHandle | DeepAffectsJobHandle;

/**
 * What one status check saw, normalized: `state` and `terminal` for every provider, the raw body beside them.
 * `S` is the provider's raw status strings (such as `ComfyRawStatus`), for `rawStatus`.
 *
 * Typed per provider wherever the provider is known: a client's `status`, `wait` and `watch`, and
 * `watcher.add(...).result`. A watcher's `update` and `settled` events and `results()` mix providers,
 * so they carry `JobSnapshot` with `raw: unknown`: narrow on `snapshot.handle.provider`.
 */
export interface JobSnapshot<Raw = unknown, H extends JobHandle = JobHandle, S extends string = string> {
  handle: H;
  state: JobState;
  /** True for succeeded, failed and cancelled: the job will not change again. */
  terminal: boolean;
  /**
   * The provider's own status string, as sent but with the API key removed (`raw` keeps the body
   * untouched): one of its known statuses, or any other string.
   */
  rawStatus: S | undefined;
  /** The provider's error message, when it gave one. */
  errorMessage?: string | undefined;
  /** The typed body the state was read from. */
  raw: Raw;
  /** ISO 8601 time of the observation. */
  observedAt: string;
  /** A server hint on when to ask again, in ms, when the answer carried one. */
  retryAfterMs?: number | undefined;
  /**
   * What the provider pushed since about the running job (Comfy Cloud's WebSocket): the node running
   * and its steps. It rides on the last polled snapshot, so `state` and `raw` are the last poll's.
   */
  progress?: JobProgress | undefined;
}

/** A running job's progress as pushed: the node running, and its steps (`value` of `max`) once it reports them. */
export type JobProgress = { node?: string | undefined } & ({ value: number; max: number } | { value?: undefined; max?: undefined });

/** The states a job ends in. */
export type TerminalJobState = "succeeded" | "failed" | "cancelled";

/** A snapshot of a job that has ended (succeeded, failed or cancelled): what `wait` resolves with. */
export type TerminalJobSnapshot<Raw = unknown, H extends JobHandle = JobHandle, S extends string = string> = JobSnapshot<Raw, H, S> & {
  state: TerminalJobState;
  terminal: true;
};

/** A snapshot of a job that has succeeded: what `wait` resolves with when asked to `throwOnFailure`. */
export type SucceededJobSnapshot<Raw = unknown, H extends JobHandle = JobHandle, S extends string = string> = JobSnapshot<Raw, H, S> & {
  state: "succeeded";
  terminal: true;
};

/** Poll schedule defaults a provider brings (the lifecycle's PollPolicyOptions without behaviour). */
export interface PollDefaults {
  initialDelayMs?: number;
  minIntervalMs?: number;
  maxIntervalMs?: number;
  patience?: number;
  jitter?: number;
  /** How long a wait without `timeoutMs` or `deadline` lasts before it gives up with a TimeoutError. */
  defaultTimeoutMs?: number;
}

/** A request budget: at most `requests` in any window of `intervalMs`. */
export interface RateBudget {
  requests: number;
  intervalMs: number;
}

/** Per-request options of every client call: a signal to cancel it and a time limit. */
export interface StatusInit {
  signal?: AbortSignal | undefined;
  /**
   * Per-request time limit in ms, capped by the client's `timeoutMs`; a wait passes the time left
   * before its deadline. 0, a negative number or NaN is an InvalidArgumentError.
   */
  timeoutMs?: number | undefined;
}

/**
 * What the lifecycle needs from a provider client. Every client of this package implements it.
 * `S` is the provider's raw status strings, carried into the snapshots `wait` and `watch` return.
 */
export interface JobProvider<H extends JobHandle = JobHandle, Raw = unknown, S extends string = string> {
  readonly provider: ProviderName;
  /** Names the credential for shared rate budgets and backoff, without revealing it. */
  readonly rateKey: string;
  readonly pollDefaults: PollDefaults;
  readonly rateBudgets: readonly RateBudget[];
  /** One status request, normalized. Throws a JobStatusError subclass on failure. */
  status(handle: H, init?: StatusInit): Promise<JobSnapshot<Raw, H, S>>;
  /** The state table applied to a raw status string. */
  normalize(rawStatus: unknown): JobState;
  /** Groups jobs that take alike long, for the adaptive policy ("dify:enable", "deepaffects:asr"). */
  kindOf(handle: H): string;
  /** Checks that a stored handle belongs to this client, before any request. */
  checkHandle(handle: unknown): H;
  /** The snapshot a webhook delivery means, for providers that call back when a job ends. */
  fromWebhook?(handle: H, payload: unknown): JobSnapshot<unknown, H>;
  /**
   * Events the provider pushes over one connection per key (Comfy Cloud's WebSocket), for providers
   * that have them and a runtime that can open one. The status endpoint stays the source of truth.
   */
  readonly push?: JobPush | undefined;
}

/** What a pushed frame says about one job: it ended (to confirm with one status request), or its progress. */
export interface PushEvent {
  jobId: string;
  ended?: boolean | undefined;
  progress?: JobProgress | undefined;
}

/** The part of a WHATWG WebSocket a push uses (browsers, Node 22+, Deno, Bun, the `ws` package). */
export interface PushSocket {
  /** The connection is open. */
  onopen: ((event: any) => void) | null;
  /** A frame arrived: `event.data` is a string for a text frame. */
  onmessage: ((event: any) => void) | null;
  /** Something failed; a close follows. */
  onerror: ((event: any) => void) | null;
  /** The connection ended: `event.code` says how. */
  onclose: ((event: any) => void) | null;
  /** Ends the connection. */
  close(code?: number): void;
}

/** A provider's push channel: how to open a connection, and how to read its frames. */
export interface JobPush {
  /** Where connections go, without the key (the base URL): clients of one key and target share one. */
  readonly target: string;
  /**
   * Opens a new connection. Its URL carries the key: an error this throws may quote it, so the
   * lifecycle shows only the error's name.
   */
  connect(): PushSocket;
  /** What one text frame says about one job; undefined for any other frame. */
  parse(frame: string): PushEvent | undefined;
}

const TERMINAL: ReadonlySet<JobState> = new Set<JobState>(["succeeded", "failed", "cancelled"]);

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

export function makeSnapshot<Raw, H extends JobHandle>(
  handle: H,
  state: JobState,
  rawStatus: unknown,
  raw: Raw,
  extra: { errorMessage?: string | undefined; retryAfterMs?: number | undefined } = {},
): JobSnapshot<Raw, H> {
  return {
    handle,
    state,
    terminal: isTerminal(state),
    rawStatus: typeof rawStatus === "string" ? rawStatus : undefined,
    // Bodies are read tolerantly, so a provider's error field may be any JSON value; only text is a message.
    errorMessage: typeof extra.errorMessage === "string" && extra.errorMessage !== "" ? extra.errorMessage : undefined,
    raw,
    observedAt: new Date().toISOString(),
    retryAfterMs: extra.retryAfterMs,
  };
}
