/**
 * An idle Node process that measures its own event-loop delay. Run beside a benchmark, it shows how
 * late the machine alone makes timers (other processes, the fake server, CPU contention): the floor
 * under any loop delay the benchmark's own process reports.
 */
import { spawn } from "node:child_process";

const RESOLUTION_MS = 5;

// Plain JavaScript, so the child needs no loader and starts in a few milliseconds.
const SOURCE = `
const { monitorEventLoopDelay } = require("node:perf_hooks");
const h = monitorEventLoopDelay({ resolution: ${RESOLUTION_MS} });
h.enable();
process.on("message", () => {
  h.disable();
  const late = (ns) => Math.max(0, ns / 1e6 - ${RESOLUTION_MS});
  process.send({ p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max) }, () => process.exit(0));
});
process.send("ready");
`;

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export async function startSentinel(): Promise<{ stop(): Promise<LoopDelay> }> {
  const child = spawn(process.execPath, ["-e", SOURCE], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the loop-delay sentinel exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise<LoopDelay>((resolve) => {
        child.removeAllListeners("exit");
        child.once("message", (delay) => resolve(delay as LoopDelay));
        child.send("stop");
      }),
  };
}
