/**
 * `jobstatus wait`: the library's wait with a live line (spinner, state, elapsed, polls, next poll)
 * on a terminal, or JSON lines (update, poll, then done or error) when piped.
 */
import { DEFAULT_POLL_POLICY, TimeoutError, wait, type JobSnapshot } from "../../index.js";
import type { Command } from "../args.js";
import { jobOf } from "../clients.js";
import type { Context } from "../context.js";
import { counting } from "../counting.js";
import { EXIT, exitCodeForError, exitCodeForState, type ExitCode } from "../exit-codes.js";
import { errorFields, fitWidth, progressText, seconds, shortId, snapshotFields, stateText } from "../output.js";
import { printable, SHOWN } from "../terminal-text.js";

const REDRAW_MS = 200;

export async function runWait(command: Extract<Command, { kind: "wait" }>, { env, out, signal }: Context): Promise<ExitCode> {
  const { client, handle } = jobOf(command.target, env, command.socket);
  const { provider, stats } = counting(client);
  const started = Date.now();
  let last: JobSnapshot | undefined;
  let nextPollAt: number | undefined;
  const name = `${handle.provider} ${printable(handle.jobId, SHOWN.id)}`;

  const short = `${handle.provider} ${shortId(handle.jobId)}`;
  // Narrower and narrower, the id, the raw status and the progress bar give way first: elapsed, polls and next poll matter more.
  const liveText = () => {
    for (const [who, rawMax, bar] of [
      [name, SHOWN.word, true],
      [short, SHOWN.word, true],
      [short, 16, true],
      [short, 0, true],
      [short, 0, false],
    ] as const) {
      const line = liveLine(who, rawMax, bar);
      if (out.fits(line)) return line;
    }
    // After the 2-column spinner, and one column spare so the cursor never wraps.
    return fitWidth(liveLine(short, 0, false), out.columns - 3);
  };
  const liveLine = (name: string, rawMax: number, bar: boolean) => {
    const now = Date.now();
    const state = last ? stateText(last.state, rawMax > 0 ? last.rawStatus : undefined, out.paint, rawMax) : out.paint.dim("checking");
    const progress = progressText(last?.progress, out.paint, bar);
    const next = nextPollAt === undefined ? "" : ` · next poll in ${Math.max(0, Math.ceil((nextPollAt - now) / 1000))} s`;
    const polls = `${stats.polls} poll${stats.polls === 1 ? "" : "s"}`;
    return `${name} ${state}${progress ? ` · ${progress}` : ""} · ${seconds(now - started)} · ${polls}${next}`;
  };
  const live = out.startLive(liveText());
  const redraw = live ? setInterval(() => (live.text = liveText()), REDRAW_MS) : undefined;

  const minIntervalMs = command.minIntervalMs;
  const maxIntervalMs = client.pollDefaults.maxIntervalMs ?? DEFAULT_POLL_POLICY.maxIntervalMs;
  try {
    const snapshot = await wait(provider, handle, {
      signal,
      timeoutMs: command.timeoutMs,
      // The CLI does not know the job's age, so it checks at once and lets the schedule grow from there.
      poll: { initialDelayMs: 0, ...(minIntervalMs ? { minIntervalMs, maxIntervalMs: Math.max(minIntervalMs, maxIntervalMs) } : {}) },
      onUpdate(s) {
        const stateChanged = !last || last.state !== s.state || last.rawStatus !== s.rawStatus;
        last = s;
        // Pushed progress alone gets a lean line: a long raw status is written once per change of state.
        if (out.json && stateChanged)
          out.record({ event: "update", ...snapshotFields(s, false), elapsedMs: Date.now() - started, polls: stats.polls });
        else if (out.json)
          out.record({
            event: "progress",
            provider: handle.provider,
            jobId: handle.jobId,
            progress: s.progress ?? null,
            elapsedMs: Date.now() - started,
          });
        else if (!live) {
          const progress = progressText(s.progress, out.paint);
          out.out(
            `${name} ${stateText(s.state, s.rawStatus, out.paint)}${progress ? ` · ${progress}` : ""} after ${seconds(Date.now() - started)}`,
          );
        }
      },
      onProgress(state) {
        nextPollAt = Date.parse(state.nextPollAt);
        if (out.json)
          out.record({
            event: "poll",
            provider: handle.provider,
            jobId: handle.jobId,
            polls: stats.polls,
            state: state.lastState ?? null,
            nextPollAt: state.nextPollAt,
          });
      },
    });
    stopLive();
    const code = exitCodeForState(snapshot.state);
    if (out.json) {
      out.record({ event: "done", ...snapshotFields(snapshot, true), elapsedMs: Date.now() - started, polls: stats.polls, exitCode: code });
    } else {
      const mark = code === EXIT.succeeded ? out.paint.green("✔") : out.paint.red("✖");
      const said = snapshot.errorMessage ? `: ${printable(out.mask(snapshot.errorMessage), SHOWN.message)}` : "";
      out.out(
        `${mark} ${name} ${stateText(snapshot.state, snapshot.rawStatus, out.paint)} after ${seconds(Date.now() - started)}, ${stats.polls} poll${stats.polls === 1 ? "" : "s"}${said}`,
      );
    }
    return code;
  } catch (error) {
    stopLive();
    if (out.json) {
      const lastSnapshot = error instanceof TimeoutError ? error.lastSnapshot : last;
      out.record({
        event: "error",
        provider: handle.provider,
        jobId: handle.jobId,
        error: errorFields(error),
        ...(lastSnapshot ? { lastSnapshot: snapshotFields(lastSnapshot, false) } : {}),
        elapsedMs: Date.now() - started,
        polls: stats.polls,
        exitCode: exitCodeForError(signal.aborted ? signal.reason : error),
      });
      // main() prints the message to stderr as for every command; the JSON line is for machines.
    }
    throw error;
  } finally {
    stopLive();
  }

  function stopLive(): void {
    if (redraw) clearInterval(redraw);
    out.stopLive();
  }
}
