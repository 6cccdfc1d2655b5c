// Runs one of the repository's scripts as CI would: a separate process under tsx.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
// The same program `npx tsx` starts, called directly so npm's own notices stay out of stderr.
const TSX_CLI = path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs");
export const RUN_TIMEOUT_MS = 60_000;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` (a path from the repository root) with `args`; resolves with its exit code and output. */
export function runScript(script: string, args: readonly string[], timeoutMs = RUN_TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [TSX_CLI, script, ...args], { cwd: REPO, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}
