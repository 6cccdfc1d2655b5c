/**
 * Benchmark 6: how long the everyday tooling takes. `npm run generate` runs on a copy of
 * openapi/ (its `--root` option), so timing it never rewrites the work tree's generated/ files.
 *
 *   npx tsx bench/tooling.ts
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine, median, type Machine } from "./lib/machine.js";

export interface ToolCommand {
  name: string;
  /** Shown in the report. */
  shown: string;
  command: string;
  args: string[];
  /** Exit codes that still mean the tool did its whole job (tsc exits 2 when it reports type errors). */
  okCodes?: number[];
}

export interface ToolingRow {
  name: string;
  command: string;
  medianMs: number;
  runsMs: number[];
  /** Exit code of the last run (tsc: 2 when the tree had type errors at the time). */
  exitCode: number;
}

export interface ToolingResult {
  machine: Machine;
  config: { repeats: number };
  rows: ToolingRow[];
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TIME_LIMIT_MS = 300_000;

function defaultCommands(scratch: string): ToolCommand[] {
  return [
    {
      name: "generate",
      shown: "npm run generate (all 4 documents)",
      command: "npm",
      args: ["run", "--silent", "generate", "--", "--root", scratch],
    },
    {
      name: "typecheck",
      shown: "tsc --noEmit",
      command: process.execPath,
      args: [join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit"],
      okCodes: [0, 2],
    },
  ];
}

function timed(command: ToolCommand): Promise<{ ms: number; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command.command, command.args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), TIME_LIMIT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== null && (command.okCodes ?? [0]).includes(code)) resolve({ ms: performance.now() - started, code });
      else reject(new Error(`${command.shown} exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

export async function runTooling(size: { repeats?: number; commands?: ToolCommand[] } = {}): Promise<ToolingResult> {
  const repeats = size.repeats ?? 3;
  const scratch = mkdtempSync(join(tmpdir(), "jobstatus-tooling-"));
  try {
    cpSync(join(ROOT, "openapi"), join(scratch, "openapi"), { recursive: true });
    const rows: ToolingRow[] = [];
    for (const command of size.commands ?? defaultCommands(scratch)) {
      const runsMs: number[] = [];
      let exitCode = 0;
      for (let i = 0; i < repeats; i++) {
        const run = await timed(command);
        runsMs.push(run.ms);
        exitCode = run.code;
      }
      rows.push({ name: command.name, command: command.shown, medianMs: median(runsMs), runsMs, exitCode });
    }
    return { machine: machine(), config: { repeats }, rows };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runTooling();
  for (const r of result.rows)
    console.log(`${r.command}: median ${(r.medianMs / 1000).toFixed(2)} s (${r.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(", ")})`);
}
