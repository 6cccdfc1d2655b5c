/**
 * Benchmark 7: a fleet of tracker workers on BullMQ and a real redis-server, against the
 * single-process watcher on the same job scripts. 10,000 jobs on the fake providers (a child process,
 * over loopback) with 1, 2 and 4 worker processes; Redis memory per tracked job; the request rate per
 * key at the fake provider against its budget.
 *
 *   npx tsx bench/fleet.ts [--jobs 10000]      (npm run bench:fleet writes BENCHMARKS.md)
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startRedis, type TestRedis } from "../scripts/fleet-demo/redis-server.js";
import { createJobTracker } from "../src/bullmq.js";
import { QUEUE_NAME } from "../src/bullmq/keys.js";
import type { JobHandle, RateBudget } from "../src/core/state.js";
import {
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  type Watcher,
} from "../src/index.js";
import type { FakeApi, FakeJobInit } from "../src/testing.js";
import type { FleetWorkerConfig } from "./lib/fleet-worker.js";
import { REPORTS, SETTLED_AT } from "./lib/fleet-worker.js";
import { type FakeProcess, startFakeProcess } from "./lib/fake-process.js";
import { machine, quantile, seeded, type Machine } from "./lib/machine.js";
import { maxSliding } from "./lib/rates.js";
import { webhookReceiver } from "./lib/webhook-receiver.js";

export interface FleetSize {
  jobs?: number;
  /** Worker process counts to run, one fleet run each. */
  workers?: number[];
  /** Job ends spread uniformly over [minLengthMs, minLengthMs + spreadMs] after their start. */
  minLengthMs?: number;
  spreadMs?: number;
  /** DeepAffects jobs, started with webhooks, polled within the key's own 5-a-minute budget. */
  deepaffectsJobs?: number;
  /** Requests per second allowed per key, for Comfy and Dify. */
  capPerSecond?: number;
  /** Polls in flight per worker process. */
  concurrency?: number;
  /** Time limit per run after the last job was tracked: jobs still open then count as lost. */
  timeLimitMs?: number;
  /** Jobs of the Redis memory measure (default: jobs). */
  memoryJobs?: number;
  /** Jobs of the capacity measure. */
  capacityJobs?: number;
  seed?: number;
}

type Config = Required<FleetSize> & { poll: Record<string, number> };
type Lane = "comfy" | "difyChatflow" | "deepaffects";

export interface RunFigures {
  /** "watcher" for the single process, else the worker process count. */
  workers: number | "watcher";
  settled: number;
  lost: number;
  reportedTwice: number;
  requests: number;
  requestsPerJob: number;
  /** Status requests per second at the fake provider, from the last track to the last settle. */
  pollsPerSecond: number;
  detectionLagMs: { p50: number; p95: number; mean: number };
  wallMs: number;
  trackMs: number;
  rates: Array<{ key: string; requests: number; budget: RateBudget; maxSliding: number; pass: boolean }>;
  /**
   * Redis memory per settled job once all settled (what stays until the outcomes expire), the event
   * stream and the benchmark's own report counters left out. Fleet runs only.
   */
  settledBytesPerJob?: number | undefined;
}

export interface FleetResult {
  machine: Machine;
  config: Config & { mix: Record<string, number>; server: string };
  memory: {
    jobs: number;
    /** used_memory after tracking (each job placed for its first poll) minus before, per job. */
    perTrackedJob: number;
    /** The same without BullMQ's event stream (capped at about 10,000 entries per queue, whatever the job count). */
    perTrackedJobWithoutEvents: number;
    eventStreamBytes: number;
    /** MEMORY USAGE of one tracked job's BullMQ hash. */
    jobHashBytes: number;
  };
  runs: RunFigures[];
  /** Jobs already ended when tracked, no rate cap: how many a second each setup settles, all work and no waiting. */
  capacity: Array<{ workers: number | "watcher"; jobs: number; settledPerSecond: number; requestsPerSecond: number; lost: number }>;
  targets: Array<{ text: string; pass: boolean; detail: string }>;
}

