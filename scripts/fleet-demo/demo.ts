// npm run demo:fleet: a local redis-server, the fake providers, three worker processes; tracks a few
// hundred Comfy jobs, kills one worker with SIGKILL midway, and prints what the fleet did.
import { Redis } from "ioredis";
import { createJobTracker } from "jobstatus/bullmq";
import { startFakeProviders } from "jobstatus/testing";
import { startWorkerProcess, stopWorkerProcesses } from "../../test/bullmq/fixtures/processes.js";
import { haveRedisServer, INSTALL_HINT, startRedis } from "./redis-server.js";

const JOBS = Number(process.argv[2] ?? 300);
const BUDGET = { requests: 100, intervalMs: 1_000 }; // Comfy documents no budget: the demo's own, held fleet-wide
const LIMIT_MS = 120_000;

if (!haveRedisServer()) {
  console.error(`demo:fleet: ${INSTALL_HINT}.`);
  process.exit(1);
}
const redis = await startRedis();
const fake = await startFakeProviders();
const counter = new Redis(redis.connection);
const tracker = createJobTracker({ connection: redis.connection });
try {
  const env = { COMFY_BUDGET: JSON.stringify(BUDGET) };
  const workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(redis.port, fake, env)));
  console.log(`redis-server on port ${redis.port}, fake providers at ${fake.origin}, 3 workers; tracking ${JOBS} jobs`);
  const startedAt = new Date().toISOString();
  const jobs = Array.from({ length: JOBS }, (_, i) =>
    fake.createJob("comfy", {
      script: [{ status: "in_progress", forMs: 1_000 + ((i * 7919) % 5_000) }, { status: i % 10 === 0 ? "error" : "success" }],
    }),
  );
  for (const job of jobs) await tracker.track({ provider: "comfy", jobId: job.id, startedAt }, { timeoutMs: LIMIT_MS });
  let settled = 0;
  const results = jobs.map((job) =>
    tracker.result("comfy", job.id).then(
      () => void settled++,
      () => void settled++,
    ),
  );
  const killAt = setInterval(() => {
    if (settled < JOBS / 3) return;
    clearInterval(killAt);
    workers[0]!.kill("SIGKILL");
    console.log(`${settled} settled: killed worker 1 (pid ${workers[0]!.pid}) with SIGKILL`);
  }, 50);
  await Promise.race([Promise.all(results), new Promise((resolve) => setTimeout(resolve, LIMIT_MS).unref())]);
  clearInterval(killAt);

  const reports = Object.values(await counter.hgetall("test:reports")).map(Number);
  const requests = fake
    .requests({ api: "comfy", route: "status" })
    .map((r) => r.at)
    .sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < requests.length; i++) {
    while (requests[i]! - requests[j]! >= BUDGET.intervalMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  console.log(
    JSON.stringify(
      {
        tracked: JOBS,
        settled,
        lost: JOBS - settled,
        reportedTwice: reports.filter((n) => n > 1).length,
        requestsPerJob: Number((requests.length / JOBS).toFixed(2)),
        peakRequestsPerSecond: peak,
        budgetPerSecond: BUDGET.requests,
      },
      null,
      2,
    ),
  );
  process.exitCode = settled === JOBS && reports.every((n) => n === 1) && peak <= BUDGET.requests ? 0 : 1;
} finally {
  stopWorkerProcesses();
  counter.disconnect();
  await tracker.close();
  await fake.close();
  await redis.stop();
}
