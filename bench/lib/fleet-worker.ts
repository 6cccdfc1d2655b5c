/**
 * One worker process of the fleet benchmark (bench/fleet.ts), configured by FLEET_WORKER (JSON): a tracker worker with the fake
 * providers' clients, which counts each report and notes when it came, in Redis, so reports of
 * every process are counted in one place. Says "ready" once it takes jobs; SIGTERM closes it.
 */
import { Redis } from "ioredis";
import { createTrackerWorker } from "../../src/bullmq.js";
import { createComfyClient, createDeepAffectsClient, createDifyClient } from "../../src/index.js";

export interface FleetWorkerConfig {
  redisPort: number;
  urls: { comfy: string; difyChatflow: string; deepaffects: string };
  keys: { comfy: string; difyChatflow: string; deepaffects: string };
  concurrency: number;
  poll: Record<string, number>;
  capPerSecond: number;
}

/** Redis hashes the workers write: reports per job, and when each job was first reported (ms since epoch). */
export const REPORTS = "bench:reports";
export const SETTLED_AT = "bench:settledAt";

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = JSON.parse(process.env.FLEET_WORKER ?? "{}") as FleetWorkerConfig;
  const connection = { host: "127.0.0.1", port: config.redisPort };
  const counter = new Redis(connection);
  const cap = { requests: config.capPerSecond, intervalMs: 1_000 };
  const worker = createTrackerWorker({
    connection,
    clients: {
      comfy: createComfyClient({ apiKey: config.keys.comfy, baseUrl: config.urls.comfy }),
      dify: createDifyClient({ apiKey: config.keys.difyChatflow, baseUrl: config.urls.difyChatflow, app: "chatflow" }),
      deepaffects: createDeepAffectsClient({ apiKey: config.keys.deepaffects, baseUrl: config.urls.deepaffects }),
    },
    concurrency: config.concurrency,
    rateBudgets: { comfy: [cap], dify: [cap] },
    poll: config.poll,
    onSettled: async ({ handle }) => {
      const id = `${handle.provider}:${handle.jobId}`;
      await counter.multi().hincrby(REPORTS, id, 1).hsetnx(SETTLED_AT, id, String(Date.now())).exec();
    },
  });
  await worker.worker.waitUntilReady();
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => {
    void worker
      .close()
      .then(() => counter.quit())
      .finally(() => process.exit(0));
  });
}
