/**
 * `npm run bench`: runs the eight benchmarks, writes bench/results/*.json and rewrites
 * BENCHMARKS.md. `npm run bench -- many-jobs bundle` runs only those (the others keep their last
 * results, read back from bench/results).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBundle } from "./bundle.js";
import { runFleet } from "./fleet.js";
import { runManyJobs } from "./many-jobs.js";
import { runOverheadLoopback, runOverheadNoNetwork } from "./overhead.js";
import { runPush } from "./push.js";
import { renderBenchmarks, type AllResults } from "./report.js";
import { runTooling } from "./tooling.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = join(ROOT, "bench", "results");

interface Step {
  name: string;
  key: keyof AllResults;
  file: string;
  run: () => Promise<unknown>;
}

const STEPS: Step[] = [
  { name: "no-network", key: "noNetwork", file: "overhead-no-network.json", run: () => runOverheadNoNetwork() },
  { name: "loopback", key: "loopback", file: "overhead-loopback.json", run: () => runOverheadLoopback() },
  { name: "polling", key: "polling", file: "polling.json", run: runPolling },
  { name: "many-jobs", key: "manyJobs", file: "many-jobs.json", run: () => runManyJobs() },
  { name: "bundle", key: "bundle", file: "bundle.json", run: () => runBundle() },
  { name: "tooling", key: "tooling", file: "tooling.json", run: () => runTooling() },
  { name: "fleet", key: "fleet", file: "fleet.json", run: () => runFleet() },
  { name: "push", key: "push", file: "push.json", run: () => runPush() },
];

/** The polling benchmark and its chart belong to bench/polling.ts; this only calls it. */
async function runPolling(): Promise<unknown> {
  const { runPollingBench } = await import("./polling.js");
  const { renderMarkdown, renderSvg } = await import("./polling/report.js");
  const result = runPollingBench();
  writeFileSync(join(RESULTS, "polling.md"), renderMarkdown(result));
  writeFileSync(join(RESULTS, "polling.svg"), renderSvg(result));
  return result;
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = chosen.filter((name) => !STEPS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(", ")}; known: ${STEPS.map((s) => s.name).join(", ")}`);
  const results: AllResults = {};
  let failures = 0;
  for (const step of STEPS) {
    const path = join(RESULTS, step.file);
    if (chosen.length > 0 && !chosen.includes(step.name)) {
      if (existsSync(path)) (results as Record<string, unknown>)[step.key] = JSON.parse(readFileSync(path, "utf8"));
      continue;
    }
    const started = performance.now();
    process.stdout.write(`${step.name} ... `);
    try {
      const result = await step.run();
      writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
      (results as Record<string, unknown>)[step.key] = result;
      console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures++;
      const failure = error instanceof Error ? error : new Error(String(error));
      (results as Record<string, unknown>)[step.key] = failure;
      console.log(`FAILED: ${failure.stack ?? failure.message}`);
    }
  }
  writeFileSync(join(ROOT, "BENCHMARKS.md"), renderBenchmarks(results));
  console.log("BENCHMARKS.md written.");
  if (failures > 0) process.exitCode = 1;
}

await main();
