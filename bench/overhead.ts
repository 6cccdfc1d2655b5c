/**
 * Benchmarks 1 and 2: what our client adds to one status call.
 * (a) no network: a fetch that answers at once with a recorded answer of the fake server, given as
 *     the `fetch` option of every contender (as openapi-fetch's own benchmark does);
 * (b) loopback HTTP with keep-alive against the fake providers, running in a child process.
 * "Ours" is the library as it ships (src bundled by esbuild, see lib/built.ts), not the tsx-run sources.
 *
 *   npx tsx bench/overhead.ts [--no-network | --loopback]
 */
import { Bench } from "tinybench";
import { startFakeProviders } from "../src/testing.js";
import { cannedFetch, contenders, record, type Contender, type ProviderUnderTest, type Target } from "./lib/contenders.js";
import { builtLibrary, type Library } from "./lib/built.js";
import { startFakeProcess } from "./lib/fake-process.js";
import { machine, median, type Machine } from "./lib/machine.js";
import { profile, type Profile } from "./lib/profile.js";

export interface OverheadRow {
  key: Contender["key"];
  label: string;
  /** No network: calls per CPU second; loopback: requests per wall-clock second. */
  opsPerSec: number;
  /** No network: calls per wall-clock second (tinybench's own figure). */
  wallOpsPerSec?: number;
  /** Loopback: CPU time of this (client) process per request, µs. */
  clientCpuUs?: number;
  /** Ops/s of each round, the figure above being their median. */
  rounds: number[];
  vsOpenapiFetch: number;
  vsRawFetch: number;
}

export interface OverheadGroup {
  provider: ProviderUnderTest;
  rows: OverheadRow[];
  target: { text: string; ratio: number; goal: number; pass: boolean };
  /** Our call profiled, when the target was missed. */
  profile?: Profile | undefined;
}

export interface OverheadResult {
  kind: "no-network" | "loopback";
  machine: Machine;
  config: Record<string, number | string>;
  groups: OverheadGroup[];
}

const PROVIDERS: ProviderUnderTest[] = ["comfy", "deepaffects"];

function rows(contenders: Contender[], rounds: Map<string, number[]>): OverheadRow[] {
  const ops = (key: string) => median(rounds.get(key) ?? []);
  return contenders.map((c) => ({
    key: c.key,
    label: c.label,
    opsPerSec: ops(c.key),
    rounds: rounds.get(c.key) ?? [],
    vsOpenapiFetch: ops(c.key) / ops("openapi-fetch"),
    vsRawFetch: ops(c.key) / ops("raw-fetch"),
  }));
}

/** Runs every contender `rounds` times, in a rotated order each round, and keeps each round's ops/s. */
async function interleave(
  contenders: Contender[],
  roundCount: number,
  measure: (c: Contender) => Promise<number>,
): Promise<Map<string, number[]>> {
  const results = new Map<string, number[]>(contenders.map((c) => [c.key, []]));
  for (let round = 0; round < roundCount; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length]!;
      results.get(c.key)!.push(await measure(c));
    }
  }
  return results;
}

export interface NoNetworkSize {
  /** Time budget per contender and round, ms. */
  timeMs?: number;
  /** Least calls per contender and round. */
  iterations?: number;
  rounds?: number;
  /** Calls profiled when the target is missed (0: never profile). */
  profileCalls?: number;
  /** The library under test (default: src bundled by esbuild, as it ships). */
  library?: Library;
}

export async function runOverheadNoNetwork(size: NoNetworkSize = {}): Promise<OverheadResult> {
  const { timeMs = 250, iterations = 500, rounds = 15, profileCalls = 30_000 } = size;
  const fake = await startFakeProviders();
  const answers = new Map<ProviderUnderTest, { target: Omit<Target, "fetch">; answer: Awaited<ReturnType<typeof record>> }>();
  try {
    const comfyJob = fake.createJob("comfy", { status: "success" });
    const daJob = fake.createJob("deepaffects", { status: "Completed" });
    answers.set("comfy", {
      target: { baseUrl: fake.urls.comfy, apiKey: fake.keys.comfy, jobId: comfyJob.id },
      answer: await record(`${fake.urls.comfy}/api/job/${comfyJob.id}/status`, { headers: { "X-API-Key": fake.keys.comfy } }),
    });
    answers.set("deepaffects", {
      target: { baseUrl: fake.urls.deepaffects, apiKey: fake.keys.deepaffects, jobId: daJob.id },
      answer: await record(
        `${fake.urls.deepaffects}/transaction/generic/api/v1/async/status?request_id=${daJob.id}&apikey=${fake.keys.deepaffects}`,
      ),
    });
  } finally {
    await fake.close();
  }

  const lib = size.library ?? (await builtLibrary());
  const groups: OverheadGroup[] = [];
  for (const provider of PROVIDERS) {
    const { target, answer } = answers.get(provider)!;
    const list = contenders(provider, { ...target, fetch: cannedFetch(answer) }, lib);
    for (const c of list) await c.call(); // fail fast, before timing anything
    const wall = new Map<string, number[]>(list.map((c) => [c.key, []]));
    const results = await interleave(list, rounds, async (c) => {
      for (let i = 0; i < 200; i++) await c.call();
      const bench = new Bench({ time: timeMs, iterations, warmup: false, throws: true });
      bench.add(c.key, c.call);
      const before = process.cpuUsage();
      await bench.run();
      const cpu = process.cpuUsage(before);
      const task = bench.tasks[0]!;
      const result = task.result;
      if (result.state !== "completed") throw new Error(`${c.label}: ${result.state}`);
      wall.get(c.key)!.push(1000 / result.period);
      // CPU time, not wall time: on a shared machine other processes stretch the wall clock, not our CPU.
      return task.runs / ((cpu.user + cpu.system) / 1e6);
    });
    const table = rows(list, results).map((r) => ({ ...r, wallOpsPerSec: median(wall.get(r.key) ?? []) }));
    groups.push(await withTarget(provider, table, "vsOpenapiFetch", 0.9, list, profileCalls));
  }
  return {
    kind: "no-network",
    machine: machine(),
    config: {
      timeMsPerRound: timeMs,
      minIterationsPerRound: iterations,
      rounds,
      measure: "calls per CPU second of this process, median of rounds",
      answer: "the fake server's recorded answer (status, headers, body)",
    },
    groups,
  };
}

