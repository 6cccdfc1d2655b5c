/** What every entry point exports besides its provider: errors, the job model, the lifecycle. */
export {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InvalidArgumentError,
  InvalidResponseError,
  JobExpiredError,
  JobFailedError,
  JobStatusError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  ResponseTooLargeError,
  ServerError,
  SubscriptionInactiveError,
  TimeoutError,
  WorkflowRejectedError,
  type ErrorDetails,
  type WorkflowNodeError,
  type ProviderName,
} from "./core/errors.js";
export type { ClientOptions, FetchLike } from "./core/client.js";
export type { LogLevel, LogOptions, Logger } from "./core/log.js";
export type { RetryInit } from "./core/retry.js";
export type {
  ComfyJobHandle,
  DeepAffectsJobHandle,
  DifyJobHandle,
  JobHandle,
  JobProgress,
  JobProvider,
  JobPush,
  JobSnapshot,
  JobState,
  PollDefaults,
  PushEvent,
  PushSocket,
  RateBudget,
  StateTable,
  StatusInit,
  SucceededJobSnapshot,
  TerminalJobSnapshot,
  TerminalJobState,
} from "./core/state.js";
export { wait, watch } from "./lifecycle/wait.js";
export { createWatcher, type JobResult, type WatchedJob, type Watcher } from "./lifecycle/watcher.js";
export type { WaitOptions, WaitState, WatcherOptions } from "./lifecycle/options.js";
export type { EarlyDeliveryLimits } from "./lifecycle/early-deliveries.js";
export { createRateLimiter, sharedRateLimiter, type RateLimiter } from "./lifecycle/limiter.js";
export {
  DEFAULT_POLL_POLICY,
  nextPollDelay,
  resolvePollPolicy,
  type NextPollInput,
  type PollPolicy,
  type PollPolicyOptions,
} from "./lifecycle/policy.js";
export { createAdaptiveModel, type AdaptiveModel, type AdaptiveState } from "./lifecycle/adaptive.js";
export { parseRetryAfter } from "./core/retry-after.js";
