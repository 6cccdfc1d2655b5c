// examples/fleet.ts as a user runs it: a worker process, and a process that starts and tracks jobs.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProviders, type FakeProviders } from "jobstatus/testing";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/fleet.ts", import.meta.url));

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("examples/fleet.ts", () => {
  let redis: TestRedis;
  let fake: FakeProviders;

  beforeAll(async () => {
    [redis, fake] = await Promise.all([
      startRedis(),
      startFakeProviders({ defaultScripts: { comfy: [{ status: "in_progress", forMs: 500 }, { status: "success" }] } }),
    ]);
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
  });

  function run(args: string[]) {
    const env = { ...process.env, REDIS_PORT: String(redis.port), COMFY_API_KEY: fake.keys.comfy, COMFY_BASE_URL: fake.urls.comfy };
    const child = spawn(process.execPath, ["--import", "tsx", EXAMPLE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    return { child, output: () => out, exited };
  }

  it("a worker process settles the jobs another process tracks, each printed once on both sides", async () => {
    const worker = run(["worker"]);
    try {
      await expect.poll(() => worker.output(), { timeout: 10_000 }).toContain("worker ready");
      const track = run(["track", "3"]);
      expect(await track.exited).toBe(0);
      const lines = track.output().trim().split("\n");
      expect(lines).toHaveLength(3);
      expect(lines.every((line) => line.endsWith(": succeeded"))).toBe(true);
      await expect
        .poll(
          () =>
            worker
              .output()
              .split("\n")
              .filter((l) => l.endsWith(": succeeded")).length,
        )
        .toBe(3);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 30_000);
});
