/**
 * What the demo shows: one live line per job on a terminal (redrawn in place under one spinner),
 * plain event lines anywhere else (CI logs stay free of escape codes), then the summary table.
 */
import { stripVTControlCharacters } from "node:util";
import type { FakeProviders } from "../testing.js";
import { endPushed, requestsSpent, type DemoJob } from "./demo-jobs.js";
import { fitWidth, Live, progressText, seconds, shortId, stateText, type Palette } from "./output.js";

const REDRAW_MS = 120;

export class DemoView {
  private live: Live | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly paint: Palette,
    private readonly interactive: boolean,
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly startedAt: number,
  ) {}

  start(jobs: DemoJob[]): void {
    if (!this.interactive) return;
    this.live = new Live(this.stream, (t) => t, this.block(jobs));
    this.timer = setInterval(() => {
      if (this.live) this.live.text = this.block(jobs);
    }, REDRAW_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.live?.stop();
    this.live = undefined;
  }

  /** A change of state or of pushed progress (plain mode prints it; the live block shows it on its next redraw). */
  changed(job: DemoJob): void {
    if (this.interactive || !job.last) return;
    const progress = progressText(job.last.progress, this.paint);
    const via = job.stats.viaWebhook ? " via webhook" : job.last.terminal && endPushed(job) ? " via socket" : "";
    this.event(job, `${stateText(job.last.state, job.last.rawStatus, this.paint)}${progress ? ` · ${progress}` : ""}${via}`);
  }

  /** Trouble met by a poll, told once per error in either mode (a live block redraws below the line). */
  trouble(job: DemoJob, error: string, retryInMs: number | undefined): void {
    const next = retryInMs === undefined ? "" : `, next poll in ${seconds(Math.max(0, retryInMs))}`;
    this.event(job, `${this.paint.yellow(`⚠ ${error}`)}: handled${next}`);
  }

  private event(job: DemoJob, text: string): void {
    this.write(
      `${this.paint.dim(seconds(Date.now() - this.startedAt).padStart(7))}  ${job.label.padEnd(16)} ${shortId(job.handle.jobId).padEnd(12)} ${text}`,
    );
  }

  private block(jobs: DemoJob[]): string {
    const now = Date.now();
    const lines = jobs.map((job) => {
      const done = job.result;
      const mark = job.error
        ? this.paint.red("✖")
        : done
          ? done.state === "succeeded"
            ? this.paint.green("✔")
            : this.paint.red("✖")
          : " ";
      const state = job.last ? stateText(job.last.state, job.last.rawStatus, this.paint) : this.paint.dim("starting");
      const ended = job.result ? Date.parse(job.result.observedAt) : now;
      const next =
        !job.result && !job.error && job.nextPollAt !== undefined
          ? ` · next ${Math.max(0, Math.ceil((job.nextPollAt - now) / 1000))} s`
          : "";
      const via = job.stats.viaWebhook ? " · webhook" : endPushed(job) ? " · socket" : "";
      const progress = !job.result && job.last?.progress ? ` · ${progressText(job.last.progress, this.paint, true)}` : "";
      return `  ${mark} ${job.label.padEnd(16)} ${shortId(job.handle.jobId).padEnd(12)} ${pad(state, 26)} ${seconds(ended - this.startedAt).padStart(6)} · ${job.stats.polls} poll${job.stats.polls === 1 ? "" : "s"}${next}${via}${progress}`;
    });
    const open = jobs.filter((j) => !j.result && !j.error).length;
    const width = (this.stream.columns || 80) - 3;
    const head = `Waiting on ${jobs.length} jobs with one watcher (${open} running) · ${seconds(now - this.startedAt)}`;
    return [head, ...lines].map((line) => fitWidth(line, width)).join("\n");
  }
}

/** Pads text that may hold colour codes to a visible width. */
function pad(text: string, width: number): string {
  const visible = stripVTControlCharacters(text).length;
  return text + " ".repeat(Math.max(0, width - visible));
}

/**
 * The summary table: final state, requests spent, how late each end was seen, what was handled. On a
 * terminal (`columns` known) the last column wraps at word boundaries under itself instead of
 * wrapping the whole line; piped output keeps one line per job.
 */
export function summaryLines(jobs: DemoJob[], fake: FakeProviders, paint: Palette, totalMs: number, columns?: number): string[] {
  const rows = jobs.map((job) => {
    const snapshot = job.result;
    const final = snapshot
      ? `${snapshot.state}${snapshot.rawStatus && snapshot.rawStatus !== snapshot.state ? ` (${snapshot.rawStatus})` : ""}`
      : `error: ${errorName(job.error)}`;
    const detected =
      snapshot && job.realEndAt !== undefined ? `+${((Date.parse(snapshot.observedAt) - job.realEndAt) / 1000).toFixed(2)} s` : "n/a";
    const via = snapshot ? (job.stats.viaWebhook ? "webhook" : endPushed(job) ? "socket" : "poll") : "-";
    return [
      job.label,
      shortId(job.handle.jobId),
      final,
      String(job.stats.polls),
      String(requestsSpent(job, fake)),
      detected,
      via,
      troubleText(job),
    ];
  });
  const head = ["JOB", "ID", "FINAL STATE", "POLLS", "REQUESTS", "DETECTED", "VIA", "TROUBLE HANDLED"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Too narrow a column for prose: the text goes on lines of its own under its row.
  const column = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const under = columns !== undefined && columns - column - 1 < 40;
  const indent = under ? 4 : column;
  const width = columns === undefined ? Infinity : columns - indent - 1;
  const line = (cells: string[]) => {
    const start =
      cells
        .slice(0, -1)
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ") + "  ";
    const text = wrap(cells.at(-1)!, width);
    const lines = under
      ? [start, ...text.map((l) => " ".repeat(indent) + l)]
      : [start + text[0], ...text.slice(1).map((l) => " ".repeat(indent) + l)];
    return lines.map((l) => l.trimEnd()).join("\n");
  };
  const succeeded = jobs.filter((j) => j.result?.state === "succeeded").length;
  const verdict =
    succeeded === jobs.length
      ? paint.green(`All ${jobs.length} jobs succeeded`)
      : paint.red(`${succeeded} of ${jobs.length} jobs succeeded`);
  return [
    "",
    paint.bold(`Summary`),
    paint.bold(line(head)),
    ...rows.map(line),
    "",
    `${verdict} in ${seconds(totalMs)}. DETECTED = when the wait saw the end, after the fake job really ended.`,
  ];
}

/** Words of `text` in lines of at most `width` characters (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current !== "" && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  return [...lines, current];
}

function troubleText(job: DemoJob): string {
  const parts = job.trouble.map((t) => {
    const times = t.fault && t.fault.hits > 1 ? ` ×${t.fault.hits}` : "";
    return `${t.what}${times}: ${t.outcome(job) ?? "did not happen"}`;
  });
  // Trouble nobody planned (a real provider's): say what the polls met.
  if (job.trouble.length === 0 && job.stats.errors.length > 0) parts.push(`retried ${[...new Set(job.stats.errors)].join(", ")}`);
  if (job.trouble.length === 0 && job.stats.unknownStatuses.length > 0)
    parts.push(`kept polling through ${job.stats.unknownStatuses.join(", ")}`);
  return parts.join("; ") || "-";
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 80)}` : String(error);
}
