/**
 * CPU profiles for missed targets: the same V8 sampling profiler `node --cpu-prof` uses, driven from
 * inside the benchmark so that only the code under test is profiled, summarized as top frames.
 */
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { bundleSource } from "./built.js";

export interface Frame {
  /** Function name and where it lives (path relative to the project, line). */
  frame: string;
  /** Share of the profiled time spent in this function itself. */
  selfShare: number;
}

export interface Profile {
  samples: number;
  top: Frame[];
  /**
   * Pauses of over 5 ms between two samples that land in running code: the thread was runnable but
   * not running (another process had the core), each one a loop delay of that length.
   */
  preempted: { count: number; totalMs: number; longestMs: number };
  /** Runs of JavaScript (or GC) of over 20 ms without a break: what blocks the event loop, and what is in them. */
  longTurns: { count: number; totalMs: number; longestMs: number; top: Frame[] };
  /** Where the raw .cpuprofile was written, when it was. */
  file?: string;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Profiles `work` and returns the functions with the most self time. */
export async function profile(
  work: () => Promise<void>,
  options: { top?: number; file?: string; intervalUs?: number } = {},
): Promise<Profile> {
  let profiled: Raw | undefined;
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: options.intervalUs ?? 100 });
    await session.post("Profiler.start");
    try {
      await work();
    } finally {
      const { profile: raw } = await session.post("Profiler.stop");
      profiled = raw as unknown as Raw;
    }
  } finally {
    session.disconnect();
  }
  const result = summarize(profiled as Raw, options.top ?? 12, options.intervalUs ?? 100);
  if (options.file) {
    writeFileSync(options.file, JSON.stringify(profiled));
    result.file = relative(process.cwd(), options.file);
  }
  return result;
}

interface Raw {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
}

function summarize({ nodes, samples = [], timeDeltas = [] }: Raw, top: number, intervalUs: number): Profile {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  const frames = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, hits]) => ({ frame, selfShare: total === 0 ? 0 : hits / total }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const preempted = { count: 0, totalMs: 0, longestMs: 0 };
  timeDeltas.forEach((delta, i) => {
    const name = byId.get(samples[i] ?? -1)?.callFrame.functionName;
    if (delta <= 5_000 || name === "(idle)") return;
    preempted.count++;
    preempted.totalMs += delta / 1000;
    preempted.longestMs = Math.max(preempted.longestMs, delta / 1000);
  });
  return { samples: total, top: frames, preempted, longTurns: longTurns(samples, timeDeltas, byId, intervalUs, top) };
}

const LONG_TURN_US = 20_000;

/** Busy runs: consecutive samples out of idle, none further apart than a few sampling intervals. */
function longTurns(samples: number[], deltas: number[], byId: Map<number, Node>, intervalUs: number, top: number): Profile["longTurns"] {
  const runs: Array<{ us: number; ids: number[] }> = [];
  let current: { us: number; ids: number[] } | undefined;
  samples.forEach((id, i) => {
    const delta = deltas[i] ?? 0;
    const idle = byId.get(id)?.callFrame.functionName === "(idle)";
    if (current && (idle || delta > 3 * intervalUs)) {
      runs.push(current);
      current = undefined;
    }
    if (idle) return;
    if (current) current.us += delta;
    current ??= { us: 0, ids: [] };
    current.ids.push(id);
  });
  if (current) runs.push(current);
  const long = runs.filter((r) => r.us >= LONG_TURN_US);
  const self = new Map<string, number>();
  let hits = 0;
  for (const run of long) {
    for (const id of run.ids) {
      const node = byId.get(id);
      if (!node) continue;
      const name = frameName(node.callFrame);
      self.set(name, (self.get(name) ?? 0) + 1);
      hits++;
    }
  }
  return {
    count: long.length,
    totalMs: long.reduce((sum, r) => sum + r.us, 0) / 1000,
    longestMs: long.reduce((max, r) => Math.max(max, r.us), 0) / 1000,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, n]) => ({ frame, selfShare: n / Math.max(1, hits) })),
  };
}

function frameName(frame: Node["callFrame"]): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const bundled = bundleSource(frame.url, frame.lineNumber + 1);
  if (bundled) return `${name} ${bundled.replace("node_modules/", "")}`;
  let where = frame.url.replace(/^file:\/\//, "");
  const nodeModules = where.lastIndexOf("node_modules/");
  if (nodeModules >= 0) where = where.slice(nodeModules + "node_modules/".length);
  else if (where.startsWith("/")) where = relative(process.cwd(), where);
  return `${name} ${where}:${frame.lineNumber + 1}`;
}
