// Many machines: a fleet of workers on BullMQ and Redis polls the jobs any process tracks, within
// rate budgets the whole fleet shares. Run a worker on each machine, then track jobs from anywhere.
//
//   REDIS_HOST=127.0.0.1 COMFY_API_KEY=... npx tsx examples/fleet.ts worker
//   REDIS_HOST=127.0.0.1 COMFY_API_KEY=... npx tsx examples/fleet.ts track [count]
import { readFile } from "node:fs/promises";
import { createJobTracker, createTrackerWorker } from "jobstatus/bullmq";
import { createComfyClient } from "jobstatus/comfy";

const connection = { host: process.env.REDIS_HOST ?? "127.0.0.1", port: Number(process.env.REDIS_PORT ?? 6379) };
// Each process builds its clients from its own environment: no key ever goes into Redis.
const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY!, baseUrl: process.env.COMFY_BASE_URL });

if (process.argv[2] === "worker") {
  const worker = createTrackerWorker({
    connection,
    clients: { comfy },
    concurrency: 32,
    // Once per job, in whichever worker settles it: write the outcome to your database here.
    onSettled: ({ handle, snapshot, error }) => {
      console.log(`${handle.jobId}: ${error ? `${error.name}: ${error.message}` : snapshot!.state}`);
    },
  });
  process.on("SIGTERM", () => void worker.close()); // finishes the polls in flight, then exits
  console.log("worker ready");
} else {
  const tracker = createJobTracker({ connection });
  const workflow = JSON.parse(await readFile(new URL("text-to-image.json", import.meta.url), "utf8"));
  const count = Number(process.argv[3] ?? 5);
  const handles = [];
  for (let i = 0; i < count; i++) {
    const handle = await comfy.submitWorkflow(workflow);
    await tracker.track(handle, { timeoutMs: 60 * 60_000 }); // returns once the job is in Redis
    handles.push(handle);
  }
  // Any process can wait for a result; a job tracked twice is still one job.
  for (const handle of handles) {
    const snapshot = await tracker.result(handle.provider, handle.jobId).catch((error: Error) => error);
    console.log(`${handle.jobId}: ${snapshot instanceof Error ? snapshot.name : snapshot.state}`);
  }
  await tracker.close();
}