/** Slow enough that 10,000 jobs fit this machine's fleet (about 250 runs a second on 2 cores) in about two minutes a run. */
const POLL = { initialDelayMs: 15_000, minIntervalMs: 25_000, maxIntervalMs: 25_000 };
const DEEPAFFECTS_BUDGET: RateBudget = { requests: 5, intervalMs: 60_000 };
const WORKER = fileURLToPath(new URL("./lib/fleet-worker.ts", import.meta.url));

export async function runFleet(size: FleetSize = {}): Promise<FleetResult> {
  const config: Config = {
    jobs: 10_000,
    workers: [1, 2, 4],
    minLengthMs: 15_000,
    spreadMs: 60_000,
    deepaffectsJobs: 10,
    capPerSecond: 200,
    concurrency: 32,
    timeLimitMs: 130_000,
    memoryJobs: 0,
    capacityJobs: 1_000,
    seed: 11,
    poll: POLL,
    ...size,
  };
  if (!size.memoryJobs) config.memoryJobs = config.jobs;
  const random = seeded(config.seed);
  const plan = Array.from({ length: config.jobs }, (_, i) => ({
    lane: (i < config.deepaffectsJobs ? "deepaffects" : i % 2 === 0 ? "comfy" : "difyChatflow") as Lane,
    endMs: config.minLengthMs + random() * config.spreadMs,
  }));
  const redis = await startRedis();
  try {
    const memory = await measureMemory(redis, config);
    const runs: RunFigures[] = [await runWatcher(plan, config)];
    for (const workers of config.workers) runs.push(await runFleetOnce(redis, plan, config, workers));
    const ended = Array.from({ length: config.capacityJobs }, (_, i) => ({
      lane: (i % 2 === 0 ? "comfy" : "difyChatflow") as Lane,
      endMs: 0,
    }));
    const unbounded = { ...config, capPerSecond: 1_000_000, timeLimitMs: 60_000 };
    const capacity: FleetResult["capacity"] = [];
    for (const workers of ["watcher" as const, ...config.workers]) {
      const run =
        workers === "watcher" ? await runWatcher(ended, unbounded, true) : await runFleetOnce(redis, ended, unbounded, workers, true);
      const seconds = Math.max(0.001, (run.wallMs + run.trackMs) / 1000);
      capacity.push({
        workers,
        jobs: ended.length,
        settledPerSecond: run.settled / seconds,
        requestsPerSecond: run.requests / seconds,
        lost: run.lost,
      });
    }
    return {
      machine: machine(),
      config: { ...config, mix: mixOf(plan), server: "fake providers in a child process (node:http on 127.0.0.1, nice 10)" },
      memory,
      runs,
      capacity,
      targets: targetsOf(runs, memory),
    };
  } finally {
    await redis.stop();
  }
}

