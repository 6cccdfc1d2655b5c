/**
 * The CLI's exit codes, a documented contract for scripts: each class of outcome gets its own code,
 * so `jobstatus wait ... || case $? in ...` can tell a failed job from a wrong key or a typo.
 */
import {
  AuthenticationError,
  InvalidArgumentError,
  JobFailedError,
  NotFoundError,
  PermissionDeniedError,
  TimeoutError,
  type JobState,
} from "../index.js";

export const EXIT = {
  succeeded: 0,
  jobFailed: 1,
  usage: 2,
  timeout: 3,
  auth: 4,
  notFound: 5,
  other: 6,
  /** 128 + SIGINT, what shells expect after Ctrl-C. */
  interrupted: 130,
  /** 128 + SIGTERM, what a supervisor (systemd, Docker, kill) expects after asking a process to stop. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The help text's table, kept next to the codes so the two cannot drift apart. */
export const EXIT_CODES: ReadonlyArray<readonly [ExitCode, string]> = [
  [EXIT.succeeded, "the job succeeded (status: the job has not failed)"],
  [EXIT.jobFailed, "the job failed or was cancelled"],
  [EXIT.usage, "usage error: unknown command or flag, bad value, unreadable file"],
  [EXIT.timeout, "timeout: the job did not end before --timeout (or a request got no answer)"],
  [EXIT.auth, "authentication or permission: the key is missing, wrong, or may not see this job"],
  [EXIT.notFound, "the provider does not know this job id"],
  [EXIT.other, "any other error (network, provider error, unexpected answer)"],
  [EXIT.interrupted, "interrupted with Ctrl-C (SIGINT)"],
  [EXIT.terminated, "stopped by SIGTERM"],
];

/** Thrown for bad command lines and input files; always exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The key's environment variable is not set; exit 4 like a refused key, with the variable's name. */
export class MissingKeyError extends Error {
  override name = "MissingKeyError";
}

export type StopSignal = "SIGINT" | "SIGTERM";

/** Ctrl-C or SIGTERM ended the command; the job itself goes on at the provider. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}

/** 128 + the signal's number, as shells report a process the signal ended. */
export function exitCodeForSignal(signal: StopSignal): ExitCode {
  return signal === "SIGTERM" ? EXIT.terminated : EXIT.interrupted;
}

export function exitCodeForState(state: JobState): ExitCode {
  return state === "failed" || state === "cancelled" ? EXIT.jobFailed : EXIT.succeeded;
}

export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof InterruptedError) return exitCodeForSignal(error.signal);
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof MissingKeyError || error instanceof AuthenticationError || error instanceof PermissionDeniedError) return EXIT.auth;
  if (error instanceof NotFoundError) return EXIT.notFound;
  if (error instanceof TimeoutError) return EXIT.timeout;
  if (error instanceof JobFailedError) return EXIT.jobFailed;
  return EXIT.other;
}
