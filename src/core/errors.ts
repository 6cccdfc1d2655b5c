/**
 * The error hierarchy. Every error jobstatus throws is a {@link JobStatusError}; HTTP answers become an
 * {@link APIError} subclass chosen by status, so callers can branch with `instanceof`.
 *
 * Errors are built only from redacted text (see redact.ts): no message, property, `cause` or stack
 * holds an API key, so they are safe to log, serialize and send to an error tracker.
 */

import { parseRetryAfter } from "./retry-after.js";
import type { JobSnapshot } from "./state.js";

export type ProviderName = "dify" | "comfy" | "deepaffects";

export interface ErrorDetails {
  provider?: ProviderName | undefined;
  /** HTTP status of the answer, when there was one. */
  status?: number | undefined;
  /** The provider's own error code (`invalid_param`, `unauthorized`, `oauth.v2.InvalidApiKey`, ...). */
  code?: string | undefined;
  /** The request id the provider sent back (`x-request-id`), for support tickets. */
  requestId?: string | undefined;
  /** Method and documented path, such as `GET /api/job/{job_id}/status`. Never a full URL. */
  operation?: string | undefined;
  /** A sanitized copy of the underlying error. */
  cause?: unknown;
  /** The answer's headers, redacted (kept by an APIError). */
  headers?: Record<string, string> | undefined;
}

// Fields are `declare`d and set by the constructors only, in the order a field list gave them: a
// field list is emitted as code of its own, run before the constructor sets each field again.
export class JobStatusError extends Error {
  override name = "JobStatusError";
  declare readonly provider: ProviderName | undefined;
  declare readonly status: number | undefined;
  declare readonly code: string | undefined;
  declare readonly requestId: string | undefined;
  declare readonly operation: string | undefined;
  /** Whether the same call may succeed later (network trouble, 408, 429, 5xx, a per-request timeout). */
  get transient(): boolean {
    return false;
  }

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.provider = details.provider;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.operation = details.operation;
  }
}

/** Bad input to jobstatus itself, raised before any request is sent. */
export class InvalidArgumentError extends JobStatusError {
  override name = "InvalidArgumentError";
}

/** The provider answered with an HTTP error status. */
export class APIError extends JobStatusError {
  override name = "APIError";
  declare readonly status: number;
  /**
   * The headers of the failed answer (names in lower case), redacted: a header named like a credential
   * (`set-cookie`, `authorization`, any name with key, token or secret) reads `[REDACTED]`, and the
   * API key is removed wherever another header echoes it.
   */
  declare readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
    this.headers = details.headers ?? {};
  }
  override get transient(): boolean {
    return this.status === 408 || this.status >= 500;
  }
}

/** 400 other than a missing job: the request itself was wrong. */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}

/** 401: the API key is missing, wrong, revoked, or belongs to another app. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}

/** 403: the key is valid but may not see this job (Comfy: a job of another user). */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}

/** 404, or Dify's 400 `invalid_param` "The job does not exist.": the job is unknown to the provider. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}

/** 429: too many requests. `retryAfterMs` is the provider's hint, when it sent one. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  declare readonly retryAfterMs: number | undefined;
  override get transient(): boolean {
    return true;
  }
  constructor(message: string, details: ErrorDetails & { retryAfterMs?: number | undefined }) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 5xx: the provider failed. Usually passes; waits retry it as a slower poll. */
export class ServerError extends APIError {
  override name = "ServerError";
}

/**
 * The APIError subclass an HTTP error status means, with what to do about it. `head` is the answer in
 * words (`<provider> <operation> answered <status> <code>: <message>`) and `details` its redacted
 * details; `missingJob` says the provider reported an unknown job some other way than 404 (Dify's 400
 * invalid_param). A provider's own reading of an answer (ProviderConfig.errorFor) comes first.
 */
