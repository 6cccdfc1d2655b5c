/** The errors a wait ends with by itself: a failed job under `throwOnFailure`, and its deadline. */
import { clipText } from "../core/clip.js";
import { JobFailedError, JobStatusError, TimeoutError } from "../core/errors.js";
import type { JobHandle, JobSnapshot } from "../core/state.js";

/** A terminal snapshot that is not a success, as `throwOnFailure` throws it. */
export function jobFailedError(snapshot: JobSnapshot): JobFailedError {
  const { provider, jobId } = snapshot.handle;
  const said = snapshot.errorMessage ? `: ${clipText(snapshot.errorMessage, 300).replace(/[.\s]+$/, "")}` : "";
  return new JobFailedError(
    `${provider} job ${jobId} ended ${snapshot.state} (${clipText(snapshot.rawStatus ?? "no status", 120)})${said}.`,
    { provider, snapshot },
  );
}

/** The wait's deadline passed; `cause` is the failure that was being retried, if any. */
export function deadlineError(handle: JobHandle, last: JobSnapshot | undefined, cause: unknown): TimeoutError {
  const { provider, jobId } = handle;
  const seen = last ? `; last seen ${last.state} (${clipText(last.rawStatus ?? "no status", 120)})` : "; no answer yet";
  return new TimeoutError(
    `${provider} job ${jobId} did not end before the wait's deadline${seen}. Wait again with a later deadline, or check the job at the provider.`,
    {
      provider,
      kind: "wait",
      lastSnapshot: last,
      cause: cause instanceof JobStatusError ? cause : undefined,
    },
  );
}

/** The cause of a deadline reached while a status request was still out: that request got no answer in time. */
export function unansweredError(handle: JobHandle): TimeoutError {
  const { provider, jobId } = handle;
  return new TimeoutError(`${provider} status request for job ${jobId} got no answer before the wait's deadline.`, {
    provider,
    kind: "request",
  });
}

/** How a log line names a job: its provider and id (never a key). */
export function nameOf(handle: JobHandle): string {
  return `${handle.provider} job ${handle.jobId}`;
}
