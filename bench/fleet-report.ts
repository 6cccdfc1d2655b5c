/** The fleet section of BENCHMARKS.md (bench/fleet.ts). */
import type { FleetResult } from "./fleet.js";
import { failed, int, machineLine, mark, type Verdict } from "./lib/markdown.js";

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Measured once, before the job was made compact, with this benchmark at the parent commit f1827c5
 * (`npx tsx bench/fleet.ts --jobs 2000 --memoryJobs 10000 --workers 1`): not re-measurable in a later run.
 */
const BEFORE = { perTrackedJob: 1_353, withoutEvents: 1_257, jobHash: 931, settled: 2_901 };

export function fleetSection(result: FleetResult | Error | undefined, verdicts: Verdict[]): string {
  const title = "7. A fleet of workers on BullMQ and Redis";
  const command = "npm run bench:fleet";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const c = result.config;
  const m = result.memory;
  for (const t of result.targets) verdicts.push({ bench: "7. fleet", target: t.text, figure: t.detail, pass: t.pass });
  const name = (w: number | "watcher") => (w === "watcher" ? "watcher (1 process)" : `${w} worker process${w === 1 ? "" : "es"}`);
  const runs = result.runs
    .map(
      (r) =>
        `| ${name(r.workers)} | ${int(r.settled)} | ${r.lost} | ${r.workers === "watcher" ? "–" : r.reportedTwice} | ${r.requestsPerJob.toFixed(2)} | ${int(r.pollsPerSecond)} | ${sec(r.detectionLagMs.p50)} / ${sec(r.detectionLagMs.p95)} / ${sec(r.detectionLagMs.mean)} | ${sec(r.wallMs)} | ${sec(r.trackMs)} |`,
    )
    .join("\n");
  const rates = result.runs
    .map(
      (r) =>
        `| ${name(r.workers)} | ${r.rates.map((k) => `${k.key} ${int(k.requests)} req, most ${k.maxSliding} per ${k.budget.intervalMs / 1000} s (budget ${k.budget.requests}) ${mark(k.pass)}`).join("; ")} |`,
    )
    .join("\n");
  const one = result.capacity.find((x) => x.workers === 1)?.settledPerSecond ?? NaN;
  const watcher = result.capacity.find((x) => x.workers === "watcher")?.settledPerSecond ?? NaN;
  const capacity = result.capacity
    .map(
      (x) =>
        `| ${name(x.workers)} | ${int(x.settledPerSecond)} | ${x.workers === "watcher" ? "–" : `${(x.settledPerSecond / one).toFixed(2)}×`} | ${(x.settledPerSecond / watcher).toFixed(2)}× | ${x.lost} |`,
    )
    .join("\n");
  const settled = result.runs
    .filter((r) => r.settledBytesPerJob !== undefined)
    .map((r) => `${int(r.settledBytesPerJob!)} B (${r.workers} w)`)
    .join(", ");
  return `## ${title}

\`${command}\` (bench/run.ts fleet; \`npx tsx bench/fleet.ts --jobs 1000\` for a quick check, figures printed, this file untouched)

${machineLine(result.machine)}

${int(c.jobs)} jobs (${Object.entries(c.mix)
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(
      ", ",
    )}) on the ${c.server}, ending uniformly between ${c.minLengthMs / 1000} s and ${(c.minLengthMs + c.spreadMs) / 1000} s after their start, all tracked at once; a real \`redis-server\` (${"no persistence"}) on a free port of 127.0.0.1, started by the benchmark. The same job scripts run once under the single-process watcher (\`createWatcher\`) and once under a fleet of ${c.workers.join(", ")} worker processes (bench/lib/fleet-worker.ts, concurrency ${c.concurrency} each), the jobs tracked from the benchmark's process. Poll policy for both: \`${JSON.stringify(c.poll)}\`. Comfy and Dify keys are capped at ${c.capPerSecond} requests per second each (\`rateBudgets\`); the DeepAffects jobs are started with webhooks (delivered to a receiver in the benchmark's process, which hands them to \`tracker.deliver\` or \`watcher.deliver\`) and polled only at the fallback rate within the key's own 5 a minute. Requests are counted on arrival at the fake provider, by the key they carry. Settled: the jobs reported (\`onSettled\`, counted in Redis); lost: tracked and not settled within ${sec(c.timeLimitMs)}; lag: report time minus the scripted end. The processes run the TypeScript sources through tsx.

| setup | settled | lost | reported twice | requests/job | polls/s | lag p50 / p95 / mean | wall (last track to last settle) | time to track all |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${runs}

Request rate per key at the fake provider (the most in any sliding window of the budget's length):

| setup | per key |
|---|---|
${rates}

**Capacity**, all work and no waiting: ${int(result.capacity[0]?.jobs ?? 0)} jobs already ended when tracked, first poll due at once, no rate cap; jobs settled per second from the first track to the last report (each job is one placement run and one poll):

| setup | jobs/s | vs 1 worker | vs the watcher | lost |
|---|---:|---:|---:|---:|
${capacity}

**Redis memory** (\`INFO memory\` used_memory, after minus before, ${int(m.jobs)} jobs tracked and each placed by a worker for its first poll): ${int(m.perTrackedJob)} B per tracked job, ${int(m.perTrackedJobWithoutEvents)} B of it without BullMQ's event stream (${int(m.eventStreamBytes)} B for the queue, capped near 10,000 events whatever the job count). One job's BullMQ hash: ${int(m.jobHashBytes)} B (\`MEMORY USAGE\`). Per settled job, what stays until the outcomes expire (24 h by default): ${settled}. Before the job was made compact (same benchmark at f1827c5, 10,000 jobs): ${int(BEFORE.perTrackedJob)} B per tracked job (${int(BEFORE.withoutEvents)} B without the event stream), job hash ${int(BEFORE.jobHash)} B, ${int(BEFORE.settled)} B per settled job. What changed: the poll state is a short tuple and the handle's other fields are the job's name (no copy of provider and job id, which the job id holds), and no per-job BullMQ options (retries and removal are the workers'), so every field of the hash stays under Redis's 64-byte limit and the hash keeps its compact encoding; completed jobs are removed, their outcome kept once under our key (it was kept twice); job ids are one letter and the provider's id.

${result.targets.map((t) => `- ${mark(t.pass)} ${t.text}: ${t.detail}.`).join("\n")}

${LIMITS}
`;
}

const LIMITS = `What limits it. **Scaling**: on this shared 2-core machine more worker processes do not settle jobs faster (capacity table): the two cores are shared by redis-server, the fake provider, the tracking process and the workers, and each job run costs a worker several Redis round trips (the job fetched and moved by BullMQ's Lua scripts, the stored outcome and a webhook delivery read at once, a rate slot taken and released, the poll state written) where the watcher only sets a timer. Four processes on two cores add context switches and per-process overhead (lock renewals, stalled-job checks) and settle fewer. The fleet is for more machines, or for surviving the loss of one: its figures here say what one run costs, not how far it scales on hardware with more cores, which was not measured. In the comparison runs the schedule and the rate caps, not the CPU, set the pace, so the fleet's requests per job and lag stay within a few per cent of the watcher's. **Memory**: what is left per tracked job is BullMQ's own layout: the job's hash (now in Redis's compact encoding), the job id in the delayed sorted set, the key itself, and a share of the queue's event stream (about 100 B at 10,000 jobs, less with more). Below that would need fewer BullMQ fields per job (timestamp, delay, priority, processedOn, attempts started, and the options that repeat the job id), which BullMQ writes itself.`;
