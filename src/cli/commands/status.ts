/** `jobstatus status`: one status request, printed; exit 1 when the job has failed or was cancelled. */
import type { Command } from "../args.js";
import { jobOf } from "../clients.js";
import type { Context } from "../context.js";
import { exitCodeForState, type ExitCode } from "../exit-codes.js";
import { snapshotFields, stateText } from "../output.js";
import { printable, SHOWN } from "../terminal-text.js";

export async function runStatus(command: Extract<Command, { kind: "status" }>, { env, out, signal }: Context): Promise<ExitCode> {
  const { client, handle } = jobOf(command.target, env);
  const snapshot = await client.status(handle, { signal });
  if (out.json) {
    out.record(snapshotFields(snapshot, true));
  } else {
    const said = snapshot.errorMessage ? `: ${printable(out.mask(snapshot.errorMessage), SHOWN.message)}` : "";
    out.out(`${handle.provider} ${printable(handle.jobId, SHOWN.id)} ${stateText(snapshot.state, snapshot.rawStatus, out.paint)}${said}`);
  }
  return exitCodeForState(snapshot.state);
}
