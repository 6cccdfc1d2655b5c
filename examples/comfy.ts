// Comfy Cloud: submit a workflow, wait for it, read its outputs; submit another and cancel it.
//
//   COMFY_API_KEY=... npx tsx examples/comfy.ts [workflow_api.json]
//   (the workflow is in ComfyUI's API format; default: examples/text-to-image.json)
import { readFile } from "node:fs/promises";
import { createComfyClient, wait } from "jobstatus/comfy";

const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY!, baseUrl: process.env.COMFY_BASE_URL });
const workflow = JSON.parse(await readFile(process.argv[2] ?? new URL("text-to-image.json", import.meta.url), "utf8"));

const handle = await comfy.submitWorkflow(workflow); // POST /api/prompt
console.log(`submitted ${handle.jobId}`);
const done = await wait(comfy, handle, { timeoutMs: 15 * 60_000 }); // GET /api/job/{id}/status
console.log(`workflow: ${done.state}`);
if (done.state === "succeeded") {
  const detail = await comfy.getJob(handle.jobId); // GET /api/jobs/{id}: outputs and timings
  console.log(`outputs of nodes: ${Object.keys(detail.outputs ?? {}).join(", ") || "none"}`);
}

// A job still in the queue can be cancelled: POST /api/queue { delete: [id] }. A running one cannot
// (it comes back in notCancelled); comfy.interruptAllRunningJobs() stops EVERY running job of the account.
const extra = await comfy.submitWorkflow(workflow);
const { cancelled } = await comfy.cancel(extra.jobId);
console.log(`cancel: ${cancelled.includes(extra.jobId) ? "cancelled while queued" : "not cancelled (already running or over)"}`);
const second = await wait(comfy, extra, { timeoutMs: 60_000 });
console.log(`second workflow: ${second.state}`);
