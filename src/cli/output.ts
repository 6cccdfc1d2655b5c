/**
 * Where the CLI writes: a live line (yocto-spinner) on an interactive terminal, or one JSON object
 * per line when piped or asked with --json. Colours only on a terminal and never with NO_COLOR.
 * Every write passes through `mask`, a last guard that no key value set in the environment is shown.
 */
import { stripVTControlCharacters } from "node:util";
import yoctoSpinner from "yocto-spinner";
import colors from "yoctocolors";
import { JobStatusError, type JobSnapshot, type JobState } from "../index.js";
import type { Env } from "./clients.js";
import { jsonLine, printable, SHOWN } from "./terminal-text.js";

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

type Paint = (text: string) => string;
export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
  cyan: Paint;
}

const plain: Palette = { green: String, red: String, yellow: String, dim: String, bold: String, cyan: String };

/** Colours on a terminal only, and never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function paletteFor(stream: { isTTY?: boolean }, env: Env): Palette {
  const color = Boolean(stream.isTTY) && !env["NO_COLOR"] && env["TERM"] !== "dumb";
  return color
    ? { green: colors.green, red: colors.red, yellow: colors.yellow, dim: colors.dim, bold: colors.bold, cyan: colors.cyan }
    : plain;
}

/** Interactive the way yocto-spinner judges it (a TTY, not TERM=dumb, not CI), so both agree. */
export function isInteractive(stream: { isTTY?: boolean }, env: Env): boolean {
  return Boolean(stream.isTTY) && env["TERM"] !== "dumb" && !("CI" in env);
}

export class Output {
  /** JSON lines: asked with --json, or stdout is not a terminal. */
  readonly json: boolean;
  /** A live line can be redrawn in place: human mode on an interactive stderr. */
  readonly interactive: boolean;
  readonly paint: Palette;
  private readonly secrets: string[];
  private live: Live | undefined;

  constructor(
    private readonly streams: Streams,
    env: Env,
    options: { json: boolean; secrets: string[] },
  ) {
    this.json = options.json || !streams.stdout.isTTY;
    this.paint = this.json ? plain : paletteFor(streams.stdout, env);
    // Very short values would garble ordinary text; real keys are long.
    this.secrets = options.secrets.filter((s) => s.length >= 6);
    this.interactive = !this.json && isInteractive(streams.stderr, env);
  }

  /** Every key replaced by [REDACTED]; applied to provider text before it is cut, so a cut never leaves part of a key. */
  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[REDACTED]");
    return out;
  }

  /** One JSON object on its own line, on stdout. */
  record(value: object): void {
    this.streams.stdout.write(`${this.mask(jsonLine(value))}\n`);
  }

  out(text: string): void {
    this.streams.stdout.write(`${this.mask(text)}\n`);
  }

  err(text: string): void {
    this.streams.stderr.write(`${this.mask(text)}\n`);
  }

  get columns(): number {
    return this.streams.stderr.columns || 80;
  }

  /** Whether a live line (after its 2-column spinner) fits the terminal's width without wrapping. */
  fits(text: string): boolean {
    return stripVTControlCharacters(text).length + 2 < this.columns;
  }

  /** Starts the live line; undefined when the terminal cannot redraw one. */
  startLive(text: string): Live | undefined {
    if (!this.interactive) return undefined;
    this.live = new Live(this.streams.stderr, (t) => this.mask(t), text);
    return this.live;
  }

  /** Removes the live line and shows the cursor again; safe to call any number of times. */
  stopLive(): void {
    this.live?.stop();
    this.live = undefined;
  }
}

/** One redrawn line (or block of lines): a spinner, then text that callers update. */
export class Live {
  private readonly spinner: ReturnType<typeof yoctoSpinner>;
  private readonly onExit = () => this.stop();

  constructor(
    stream: NodeJS.WritableStream,
    private readonly mask: (text: string) => string,
    text: string,
  ) {
    // Signals are ours to handle: Ctrl-C must abort the wait and report, not exit from inside the spinner.
    this.spinner = yoctoSpinner({ stream: stream as NodeJS.WriteStream, text: mask(text), handleSignals: false }).start();
    // Whatever ends the process, the cursor comes back and no half-drawn line stays behind.
    process.once("exit", this.onExit);
  }

  set text(text: string) {
    if (this.spinner.isSpinning) this.spinner.text = this.mask(text);
  }

  stop(): void {
    process.off("exit", this.onExit);
    if (this.spinner.isSpinning) this.spinner.stop();
  }
}

/**
 * Fits a line to `width` columns so a redrawn line never wraps; a line that is too long loses its
 * colours and its end, which beats a redraw erasing the wrong rows.
 */
export function fitWidth(text: string, width: number): string {
  const visible = stripVTControlCharacters(text);
  return visible.length <= width ? text : `${visible.slice(0, Math.max(0, width - 1))}…`;
}

/** A long job id cut to its start, for lines that must fit a terminal. */
export function shortId(jobId: string): string {
  return printable(jobId, jobId.length > 12 ? 8 : 12);
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The normalized state, and the provider's own status after it (at most `rawMax` characters) when it says more. */
export function stateText(state: JobState, rawStatus: string | undefined, paint: Palette, rawMax: number = SHOWN.word): string {
  const color =
    state === "succeeded"
      ? paint.green
      : state === "failed" || state === "cancelled"
        ? paint.red
        : state === "unknown"
          ? paint.yellow
          : paint.cyan;
  return `${color(state)}${rawStatus !== undefined && rawStatus !== state ? paint.dim(` (${printable(rawStatus, rawMax)})`) : ""}`;
}

const BAR_WIDTH = 10;

/**
 * Pushed progress (Comfy Cloud's WebSocket): "step 2/4 (node 3)", or "node 3" before the node
 * reports steps; `bar` puts a bar of the steps before it, for the live line on a terminal.
 */
export function progressText(progress: JobSnapshot["progress"], paint: Palette, bar = false): string {
  if (!progress) return "";
  const node = progress.node === undefined ? "" : `node ${printable(progress.node, SHOWN.word)}`;
  const { value, max } = progress;
  if (value === undefined || !(Number.isFinite(value) && Number.isFinite(max) && max > 0)) return node;
  const done = Math.min(max, Math.max(0, value));
  const steps = `step ${done}/${max}${node ? ` (${node})` : ""}`;
  if (!bar) return steps;
  const filled = Math.round((done / max) * BAR_WIDTH);
  return `${paint.cyan("█".repeat(filled))}${paint.dim("░".repeat(BAR_WIDTH - filled))} ${steps}`;
}

/** A snapshot as JSON fields; `raw` only when asked, since bodies with results can be large. */
export function snapshotFields(snapshot: JobSnapshot, withRaw: boolean): Record<string, unknown> {
  return {
    provider: snapshot.handle.provider,
    jobId: snapshot.handle.jobId,
    state: snapshot.state,
    rawStatus: snapshot.rawStatus ?? null,
    terminal: snapshot.terminal,
    ...(snapshot.errorMessage ? { errorMessage: snapshot.errorMessage } : {}),
    ...(snapshot.progress ? { progress: snapshot.progress } : {}),
    observedAt: snapshot.observedAt,
    ...(withRaw ? { raw: snapshot.raw } : {}),
  };
}

/** An error as JSON fields: the library's own details, never a URL or a header. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof JobStatusError) {
    return {
      name: error.name,
      message: error.message,
      ...(error.provider ? { provider: error.provider } : {}),
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.code ? { code: error.code } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
    };
  }
  return error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
}
