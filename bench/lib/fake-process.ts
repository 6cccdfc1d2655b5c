/** Starts the fake providers in a child process (see fake-child.ts) and talks to it. */
import { fork, type ChildProcess } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import type { FakeApi, FakeJobInit, FakeKeys, FakeProvidersOptions, FakeUrls } from "../../src/testing.js";

export type ChildCommand =
  | { type: "create"; seq: number; jobs: Array<{ api: FakeApi; init: FakeJobInit }> }
  | { type: "count"; seq: number }
  | { type: "stamps"; seq: number }
  | { type: "cpu"; seq: number }
  | { type: "log"; seq: number }
  | { type: "ws"; seq: number; action: WsAction }
  | { type: "close" };

/** Comfy's WebSocket in the fake: refuse upgrades (503) from now on, accept them again, or drop every open one. */
export type WsAction = "refuse" | "accept" | "drop";

/** One request as the fake logged it, for benchmarks that count by route. */
export interface LoggedRequest {
  route: string;
  at: number;
  status?: number | undefined;
  jobId?: string | undefined;
}

export type ChildReply =
  | { type: "ready"; origin: string; urls: FakeUrls; keys: FakeKeys }
  | { type: "created"; seq: number; ids: string[]; at: number[] }
  | { type: "counted"; seq: number; requests: number }
  | { type: "stamped"; seq: number; stamps: Record<string, number[]> }
  | { type: "cpu"; seq: number; micros: number }
  | { type: "logged"; seq: number; requests: LoggedRequest[] }
  | { type: "ws"; seq: number; open: number };

export interface FakeProcess {
  origin: string;
  urls: FakeUrls;
  keys: FakeKeys;
  pid: number;
  /** Creates jobs in the child; resolves with their ids in the same order. */
  createJobs(jobs: Array<{ api: FakeApi; init: FakeJobInit }>): Promise<string[]>;
  /** The same, with the time (ms since epoch, the child's clock) each job was created. */
  createJobsAt(jobs: Array<{ api: FakeApi; init: FakeJobInit }>): Promise<{ ids: string[]; at: number[] }>;
  /** Every request so far: route, arrival and status. */
  log(): Promise<LoggedRequest[]>;
  /** Acts on Comfy's WebSocket; resolves with the connections open after it. */
  webSocket(action: WsAction): Promise<number>;
  /** Requests the server has received so far. */
  requestCount(): Promise<number>;
  /** CPU time the server process has used so far, µs. */
  cpuMicros(): Promise<number>;
  /** When each request arrived (ms since epoch), by the name of the key it carried. */
  arrivals(): Promise<Record<string, number[]>>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./fake-child.ts", import.meta.url));
const START_TIMEOUT_MS = 20_000;

/**
 * `nice` lowers the server's scheduling priority: on a machine with few cores the fake provider then
 * yields the CPU to the client under test, as a real provider (on other machines) would not compete.
 */
export async function startFakeProcess(options: FakeProvidersOptions = {}, nice = 0): Promise<FakeProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let seq = 0;
  const waiting = new Map<number, (reply: ChildReply) => void>();
  const ready = new Promise<Extract<ChildReply, { type: "ready" }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the fake provider process did not start in time")), START_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the fake provider process exited with ${code}`)));
    child.on("message", (raw) => {
      const message = raw as ChildReply;
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve(message);
      } else {
        waiting.get(message.seq)?.(message);
        waiting.delete(message.seq);
      }
    });
  });
  const started = await ready.catch((error: unknown) => {
    child.kill();
    throw error;
  });
  if (nice !== 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // Not allowed here: the figures then include the competition, which the report states.
    }
  }
  const ask = <R extends ChildReply>(command: ChildCommand & { seq: number }): Promise<R> =>
    new Promise((resolve) => {
      waiting.set(command.seq, resolve as (reply: ChildReply) => void);
      child.send(command);
    });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    origin: started.origin,
    urls: started.urls,
    keys: started.keys,
    pid: child.pid ?? 0,
    async createJobs(jobs) {
      const reply = await ask<Extract<ChildReply, { type: "created" }>>({ type: "create", seq: ++seq, jobs });
      return reply.ids;
    },
    async createJobsAt(jobs) {
      const reply = await ask<Extract<ChildReply, { type: "created" }>>({ type: "create", seq: ++seq, jobs });
      return { ids: reply.ids, at: reply.at };
    },
    async log() {
      const reply = await ask<Extract<ChildReply, { type: "logged" }>>({ type: "log", seq: ++seq });
      return reply.requests;
    },
    async webSocket(action) {
      const reply = await ask<Extract<ChildReply, { type: "ws" }>>({ type: "ws", seq: ++seq, action });
      return reply.open;
    },
    async requestCount() {
      const reply = await ask<Extract<ChildReply, { type: "counted" }>>({ type: "count", seq: ++seq });
      return reply.requests;
    },
    async cpuMicros() {
      const reply = await ask<Extract<ChildReply, { type: "cpu" }>>({ type: "cpu", seq: ++seq });
      return reply.micros;
    },
    async arrivals() {
      const reply = await ask<Extract<ChildReply, { type: "stamped" }>>({ type: "stamps", seq: ++seq });
      return reply.stamps;
    },
    async close() {
      if (child.exitCode !== null) return;
      child.send({ type: "close" } satisfies ChildCommand);
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
