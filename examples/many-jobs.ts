// Many jobs, one watcher: one timer for every job, a cap on requests in flight, shared rate budgets.
//
//   COMFY_API_KEY=... npx tsx examples/many-jobs.ts [count]
import { readFile } from "node:fs/promises";
import { createComfyClient, createWatcher } from "jobstatus/comfy";

const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY!, baseUrl: process.env.COMFY_BASE_URL });
const workflow = JSON.parse(await readFile(new URL("text-to-image.json", import.meta.url), "utf8"));
const count = Number(process.argv[2] ?? 5);

const watcher = createWatcher({ maxInFlight: 32, adaptive: true });
watcher.on("update", (s) => console.log(`  ${s.handle.jobId}: ${s.state}`));
try {
  for (let i = 0; i < count; i++) {
    const handle = await comfy.submitWorkflow(workflow);
    watcher.add(comfy, handle, { timeoutMs: 60 * 60_000 }); // each add returns { result, save, remove }
  }
  // Settled jobs as they end; the loop finishes once no job is left.
  const states: Record<string, number> = {};
  for await (const { handle, snapshot, error } of watcher.results()) {
    const outcome = error === undefined && snapshot ? snapshot.state : `error: ${String(error)}`;
    states[outcome] = (states[outcome] ?? 0) + 1;
    console.log(`${handle.jobId} settled: ${outcome}`);
  }
  console.log(`all ${count} settled: ${JSON.stringify(states)}`);
} finally {
  watcher.close(); // stops every timer and request
}
