/**
 * CPU profiles for missed targets: the same V8 sampling profiler `node --cpu-prof` uses, driven from
 * inside the benchmark so that only the code under test is profiled, summarized as top frames.
 */
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { relative } from "node:path";

export interface Frame {
  /** Function name and where it lives (path relative to the project, line). */
  frame: string;
  /** Share of the profiled time spent in this function itself. */
  selfShare: number;
}

export interface Profile {
  samples: number;
  top: Frame[];
  /** Where the raw .cpuprofile was written, when it was. */
  file?: string;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Profiles `work` and returns the functions with the most self time. */
export async function profile(work: () => Promise<void>, options: { top?: number; file?: string; intervalUs?: number } = {}): Promise<Profile> {
  let profiled: { nodes: unknown[] } | undefined;
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
      profiled = raw;
    }
  } finally {
    session.disconnect();
  }
  const result = summarize(profiled!.nodes as Node[], options.top ?? 12);
  if (options.file) {
    writeFileSync(options.file, JSON.stringify(profiled));
    result.file = relative(process.cwd(), options.file);
  }
  return result;
}

function summarize(nodes: readonly Node[], top: number): Profile {
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
  return { samples: total, top: frames };
}

function frameName(frame: Node["callFrame"]): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  let where = frame.url.replace(/^file:\/\//, "");
  const nodeModules = where.lastIndexOf("node_modules/");
  if (nodeModules >= 0) where = where.slice(nodeModules + "node_modules/".length);
  else if (where.startsWith("/")) where = relative(process.cwd(), where);
  return `${name} ${where}:${frame.lineNumber + 1}`;
}
