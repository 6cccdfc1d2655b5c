/** How a command that ended in an error tells the user: one line on stderr, and a JSON line for machines. */
import type { CommandName } from "./args.js";
import { EXIT, exitCodeForError, type ExitCode } from "./exit-codes.js";
import { errorFields, type Output } from "./output.js";
import { printable, SHOWN } from "./terminal-text.js";

/**
 * Reports `error` (or the signal's reason, once the command was stopped) and returns the exit code.
 * The message may quote a provider's answer, so it is shown as printable text of bounded length.
 */
export function reportFailure(out: Output, command: CommandName, error: unknown, signal: AbortSignal): ExitCode {
  out.stopLive();
  const reason: unknown = signal.aborted ? signal.reason : error;
  const code = exitCodeForError(reason);
  if (code === EXIT.interrupted || code === EXIT.terminated) {
    const how = code === EXIT.terminated ? "Terminated" : "Interrupted";
    out.err(command === "wait" ? `${how}: stopped waiting. The job goes on at the provider.` : `${how}.`);
  } else {
    out.err(`jobstatus: ${printable(out.mask(messageOf(error)), SHOWN.error)}`);
  }
  // wait has written its own error line, with the last snapshot seen.
  if (out.json && command !== "wait") out.record({ event: "error", error: errorFields(reason), exitCode: code });
  return code;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
