// Resume after a restart: worker A starts a job and keeps its handle, deadline and wait state in the
// job's database row; worker B (after A crashed, or any worker that picks the row up) finishes the
// wait with the same deadline and schedule, without starting the job again.
//
//   COMFY_API_KEY=... npx tsx examples/resume.ts start render-1    # Ctrl-C (or kill -9) it mid-wait
//   COMFY_API_KEY=... npx tsx examples/resume.ts resume render-1   # picks the wait up from the row
import { readFile } from "node:fs/promises";
import { createComfyClient, wait } from "jobstatus/comfy";
import { saveRender, selectRender } from "./db.js";

const comfy = createComfyClient({ apiKey: process.env.COMFY_API_KEY!, baseUrl: process.env.COMFY_BASE_URL });
const [mode, id = "render-1"] = process.argv.slice(2);

if (mode === "start") {
  const workflow = JSON.parse(await readFile(new URL("text-to-image.json", import.meta.url), "utf8"));
  const handle = await comfy.submitWorkflow(workflow);
  const deadline = new Date(Date.now() + 30 * 60_000).toISOString();
  await saveRender(id, { handle, deadline, wait: null });
  console.log(`worker A: started ${handle.jobId}, saved in row ${id}`);
  const done = await wait(comfy, handle, {
    deadline,
    onProgress: (state) => saveRender(id, { wait: state }).catch(console.error), // after each poll that did not end the wait
  });
  console.log(`worker A: ${done.state}`);
} else if (mode === "resume") {
  const row = await selectRender(id);
  if (!row) throw new Error(`no row ${id}: run "start ${id}" first`);
  console.log(`worker B: resuming ${row.handle.jobId} ${row.wait ? `after ${row.wait.attempts} polls` : "before its first poll"}`);
  // A saved wait carries its deadline; a bare handle gets the row's.
  const done = await wait(comfy, row.wait ?? row.handle, { deadline: row.deadline });
  console.log(`worker B: ${done.state}`);
} else {
  console.error("usage: resume.ts start|resume [row id]");
  process.exitCode = 2;
}
