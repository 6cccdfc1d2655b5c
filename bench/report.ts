/** BENCHMARKS.md from the results of `npm run bench`. */
import type { BundleResult } from "./bundle.js";
import type { FleetResult } from "./fleet.js";
import { fleetSection } from "./fleet-report.js";
import { failed, int, kb, machineLine, mark, type Verdict } from "./lib/markdown.js";
import type { Profile } from "./lib/profile.js";
import type { ManyJobsResult } from "./many-jobs.js";
import type { OverheadGroup, OverheadResult } from "./overhead.js";
import type { PollingBenchResult } from "./polling.js";
import type { PushResult } from "./push.js";
import { pushSection } from "./push-report.js";
import type { ToolingResult } from "./tooling.js";
import { explainBundle, explainLoopDelay, explainOverhead, explainRates, PROPOSALS } from "./report-notes.js";

export interface AllResults {
  noNetwork?: OverheadResult | Error;
  loopback?: OverheadResult | Error;
  polling?: PollingBenchResult | Error;
  manyJobs?: ManyJobsResult | Error;
  bundle?: BundleResult | Error;
  tooling?: ToolingResult | Error;
  fleet?: FleetResult | Error;
  push?: PushResult | Error;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

function frames(profile: Profile | undefined, heading: string): string {
  if (!profile || profile.top.length === 0) return "";
  const rows = profile.top
    .slice(0, 10)
    .map((f) => `| ${(f.selfShare * 100).toFixed(1)} % | \`${f.frame}\` |`)
    .join("\n");
  return `\n${heading} (${profile.samples} samples, self time):\n\n| self | frame |\n|---:|---|\n${rows}\n`;
}

function overheadSection(n: 1 | 2, result: OverheadResult | Error | undefined, verdicts: Verdict[]): string {
  const title = n === 1 ? "1. Call overhead, no network" : "2. Call overhead, loopback HTTP";
  const command = n === 1 ? "npx tsx bench/overhead.ts --no-network" : "npx tsx bench/overhead.ts --loopback";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const c = result.config;
  const how =
    n === 1
      ? `Each contender gets a \`fetch\` that answers at once with the fake server's recorded answer (status, headers such as content-type and content-length, body), passed as the \`fetch\` option as openapi-fetch's own benchmark does. tinybench, ${c.rounds} rounds of ≥ ${c.minIterationsPerRound} calls / ${c.timeMsPerRound} ms each, contenders rotated between rounds. The figure is **calls per CPU second** of this process (median of rounds): the machine is shared, and other processes stretch wall time but not our CPU time. tinybench's own wall-clock figure is shown beside it.`
      : `${c.requestsPerRound} requests per contender and round, ${c.concurrency} in flight, ${c.rounds} rounds (contenders rotated), against ${c.server}. Every contender uses the global fetch (undici, keep-alive). The figure is requests per wall-clock second (median of rounds); client CPU per request is shown beside it.`;
  const groups = result.groups.map((g) => overheadGroup(n, g, verdicts)).join("\n");
  return `## ${title}\n\n\`${command}\`\n\n${machineLine(result.machine)}\n\n${how}\n\n${groups}`;
}

function overheadGroup(n: 1 | 2, g: OverheadGroup, verdicts: Verdict[]): string {
  const extra = n === 1 ? "wall ops/s" : "client CPU µs/req";
  const rows = g.rows
    .map((r) => {
      const side = n === 1 ? int(r.wallOpsPerSec ?? NaN) : (r.clientCpuUs ?? NaN).toFixed(0);
      return `| ${r.label} | ${int(r.opsPerSec)} | ${side} | ${r.vsOpenapiFetch.toFixed(2)}× | ${r.vsRawFetch.toFixed(2)}× |`;
    })
    .join("\n");
  const name = g.provider === "comfy" ? "Comfy Cloud (auth header)" : "DeepAffects (auth in the query: the key rewrites the URL)";
  verdicts.push({
    bench: `${n}. overhead, ${n === 1 ? "no network" : "loopback"} (${g.provider})`,
    target: g.target.text,
    figure: `${g.target.ratio.toFixed(2)}×`,
    pass: g.target.pass,
  });
  const note = g.target.pass ? "" : `\n${explainOverhead(n, g.provider)}\n${frames(g.profile, "Profile of our call")}`;
  return `### ${name}\n\n| contender | ${n === 1 ? "calls/CPU s" : "req/s"} | ${extra} | vs bare openapi-fetch | vs raw fetch |\n|---|---:|---:|---:|---:|\n${rows}\n\nTarget: ${g.target.text}: ${g.target.ratio.toFixed(2)}× → ${mark(g.target.pass)}\n${note}`;
}

function pollingSection(result: PollingBenchResult | Error | undefined, verdicts: Verdict[]): string {
  const title = "3. Polling efficiency, simulated";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, "npx tsx bench/polling.ts", result);
  const rows = result.logUniform
    .map(
      (r) =>
        `| ${r.label} | ${r.requestsPerJob.toFixed(1)} | ${r.lagS.p50.toFixed(1)} / ${r.lagS.p95.toFixed(1)} / ${r.lagS.max.toFixed(1)} | ${(r.relLag.p95 * 100).toFixed(1)} % |`,
    )
    .join("\n");
  for (const t of result.targets)
    verdicts.push({ bench: "3. polling", target: t.text, figure: t.detail.split(";")[0] ?? "", pass: t.pass });
  const targets = result.targets.map((t) => `- ${mark(t.pass)} ${t.text}: ${t.detail}.`).join("\n");
  return `## ${title}

\`npx tsx bench/polling.ts\` (owned by the poll-policy work; details in [bench/results/polling.md](bench/results/polling.md)).
A virtual clock: the figures do not depend on the machine. ${result.config.jobs} jobs, ${result.config.workload}, seed ${result.config.seed}.

![requests per job against p95 relative lag, one point per policy](bench/results/polling.svg)

| policy | requests/job | lag p50 / p95 / max (s) | p95 lag ÷ length |
|---|---:|---:|---:|
${rows}

Bimodal workload: adaptive spends ${result.bimodal.ratio.toFixed(2)}× the requests of the default at the same or lower p95 relative lag.

${targets}
`;
}