function targetsOf(runs: RunFigures[], memory: FleetResult["memory"]): FleetResult["targets"] {
  const watcher = runs[0]!;
  const fleets = runs.slice(1);
  const within = (a: number, b: number) => a <= b * 1.1;
  return [
    { text: "no job lost", pass: fleets.every((r) => r.lost === 0), detail: fleets.map((r) => `${r.workers} w: ${r.lost}`).join(", ") },
    {
      text: "no job reported twice",
      pass: fleets.every((r) => r.reportedTwice === 0),
      detail: fleets.map((r) => `${r.workers} w: ${r.reportedTwice}`).join(", "),
    },
    {
      text: "request rate per key never above its budget",
      pass: runs.every((r) => r.rates.every((k) => k.pass)),
      detail: fleets
        .map((r) => `${r.workers} w: ${r.rates.map((k) => `${k.key} ${k.maxSliding}/${k.budget.requests}`).join(" ")}`)
        .join("; "),
    },
    {
      text: "requests per job within 10 % of the watcher's",
      pass: fleets.every((r) => within(r.requestsPerJob, watcher.requestsPerJob)),
      detail: `watcher ${watcher.requestsPerJob.toFixed(2)}; ${fleets.map((r) => `${r.workers} w ${r.requestsPerJob.toFixed(2)} (${(r.requestsPerJob / watcher.requestsPerJob).toFixed(2)}×)`).join(", ")}`,
    },
    {
      text: "mean detection lag within 10 % of the watcher's",
      pass: fleets.every((r) => within(r.detectionLagMs.mean, watcher.detectionLagMs.mean)),
      detail: `watcher ${s(watcher.detectionLagMs.mean)}; ${fleets.map((r) => `${r.workers} w ${s(r.detectionLagMs.mean)} (${(r.detectionLagMs.mean / watcher.detectionLagMs.mean).toFixed(2)}×)`).join(", ")}`,
    },
    {
      text: "Redis memory per tracked job: a few hundred bytes",
      pass: memory.perTrackedJob < 500,
      detail: `${Math.round(memory.perTrackedJob)} B (${Math.round(memory.perTrackedJobWithoutEvents)} B without BullMQ's event stream)`,
    },
  ];
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Tracks jobs that will not end for minutes, waits until a worker placed each for its first poll, and reads Redis's memory. */
async function measureMemory(redis: TestRedis, config: Config): Promise<FleetResult["memory"]> {
  const n = config.memoryJobs;
  const admin = new Redis(redis.connection);
  const server = await startFakeProcess({}, 10);
  const tracker = createJobTracker({ connection: redis.connection });
  const workers: ChildProcess[] = [];
  try {
    await admin.flushall();
    const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
    const streamBytes = async () => Number((await admin.memory("USAGE", `bull:${QUEUE_NAME}:events`)) ?? 0);
    workers.push(await startWorker(redis.port, server, { ...config, poll: { ...POLL, initialDelayMs: 600_000 } }));
    const lanes: Lane[] = ["comfy", "difyChatflow"];
    const at = Date.now();
    const ids = await server.createJobs(Array.from({ length: n }, (_, i) => fakeJob(lanes[i % 2]!, 900_000, "http://127.0.0.1:9/unused")));
    // One job first, so the queue's own keys exist before the measure starts.
    await tracker.track(handleOf("comfy", ids[0]!, at), { timeoutMs: 900_000 });
    await waitFor(async () => (await admin.zcard(`bull:${QUEUE_NAME}:delayed`)) === 1, 30_000);
    const before = await used();
    const streamBefore = await streamBytes();
    for (let i = 1; i < n; i++) await tracker.track(handleOf(lanes[i % 2]!, ids[i]!, at), { timeoutMs: 900_000 });
    await waitFor(async () => (await admin.zcard(`bull:${QUEUE_NAME}:delayed`)) === n, 120_000);
    const after = await used();
    const stream = (await streamBytes()) - streamBefore;
    const tracked = Math.max(1, n - 1);
    const first = (await admin.zrange(`bull:${QUEUE_NAME}:delayed`, "0", "0"))[0];
    const sample = await admin.memory("USAGE", `bull:${QUEUE_NAME}:${first}`);
    return {
      jobs: tracked,
      perTrackedJob: (after - before) / tracked,
      perTrackedJobWithoutEvents: (after - before - stream) / tracked,
      eventStreamBytes: await streamBytes(),
      jobHashBytes: Number(sample ?? NaN),
    };
  } finally {
    stopWorkers(workers);
    await tracker.close();
    admin.disconnect();
    await server.close();
  }
}

/** `now`: poll each job at once (its first poll due when tracked), for the capacity measure. */
async function runFleetOnce(redis: TestRedis, plan: Plan, config: Config, count: number, now = false): Promise<RunFigures> {
  const admin = new Redis(redis.connection);
  await admin.flushall();
  const server = await startFakeProcess({ webhookBackoffMs: 500 }, 10);
  const tracker = createJobTracker({ connection: redis.connection });
  const receiver = await webhookReceiver((id, payload) => void tracker.deliver("deepaffects", id, payload).catch(() => {}));
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++) workers.push(await startWorker(redis.port, server, config));
    const { handles, sentAt } = await createPlanned(server, plan, receiver);
    const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
    const notCounted = async () =>
      (await Promise.all([`bull:${QUEUE_NAME}:events`, REPORTS, SETTLED_AT].map((key) => admin.memory("USAGE", key)))).reduce<number>(
        (n, bytes) => n + Number(bytes ?? 0),
        0,
      );
    const usedBefore = (await used()) - (await notCounted());
    const trackStart = performance.now();
    const poll = now ? { poll: { ...config.poll, initialDelayMs: 0 } } : {};
    for (const handle of handles) await tracker.track(handle, { timeoutMs: config.timeLimitMs + 60_000, ...poll });
    const trackMs = performance.now() - trackStart;
    const start = Date.now();
    await waitFor(async () => (await admin.hlen(SETTLED_AT)) >= handles.length, config.timeLimitMs, 250);
    const wallMs = Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last completions' removal
    const settledBytes = (await used()) - (await notCounted()) - usedBefore;
    const reports = await admin.hgetall(REPORTS);
    const settledAt = await admin.hgetall(SETTLED_AT);
    const at = handles.map((h) => Number(settledAt[`${h.provider}:${h.jobId}`] ?? NaN));
    const figures = await figuresOf(count, server, plan, handles, sentAt, at, {
      reportedTwice: Object.values(reports).filter((v) => Number(v) > 1).length,
      wallMs,
      trackMs,
      config,
    });
    return { ...figures, settledBytesPerJob: settledBytes / Math.max(1, handles.length) };
  } finally {
    stopWorkers(workers);
    await tracker.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    receiver.closeAllConnections();
    admin.disconnect();
    await server.close();
  }
}

