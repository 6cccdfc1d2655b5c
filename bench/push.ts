/**
 * Benchmark 8: Comfy Cloud push. 1,000 Comfy jobs of mixed lengths on the fake providers over
 * loopback, watched by one watcher three ways: polling only (`webSocket: false`, the baseline,
 * measured in the same run), with the WebSocket, and with the WebSocket dropped (upgrades refused)
 * for a while in the middle of the run. The fake runs in a child process; the job ends are the
 * fake's scripted ones, so a job's lag is when the watcher settled it minus when its script ended.
 *
 *   npx tsx bench/push.ts [--jobs 1000]
 */
import WebSocket from "ws";
import type { ComfyClientOptions } from "../src/comfy.js";
import type { JobHandle, JobProvider } from "../src/core/state.js";
import { builtLibrary, type Library } from "./lib/built.js";
import { startFakeProcess, type LoggedRequest } from "./lib/fake-process.js";
import { machine, quantile, seeded, type Machine } from "./lib/machine.js";

export interface PushSize {
  jobs?: number;
  /** Job lengths (queued, then running) are uniform over [minLengthMs, minLengthMs + spreadMs]; at least 1 s. */
  minLengthMs?: number;
  spreadMs?: number;
  /** The drop scenario: upgrades refused and open sockets dropped this long after the jobs were added... */
  dropAtMs?: number;
  /** ...for this long. */
  dropForMs?: number;
  /** Per scenario, after the jobs were added: jobs still open then are lost. */
  timeLimitMs?: number;
  seed?: number;
  library?: Library;
}

type Config = Required<Omit<PushSize, "library">>;
export type ScenarioName = "polling" | "socket" | "drop";

export interface Lag {
  jobs: number;
  p50: number;
  p95: number;
  max: number;
}

export interface ScenarioResult {
  name: ScenarioName;
  jobs: { added: number; succeeded: number; failed: number; lost: number };
  /** Status requests at the fake, per job. */
  statusPerJob: number;
  /** Every HTTP request at the fake (status, detail...), per job. */
  requestsPerJob: number;
  /** How many jobs cost 1, 2, 3... status requests. */
  statusHistogram: Record<string, number>;
  /** WebSocket upgrades the fake accepted and refused. */
  upgrades: { accepted: number; refused: number };
  /** Jobs whose updates carried pushed progress steps (value of max). */
  jobsWithProgress: number;
  lagMs: Lag;
  /**
   * Jobs that ended after every job's first poll had arrived: all jobs are added at once, so their
   * first polls come due together and a job ending meanwhile waits its turn for a request slot.
   */
  lagAfterFirstPollsMs: Lag;
  /** When the last job's first status request arrived, after the jobs were added. */
  firstPollsDoneMs: number;
  /** Jobs whose scripted end fell inside the drop window (the same jobs in every scenario). */
  lagInDropMs: Lag;
  /** Drop scenario: from the end of the refusals to the next accepted upgrade. */
  reconnectAfterMs?: number | undefined;
  wallMs: number;
}

export interface PushResult {
  machine: Machine;
  config: Config & { server: string; webSocket: string; queuedMs: number };
  scenarios: ScenarioResult[];
  targets: Array<{ text: string; pass: boolean; detail: string }>;
}

/** Pushed ends arrive at once; the ws class when Node has no WebSocket of its own (Node 20). */
const WEB_SOCKET = (typeof globalThis.WebSocket === "function" ? undefined : WebSocket) as ComfyClientOptions["webSocket"];
/** Each job waits in the queue this long first: the fake pushes progress only for runs that start after its socket opened. */
const QUEUED_MS = 500;

export async function runPush(size: PushSize = {}): Promise<PushResult> {
  const { library, ...rest } = size;
  const config: Config = {
    jobs: 1_000,
    minLengthMs: 1_000,
    spreadMs: 39_000,
    dropAtMs: 15_000,
    dropForMs: 10_000,
    timeLimitMs: 90_000,
    seed: 11,
    ...rest,
  };
  const lib = library ?? (await builtLibrary());
  const random = seeded(config.seed);
  if (config.minLengthMs < 2 * QUEUED_MS) throw new RangeError(`minLengthMs must be at least ${2 * QUEUED_MS}`);
  const lengths = Array.from({ length: config.jobs }, () => Math.round(config.minLengthMs + random() * config.spreadMs));
  const scenarios: ScenarioResult[] = [];
  for (const name of ["polling", "socket", "drop"] as const) scenarios.push(await runScenario(name, lengths, config, lib));
  const [polling, socket, drop] = scenarios as [ScenarioResult, ScenarioResult, ScenarioResult];
  const lagText = (l: Lag) => `p50 ${l.p50.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms, max ${l.max.toFixed(0)} ms`;
  return {
    machine: machine(),
    config: {
      ...config,
      server: "fake providers in a child process (node:http on 127.0.0.1)",
      queuedMs: QUEUED_MS,
      webSocket: WEB_SOCKET ? "the ws package's class (Node has no WebSocket of its own)" : "Node's global WebSocket",
    },
    scenarios,
    targets: [
      {
        text: "with the socket: ≤ 2 status requests per job",
        pass: socket.statusPerJob <= 2,
        detail: `${socket.statusPerJob.toFixed(2)} per job (polling only: ${polling.statusPerJob.toFixed(2)})`,
      },
      {
        text: "with the socket: detection lag p95 ≤ 50 ms",
        pass: socket.lagMs.p95 <= 50,
        detail: `${lagText(socket.lagMs)} (polling only: p95 ${polling.lagMs.p95.toFixed(0)} ms)`,
      },
      {
        text: `socket dropped for ${config.dropForMs / 1000} s: no job lost`,
        pass: drop.jobs.lost === 0 && drop.jobs.failed === 0,
        detail: `${drop.jobs.succeeded} of ${drop.jobs.added} succeeded`,
      },
      {
        text: "socket dropped: jobs ending during the drop found no later than by polling alone (p95)",
        pass: drop.lagInDropMs.p95 <= polling.lagInDropMs.p95,
        detail: `${drop.lagInDropMs.jobs} jobs: ${lagText(drop.lagInDropMs)}; polling only: ${lagText(polling.lagInDropMs)}`,
      },
    ],
  };
}