export interface LoopbackSize {
  /** Requests per contender and round. */
  requests?: number;
  concurrency?: number;
  rounds?: number;
  profileCalls?: number;
  library?: Library;
}

export async function runOverheadLoopback(size: LoopbackSize = {}): Promise<OverheadResult> {
  const { requests = 3_000, concurrency = 16, rounds = 5, profileCalls = 10_000 } = size;
  const server = await startFakeProcess();
  try {
    const [comfyId, daId] = await server.createJobs([
      { api: "comfy", init: { status: "success" } },
      { api: "deepaffects", init: { status: "Completed" } },
    ]);
    const targets: Record<ProviderUnderTest, Target> = {
      comfy: { baseUrl: server.urls.comfy, apiKey: server.keys.comfy, jobId: comfyId! },
      deepaffects: { baseUrl: server.urls.deepaffects, apiKey: server.keys.deepaffects, jobId: daId! },
    };
    const lib = size.library ?? (await builtLibrary());
    const groups: OverheadGroup[] = [];
    for (const provider of PROVIDERS) {
      const list = contenders(provider, targets[provider], lib);
      // Warm-up: JIT and keep-alive sockets, for every contender, before any round counts.
      for (const c of list) await burst(c.call, Math.min(requests, 500), concurrency);
      const cpu = new Map<string, number[]>(list.map((c) => [c.key, []]));
      const results = await interleave(list, rounds, async (c) => {
        const before = process.cpuUsage();
        const started = performance.now();
        await burst(c.call, requests, concurrency);
        const seconds = (performance.now() - started) / 1000;
        const used = process.cpuUsage(before);
        cpu.get(c.key)!.push((used.user + used.system) / requests);
        return requests / seconds;
      });
      const table = rows(list, results).map((r) => ({ ...r, clientCpuUs: median(cpu.get(r.key) ?? []) }));
      groups.push(await withTarget(provider, table, "vsRawFetch", 0.95, list, profileCalls, concurrency));
    }
    return {
      kind: "loopback",
      machine: machine(),
      config: {
        requestsPerRound: requests,
        concurrency,
        rounds,
        measure: "requests per wall-clock second, median of rounds",
        server: "fake providers in a child process, node:http on 127.0.0.1, keep-alive",
      },
      groups,
    };
  } finally {
    await server.close();
  }
}

/** `count` calls with `concurrency` of them in flight at any time. */
export async function burst(call: () => Promise<unknown>, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function withTarget(
  provider: ProviderUnderTest,
  table: OverheadRow[],
  against: "vsOpenapiFetch" | "vsRawFetch",
  goal: number,
  list: Contender[],
  profileCalls: number,
  concurrency = 1,
): Promise<OverheadGroup> {
  const ours = table.find((r) => r.key === "ours")!;
  const ratio = ours[against];
  const pass = ratio >= goal;
  const text = `ours ≥ ${goal.toFixed(2)}× ${against === "vsOpenapiFetch" ? "bare openapi-fetch" : "raw fetch"}`;
  const call = list.find((c) => c.key === "ours")!.call;
  const profiled = !pass && profileCalls > 0 ? await profile(() => burst(call, profileCalls, concurrency)) : undefined;
  return { provider, rows: table, target: { text, ratio, goal, pass }, profile: profiled };
}

function print(result: OverheadResult): void {
  for (const g of result.groups) {
    console.log(`${result.kind}, ${g.provider}: ${g.target.text}: ${g.target.ratio.toFixed(2)}× ${g.target.pass ? "PASS" : "MISS"}`);
    for (const r of g.rows)
      console.log(
        `  ${r.label.padEnd(34)} ${Math.round(r.opsPerSec).toString().padStart(7)}  ${r.vsOpenapiFetch.toFixed(2)}× openapi-fetch  ${r.vsRawFetch.toFixed(2)}× raw`,
      );
    for (const f of g.profile?.top ?? []) console.log(`    ${(f.selfShare * 100).toFixed(1).padStart(5)} %  ${f.frame}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const loopbackOnly = process.argv.includes("--loopback");
  const noNetworkOnly = process.argv.includes("--no-network");
  if (!loopbackOnly) print(await runOverheadNoNetwork());
  if (!noNetworkOnly) print(await runOverheadLoopback());
}