function manyJobsSection(result: ManyJobsResult | Error | undefined, verdicts: Verdict[]): string {
  const title = "4. 10,000 jobs in one process";
  const command = "npx tsx bench/many-jobs.ts";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const c = result.config;
  const rates = result.rates
    .map(
      (r) =>
        `| ${r.key} | ${int(r.requests)} | ${r.cap.requests} per ${r.cap.intervalMs / 1000} s | ${r.maxSliding} | ${r.maxFixed} | ${mark(r.pass)} |`,
    )
    .join("\n");
  for (const t of result.targets) verdicts.push({ bench: "4. many jobs", target: t.text, figure: t.detail, pass: t.pass });
  const loopMissed = !result.targets[1]!.pass;
  const p = result.profile;
  const turns = p
    ? frames(
        { ...p, top: p.longTurns.top },
        `Profile of a ${p.jobs}-job run (its loop p99: ${ms(p.loopDelayP99Ms)}): ${p.longTurns.count} turns of the loop over 20 ms, ${ms(p.longTurns.totalMs)} in all, the longest ${ms(p.longTurns.longestMs)}; what ran in them`,
      )
    : "";
  const loopNote = loopMissed ? `\n${explainLoopDelay(result)}\n${turns}` : "";
  const note = `${loopNote}${result.targets[2]!.pass ? "" : `\n${explainRates(result)}\n`}`;
  return `## ${title}

\`${command}\`

${machineLine(result.machine)} Load average when the run started: ${result.loadAtStart}.

One watcher, ${int(c.jobs)} jobs (${Object.entries(c.mix)
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(
      ", ",
    )}), all added at once, ending uniformly between ${c.minLengthMs / 1000} s and ${((c.minLengthMs + c.spreadMs) / 1000).toFixed(0)} s after their start. ${c.server}; the watcher's process holds only the clients, the watcher and a webhook receiver. Comfy and Dify keys are capped at ${c.capPerSecond} requests per second each (\`rateBudgets\`), four keys in all (two Comfy users, the Dify chatflow and completion apps). DeepAffects jobs are started with webhooks: its own budget of 5 requests a minute per key would need hours to poll thousands of jobs, so its ${c.mix.deepaffects ?? 0} jobs end by delivery, with polling only as the fallback. Poll overrides for the capped jobs: \`${JSON.stringify(c.poll)}\`, so that the run fits in about a minute under the caps. The clients use the global fetch; requests are counted where a provider counts them, on arrival at the fake server, by the key they carry.

| figure | value |
|---|---:|
| heap per job (watcher + handle) | ${kb(result.heap.perJobBytes)} (watcher ${kb(result.heap.watcherBytesPerJob)}, handle ${kb(result.heap.handleBytesPerJob)}) |
| peak heap used (sampled every 100 ms, garbage included) | ${(result.heap.peakBytes / 2 ** 20).toFixed(0)} MiB |
| event-loop delay p50 / p99 / max | ${ms(result.loopDelayMs.p50)} / ${ms(result.loopDelayMs.p99)} / ${ms(result.loopDelayMs.max)} |
| the same in an idle process beside it (the machine's share) | ${ms(result.idleProcessLoopDelayMs.p50)} / ${ms(result.idleProcessLoopDelayMs.p99)} / ${ms(result.idleProcessLoopDelayMs.max)} |
| CPU used, watcher's process / fake server (cores) | ${result.cpuCores.watcher.toFixed(2)} / ${result.cpuCores.server.toFixed(2)} |
| jobs added / succeeded / failed / lost | ${int(result.jobs.added)} / ${int(result.jobs.succeeded)} / ${result.jobs.failed} / ${result.jobs.lost} |
| requests per job | ${result.requestsPerJob.toFixed(2)} |
| detection lag p50 / p95 / max | ${(result.detectionLagMs.p50 / 1000).toFixed(1)} s / ${(result.detectionLagMs.p95 / 1000).toFixed(1)} s / ${(result.detectionLagMs.max / 1000).toFixed(1)} s |
| time to add all jobs | ${ms(result.addMs)} |
| wall time (first add to last job settled) | ${(result.wallMs / 1000).toFixed(1)} s |

Heap per job: \`heapUsed\` after a full GC once all jobs were added, minus the same before the handles were made, divided by the job count. Loop delay: \`monitorEventLoopDelay\` (5 ms resolution, the period subtracted), from the last add to the end.

| key | requests | cap | most in any sliding window | most in one fixed window | |
|---|---:|---|---:|---:|---|
${rates}

${result.targets.map((t) => `- ${mark(t.pass)} ${t.text}: ${t.detail}.`).join("\n")}
${note}`;
}