async function runWatcher(plan: Plan, config: Config, now = false): Promise<RunFigures> {
  const server = await startFakeProcess({ webhookBackoffMs: 500 }, 10);
  const cap: RateBudget = { requests: config.capPerSecond, intervalMs: 1_000 };
  const watcher: Watcher = createWatcher({ limiter: createRateLimiter(), rateBudgets: { comfy: [cap], dify: [cap] } });
  const receiver = await webhookReceiver((id, payload) => watcher.deliver("deepaffects", id, payload));
  try {
    const clients = {
      comfy: createComfyClient({ apiKey: server.keys.comfy, baseUrl: server.urls.comfy }),
      difyChatflow: createDifyClient({ apiKey: server.keys.difyChatflow, baseUrl: server.urls.difyChatflow, app: "chatflow" }),
      deepaffects: createDeepAffectsClient({ apiKey: server.keys.deepaffects, baseUrl: server.urls.deepaffects }),
    };
    const { handles, sentAt } = await createPlanned(server, plan, receiver);
    const settled = new Map<string, number>();
    const all = new Promise<void>((resolve) => {
      watcher.on("settled", (result) => {
        settled.set(result.handle.jobId, Date.now());
        if (settled.size === handles.length) resolve();
      });
    });
    const trackStart = performance.now();
    handles.forEach((handle, i) => {
      const client = clients[plan[i]!.lane] as Parameters<Watcher["add"]>[0];
      // DeepAffects jobs keep the webhook defaults (polling is their fallback), as in the fleet.
      const poll = now ? { ...config.poll, initialDelayMs: 0 } : config.poll;
      watcher.add(client, handle as never, plan[i]!.lane === "deepaffects" ? {} : { poll, timeoutMs: config.timeLimitMs + 60_000 });
    });
    const trackMs = performance.now() - trackStart;
    const start = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, config.timeLimitMs)))]);
    clearTimeout(timer);
    const wallMs = Date.now() - start;
    watcher.close();
    const at = handles.map((h) => settled.get(h.jobId) ?? NaN);
    return await figuresOf("watcher", server, plan, handles, sentAt, at, { reportedTwice: 0, wallMs, trackMs, config });
  } finally {
    watcher.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    receiver.closeAllConnections();
    await server.close();
  }
}

type Plan = Array<{ lane: Lane; endMs: number }>;

