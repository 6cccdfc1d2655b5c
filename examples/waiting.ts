// Waiting on a job: a hard deadline, cancellation, progress callbacks, poll policy overrides, an
// async iterator of changes, and what a failure or a timeout looks like.
//
//   COMFY_API_KEY=... npx tsx examples/waiting.ts
import { readFile } from "node:fs/promises";
import { createComfyClient, JobFailedError, TimeoutError, wait, watch, type JobSnapshot } from "jobstatus/comfy";

const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY!, baseUrl: process.env.COMFY_BASE_URL });
const workflow = JSON.parse(await readFile(new URL("text-to-image.json", import.meta.url), "utf8"));

// 1. wait: resolves with the terminal snapshot, whether the job succeeded, failed or was cancelled.
const first = await comfy.submitWorkflow(workflow);
const done = await wait(comfy, first, {
  timeoutMs: 10 * 60_000, // hard deadline: the wait settles before it, with the last snapshot
  signal: AbortSignal.timeout(11 * 60_000), // aborts, also during sleeps (Ctrl-C, a request ending, ...)
  onUpdate: (s) => console.log(`  ${s.state} (${s.rawStatus})`), // every change of state or raw status
  poll: { patience: 0.1 }, // find the end within about 10 % of the job's age
});
console.log(`wait: ${done.state}`);

// 2. watch: one snapshot per change; leaving the loop stops polling at once.
const second = await comfy.submitWorkflow(workflow);
for await (const snapshot of watch(comfy, second, { timeoutMs: 10 * 60_000 })) {
  console.log(`watch: ${snapshot.state}`);
}

// 3. Failures and deadlines as errors: throwOnFailure rejects a failed or cancelled job.
const third = await comfy.submitWorkflow(workflow);
try {
  const ok = await wait(comfy, third, { timeoutMs: 10 * 60_000, throwOnFailure: true });
  console.log(`throwOnFailure: ${ok.state}`);
} catch (error) {
  // Both errors carry the last snapshot, typed `unknown`: it is a JobSnapshot.
  if (error instanceof JobFailedError) console.log(`ended ${(error.snapshot as JobSnapshot).state}`);
  else if (error instanceof TimeoutError)
    console.log(`still ${(error.lastSnapshot as JobSnapshot | undefined)?.state ?? "unseen"} at the deadline`);
  else throw error;
}