function bundleSection(result: BundleResult | Error | undefined, verdicts: Verdict[]): string {
  const title = "5. Bundle size";
  const command = "npx tsx bench/bundle.ts";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const rows = result.rows
    .map(
      (r) =>
        `| \`${r.entry}\` | ${int(r.minifiedBytes)} | ${int(r.gzipBytes)} | ${int(r.gzipWithoutMessagesBytes)} | ${int(r.budgetBytes)} | ${mark(r.pass)} |`,
    )
    .join("\n");
  for (const r of result.rows)
    verdicts.push({ bench: "5. bundle", target: `${r.entry} ≤ ${kb(r.budgetBytes)} gz`, figure: kb(r.gzipBytes), pass: r.pass });
  const missed = result.rows.filter((r) => !r.pass);
  const note = missed.length > 0 ? `\n${explainBundle(result)}\n` : "";
  return `## ${title}\n\n\`${command}\`\n\n${machineLine(result.machine)}\n\n${result.config.bundler}, ${result.config.platform}, ${result.config.gzip}; openapi-fetch bundled in. Each entry whole, then what an app pays (bench/bundle.ts writes the app): one provider's client calling \`status\` once, and the same with \`wait\`. "Code alone" is the gzip with the text of every message emptied (\`withoutMessages\` in bench/bundle.ts).\n\n| entry | minified B | gzip B | code alone, gzip B | budget B | |\n|---|---:|---:|---:|---:|---|\n${rows}\n${note}`;
}

function toolingSection(result: ToolingResult | Error | undefined): string {
  const title = "6. Tooling";
  const command = "npx tsx bench/tooling.ts";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const rows = result.rows
    .map(
      (r) =>
        `| \`${r.command}\` | ${(r.medianMs / 1000).toFixed(2)} s | ${r.runsMs.map((x) => (x / 1000).toFixed(2)).join(", ")} |${r.exitCode === 0 ? "" : ` exit ${r.exitCode} (the tree had type errors then; the check still ran in full)`}`,
    )
    .join("\n");
  return `## ${title}\n\n\`${command}\`\n\n${machineLine(result.machine)}\n\nWall time, median of ${result.config.repeats}. \`npm run generate\` runs on a copy of openapi/ (\`--root\`), so it never rewrites the work tree. No target.\n\n| command | median | runs |\n|---|---:|---|\n${rows}\n`;
}

export function renderBenchmarks(results: AllResults): string {
  const verdicts: Verdict[] = [];
  const sections = [
    overheadSection(1, results.noNetwork, verdicts),
    overheadSection(2, results.loopback, verdicts),
    pollingSection(results.polling, verdicts),
    manyJobsSection(results.manyJobs, verdicts),
    bundleSection(results.bundle, verdicts),
    toolingSection(results.tooling),
    fleetSection(results.fleet, verdicts),
    pushSection(results.push, verdicts),
  ].filter((s) => s !== "");
  const proposals = `\n${PROPOSALS}`;
  const summary = verdicts.map((v) => `| ${v.bench} | ${v.target} | ${v.figure} | ${mark(v.pass)} |`).join("\n");
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); do not edit by hand. Machine-readable results: \`bench/results/*.json\`.
Run one benchmark with \`npm run bench -- <name>\` (names: no-network, loopback, polling, many-jobs, bundle, tooling, fleet, push).
Figures taken on a shared machine carry its load average: wall-clock figures (loopback throughput, loop delay,
tooling) move with it; CPU-time and simulated figures do not. Benchmarks 1, 2 and 4 measure the library as it
ships: src/index.ts bundled to JavaScript by esbuild (bench/lib/built.ts), because tsx, which runs the sources,
wraps every closure in a name-keeping helper that costs a few µs per call and that no user pays.

| benchmark | target | figure | |
|---|---|---|---|
${summary}

${sections.join("\n")}${proposals}`;
}
