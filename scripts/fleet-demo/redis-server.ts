// A real redis-server for the tests and the fleet demo: its own temp dir, a free port of 127.0.0.1, no persistence.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestRedis {
  port: number;
  connection: { host: string; port: number };
  /** Stops redis-server as a shutdown would (SIGTERM), waits `downMs`, and starts it again on the same port and files. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** True when a redis-server binary is on the PATH. */
export function haveRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export const INSTALL_HINT =
  "no redis-server on the PATH: on Debian or Ubuntu, sudo apt-get install redis-server; on macOS, brew install redis";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** Append-only file with an fsync per write, so a restart loses nothing. Default: no persistence. */
  persistent?: boolean;
}

function launch(port: number, dir: string, persistent: boolean): Promise<ChildProcess> {
  const persistence = persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${out}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${out}`));
    });
  });
}

async function halt(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), "jobstatus-redis-"));
  const port = await freePort();
  let child = await launch(port, dir, options.persistent ?? false);
  return {
    port,
    connection: { host: "127.0.0.1", port },
    async restart(downMs = 0) {
      await halt(child, "SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch(port, dir, options.persistent ?? false);
    },
    async stop() {
      await halt(child, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