export function errorForStatus(
  head: string,
  details: ErrorDetails & { status: number },
  displayName: string,
  envName: string,
  missingJob: boolean | undefined,
  headers: Headers,
): APIError {
  const { status } = details;
  if (status === 401) {
    return new AuthenticationError(`${head}. Check that the API key (${envName}) is valid and meant for this ${displayName} API.`, details);
  }
  if (status === 403) {
    return new PermissionDeniedError(
      `${head}. The key works but may not see this job: use the key of the account that started it.`,
      details,
    );
  }
  if (status === 404 || missingJob) {
    return new NotFoundError(
      `${head}. The provider does not know this job: check the job id, the base URL${details.provider === "dify" ? ", the app and the action" : ""}.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers);
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

/** The request never got an answer: DNS, refused or reset connection, a body cut short. */
export class ConnectionError extends JobStatusError {
  override name = "ConnectionError";
  override get transient(): boolean {
    return true;
  }
}

/**
 * A time limit passed: one request's (`transient`), or a wait's deadline, in which case
 * `lastSnapshot` is the last state seen before giving up.
 */
export class TimeoutError extends JobStatusError {
  override name = "TimeoutError";
  /** The last snapshot a wait saw before its deadline; undefined for a request's timeout or a wait that saw none. */
  declare readonly lastSnapshot: JobSnapshot | undefined;
  declare readonly kind: "request" | "wait";
  override get transient(): boolean {
    return this.kind === "request";
  }
  constructor(message: string, details: ErrorDetails & { kind: "request" | "wait"; lastSnapshot?: JobSnapshot | undefined }) {
    super(message, details);
    this.lastSnapshot = details.lastSnapshot;
    this.kind = details.kind;
  }
}

/** The answer was not what the documents describe: not JSON, the wrong shape, or over the size cap. */
export class InvalidResponseError extends JobStatusError {
  override name = "InvalidResponseError";
}

/**
 * The answer was larger than `maxResponseBytes`, counted as decoded (a compressed body is counted as
 * it inflates). The same request would get the same answer, so a wait does not retry it.
 */
export class ResponseTooLargeError extends InvalidResponseError {
  override name = "ResponseTooLargeError";
  /** The cap that was passed, in bytes. */
  declare readonly maxBytes: number;
  constructor(message: string, details: ErrorDetails & { maxBytes: number }) {
    super(message, details);
    this.maxBytes = details.maxBytes;
  }
}

/**
 * A wait asked to throw on failure (`throwOnFailure: true`) saw the job end failed or cancelled.
 * `snapshot` is the terminal snapshot.
 */
export class JobFailedError extends JobStatusError {
  override name = "JobFailedError";
  /** The job's terminal snapshot (`state` failed or cancelled). */
  declare readonly snapshot: JobSnapshot;
  constructor(message: string, details: ErrorDetails & { snapshot: JobSnapshot }) {
    super(message, details);
    this.snapshot = details.snapshot;
  }
}

/**
 * The account cannot run this call until its subscription is active again (Comfy Cloud answers 429
 * for "subscription inactive"). Not transient: waiting and retrying will not clear it.
 */
export class SubscriptionInactiveError extends APIError {
  override name = "SubscriptionInactiveError";
  override get transient(): boolean {
    return false;
  }
}

/**
 * A plan quota is used up (Dify's 429 `rate_limit_error`) or the plan forbids the call. Not
 * transient: it clears only when the quota period resets or the plan changes.
 */
export class QuotaExceededError extends APIError {
  override name = "QuotaExceededError";
  override get transient(): boolean {
    return false;
  }
}

/** One node's problems in a rejected workflow, as ComfyUI reports them in `node_errors`. */
export interface WorkflowNodeError {
  /** The node's type, such as `KSampler`. */
  class_type?: string | undefined;
  errors: Array<{ type?: string | undefined; message?: string | undefined; details?: string | undefined; extra_info?: unknown }>;
  /** Output nodes that depend on this node. */
  dependent_outputs?: string[] | undefined;
}

/**
 * The provider refused a submitted workflow (Comfy's 400 on `POST /api/prompt`). `message` carries the
 * provider's reason; `errorType` its `error.type`; `nodeErrors` the per-node problems, keyed by node id.
 */
export class WorkflowRejectedError extends BadRequestError {
  override name = "WorkflowRejectedError";
  declare readonly errorType: string | undefined;
  declare readonly nodeErrors: Readonly<Record<string, WorkflowNodeError>>;
  constructor(
    message: string,
    details: ErrorDetails & { errorType?: string | undefined; nodeErrors?: Record<string, WorkflowNodeError> | undefined },
  ) {
    super(message, details);
    this.errorType = details.errorType;
    this.nodeErrors = details.nodeErrors ?? {};
  }
}

/**
 * The provider no longer knows a job that existed: it keeps a job's status only for a while after
 * the job ends (Dify: 10 minutes), so the job may well have succeeded. `reason` says how we know it
 * existed: we saw it alive before, or it is older than the provider's memory.
 */
export class JobExpiredError extends NotFoundError {
  override name = "JobExpiredError";
  declare readonly reason: "seen-before" | "older-than-ttl";
  constructor(message: string, details: ErrorDetails & { reason: "seen-before" | "older-than-ttl" }) {
    super(message, details);
    this.reason = details.reason;
  }
}