async function runScenario(name: ScenarioName, lengths: number[], config: Config, lib: Library): Promise<ScenarioResult> {
  const server = await startFakeProcess();
  const provider = lib.createComfyClient({
    apiKey: server.keys.comfy,
    baseUrl: server.urls.comfy,
    webSocket: name === "polling" ? false : WEB_SOCKET,
  }) as JobProvider<JobHandle, unknown>;
  const watcher = lib.createWatcher();
  const timers: NodeJS.Timeout[] = [];
  try {
    const created = await server.createJobsAt(
      lengths.map((length) => ({
        api: "comfy",
        init: {
          script: [
            { status: "pending_execution", forMs: QUEUED_MS },
            { status: "executing", forMs: length - QUEUED_MS },
            { status: "success" },
          ],
        },
      })),
    );
    const endsAt = new Map(created.ids.map((id, i) => [id, created.at[i]! + lengths[i]!]));
    const settledAt = new Map<string, number>();
    const withProgress = new Set<string>();
    let succeeded = 0;
    let failed = 0;
    watcher.on("update", (snapshot) => {
      if (snapshot.progress?.max !== undefined) withProgress.add(snapshot.handle.jobId);
    });
    const allSettled = new Promise<void>((resolve) => {
      watcher.on("settled", (result) => {
        settledAt.set(result.handle.jobId, Date.now());
        if (!result.error && result.snapshot?.state === "succeeded") succeeded++;
        else failed++;
        if (settledAt.size === created.ids.length) resolve();
      });
      if (created.ids.length === 0) resolve();
    });
    const addedAt = Date.now();
    created.ids.forEach((jobId, i) => {
      watcher.add(provider, { provider: "comfy", jobId, startedAt: new Date(created.at[i]!).toISOString() });
    });

    const dropFrom = addedAt + config.dropAtMs;
    const dropUntil = dropFrom + config.dropForMs;
    let refusalsEnded: number | undefined;
    if (name === "drop") {
      timers.push(
        setTimeout(() => void server.webSocket("refuse").then(() => server.webSocket("drop")), config.dropAtMs),
        setTimeout(() => {
          refusalsEnded = Date.now();
          void server.webSocket("accept");
        }, config.dropAtMs + config.dropForMs),
      );
    }
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([allSettled, new Promise<void>((resolve) => (limit = setTimeout(resolve, config.timeLimitMs)))]);
    clearTimeout(limit);
    const wallMs = Date.now() - addedAt;
    watcher.close();

    const lagOf = (ids: string[]): Lag => {
      const lags = ids
        .map((id) => (settledAt.get(id) ?? NaN) - endsAt.get(id)!)
        .filter((x) => Number.isFinite(x))
        .sort((a, b) => a - b);
      return { jobs: lags.length, p50: quantile(lags, 0.5), p95: quantile(lags, 0.95), max: lags.at(-1) ?? NaN };
    };
    const inDrop = created.ids.filter((id) => {
      const end = endsAt.get(id)!;
      return end >= dropFrom && end < dropUntil;
    });
    const log: LoggedRequest[] = await server.log();
    const ws = log.filter((r) => r.route === "ws");
    const http = log.filter((r) => r.route !== "ws");
    const n = Math.max(1, created.ids.length);
    const perJob = new Map<string, number[]>();
    for (const r of http)
      if (r.route === "status" && r.jobId !== undefined) (perJob.get(r.jobId) ?? perJob.set(r.jobId, []).get(r.jobId)!).push(r.at);
    const statusHistogram: Record<string, number> = {};
    for (const ats of perJob.values()) statusHistogram[ats.length] = (statusHistogram[ats.length] ?? 0) + 1;
    const firstPollsDone = Math.max(addedAt, ...[...perJob.values()].map((ats) => ats[0]!));
    const reconnect = refusalsEnded === undefined ? undefined : ws.find((r) => r.status === 101 && r.at >= refusalsEnded!);
    return {
      name,
      jobs: { added: created.ids.length, succeeded, failed, lost: created.ids.length - settledAt.size },
      statusPerJob: http.filter((r) => r.route === "status").length / n,
      requestsPerJob: http.length / n,
      upgrades: { accepted: ws.filter((r) => r.status === 101).length, refused: ws.filter((r) => r.status !== 101).length },
      jobsWithProgress: withProgress.size,
      statusHistogram,
      lagMs: lagOf(created.ids),
      lagAfterFirstPollsMs: lagOf(created.ids.filter((id) => endsAt.get(id)! > firstPollsDone)),
      firstPollsDoneMs: firstPollsDone - addedAt,
      lagInDropMs: lagOf(inDrop),
      reconnectAfterMs: reconnect && refusalsEnded !== undefined ? reconnect.at - refusalsEnded : undefined,
      wallMs,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    watcher.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--jobs");
  const result = await runPush(at > 0 ? { jobs: Number(process.argv[at + 1]) } : {});
  console.log(JSON.stringify(result, null, 2));
}