async function figuresOf(
  workers: number | "watcher",
  server: FakeProcess,
  plan: Plan,
  handles: JobHandle[],
  sentAt: number[],
  settledAt: number[],
  extra: { reportedTwice: number; wallMs: number; trackMs: number; config: Config },
): Promise<RunFigures> {
  const arrivals = await server.arrivals();
  const cap: RateBudget = { requests: extra.config.capPerSecond, intervalMs: 1_000 };
  const rates = (["comfy", "difyChatflow", "deepaffects"] as const).map((key) => {
    const sorted = (arrivals[key] ?? []).sort((a, b) => a - b);
    const budget = key === "deepaffects" ? DEEPAFFECTS_BUDGET : cap;
    const most = maxSliding(sorted, budget.intervalMs);
    return { key, requests: sorted.length, budget, maxSliding: most, pass: most <= budget.requests };
  });
  const lags = plan
    .map((p, i) => settledAt[i]! - (sentAt[i]! + p.endMs))
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  const settled = settledAt.filter((x) => Number.isFinite(x)).length;
  const requests = rates.reduce((n, r) => n + r.requests, 0);
  return {
    workers,
    settled,
    lost: handles.length - settled,
    reportedTwice: extra.reportedTwice,
    requests,
    requestsPerJob: requests / Math.max(1, handles.length),
    pollsPerSecond: requests / Math.max(1, extra.wallMs / 1000),
    detectionLagMs: {
      p50: quantile(lags, 0.5),
      p95: quantile(lags, 0.95),
      mean: lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length),
    },
    wallMs: extra.wallMs,
    trackMs: extra.trackMs,
    rates,
  };
}

async function createPlanned(server: FakeProcess, plan: Plan, receiver: Server): Promise<{ handles: JobHandle[]; sentAt: number[] }> {
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const handles: JobHandle[] = [];
  const sentAt: number[] = [];
  for (let from = 0; from < plan.length; from += 2_000) {
    const batch = plan.slice(from, from + 2_000);
    const at = Date.now();
    const ids = await server.createJobs(batch.map((p) => fakeJob(p.lane, p.endMs, hook)));
    batch.forEach((p, i) => {
      handles.push(handleOf(p.lane, ids[i]!, at));
      sentAt.push(at);
    });
  }
  return { handles, sentAt };
}

function fakeJob(lane: Lane, endMs: number, webhook: string): { api: FakeApi; init: FakeJobInit } {
  const forMs = Math.round(endMs);
  if (lane === "comfy") return { api: "comfy", init: { script: [{ status: "executing", forMs }, { status: "success" }] } };
  if (lane === "difyChatflow")
    return { api: "dify-chatflow", init: { script: [{ status: "processing", forMs }, { status: "completed" }] } };
  return { api: "deepaffects", init: { webhook, script: [{ status: "Running", forMs }, { status: "Completed" }] } };
}

function handleOf(lane: Lane, jobId: string, at: number): JobHandle {
  const startedAt = new Date(at).toISOString();
  if (lane === "comfy") return { provider: "comfy", jobId, startedAt };
  if (lane === "deepaffects") return { provider: "deepaffects", api: "asr", jobId, startedAt, webhook: true };
  return { provider: "dify", app: "chatflow", action: "enable", jobId, startedAt };
}

function mixOf(plan: Plan): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const p of plan) mix[p.lane] = (mix[p.lane] ?? 0) + 1;
  return mix;
}

function startWorker(port: number, server: FakeProcess, config: Config): Promise<ChildProcess> {
  const worker: FleetWorkerConfig = {
    redisPort: port,
    urls: { comfy: server.urls.comfy, difyChatflow: server.urls.difyChatflow, deepaffects: server.urls.deepaffects },
    keys: { comfy: server.keys.comfy, difyChatflow: server.keys.difyChatflow, deepaffects: server.keys.deepaffects },
    concurrency: config.concurrency,
    poll: config.poll,
    capPerSecond: config.capPerSecond,
  };
  // Through the environment, not argv: keys do not show in process lists (these are the fake's, but still).
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, FLEET_WORKER: JSON.stringify(worker) },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("a fleet worker did not start in 30 s")), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`a fleet worker exited (${code}) before it was ready`)));
  });
}

function stopWorkers(workers: ChildProcess[]): void {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
}

async function waitFor(check: () => Promise<boolean>, limitMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const number = (name: string) => (flag(name) === undefined ? {} : { [name.slice(2)]: Number(flag(name)) });
  const workers = flag("--workers");
  const result = await runFleet({
    ...number("--jobs"),
    ...number("--capPerSecond"),
    ...number("--spreadMs"),
    ...number("--concurrency"),
    ...number("--memoryJobs"),
    ...number("--capacityJobs"),
    ...number("--timeLimitMs"),
    ...(workers ? { workers: workers.split(",").map(Number) } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
