/** Runs the CLI (or any command) as a subprocess, never blocking the test process's fake server. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** tsx's loader for Node ≥ 20.6: `node --import tsx file.ts`. */
export const CLI = [process.execPath, "--import", "tsx", "src/cli/main.ts"];

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The parent's environment without any real provider key or base URL, so no test reaches a real API. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(DIFY|COMFY|DEEPAFFECTS)_/.test(name) || name === "NO_COLOR" || name === "FORCE_COLOR") continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Kill (SIGKILL) after this long: every run is bounded. Default 45 s. */
  timeoutMs?: number;
  /** Called with stdout so far on each chunk, and the child (to write to its stdin or signal it). */
  onStdout?: (soFar: string, child: ChildProcessWithoutNullStreams) => void;
}

export function run(argv: string[], options: RunOptions = {}): Promise<Run> {
  const [command, ...args] = argv;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { cwd: ROOT, env: cleanEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 45_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export function runCli(args: string[], options: RunOptions = {}): Promise<Run> {
  return run([...CLI, ...args], options);
}

/** stdout parsed as JSON lines; fails the test on a line that is not JSON. */
export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

/** Node 22+ has a WebSocket of its own; Node 20 has one behind a flag. For CLI runs that should use Comfy's socket. */
export const WEB_SOCKET_ENV: Record<string, string> =
  typeof globalThis.WebSocket === "function" ? {} : { NODE_OPTIONS: "--experimental-websocket --no-warnings" };

/**
 * Moves a queued Comfy job along as a CLI's wait shows it: once a socket is open and the wait showed
 * the job queued, the job runs (the fake pushes `executing` and four steps over 500 ms); once the wait
 * showed a step, it succeeds. A run that showed no step within a second goes back to the queue and
 * runs again, since the open socket may have been another process's. Returns the stop function.
 */
export function driveThroughProgress(
  fake: { comfySockets: { count: number } },
  job: { status: string; setStatus(status: string): void },
  shown: { queued: () => boolean; step: () => boolean },
): () => void {
  let ranAt = 0;
  const driver = setInterval(() => {
    if (job.status === "queued_limited" && fake.comfySockets.count > 0 && shown.queued()) {
      job.setStatus("executing");
      ranAt = Date.now();
    } else if (job.status === "executing" && shown.step()) job.setStatus("success");
    else if (job.status === "executing" && Date.now() - ranAt > 1_000) job.setStatus("queued_limited");
  }, 20);
  return () => clearInterval(driver);
}
