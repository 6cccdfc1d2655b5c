// The page the browser test loads: jobstatus/comfy as a browser app would use it, cross-origin
// against the fake Comfy Cloud. It shows each state it sees, then the terminal one.
import { createComfyClient, wait } from "../../src/comfy.js";

interface PageConfig {
  baseUrl: string;
  apiKey: string;
}

const config = (globalThis as { JOBSTATUS_PAGE?: PageConfig }).JOBSTATUS_PAGE;
const status = document.getElementById("status")!;
const log = document.getElementById("log")!;

async function main(): Promise<void> {
  if (!config) throw new Error("no JOBSTATUS_PAGE config on the page");
  const comfy = createComfyClient({ apiKey: config.apiKey, baseUrl: config.baseUrl, timeoutMs: 5_000 });
  const handle = await comfy.submitWorkflow({ "1": { class_type: "EmptyLatentImage", inputs: { width: 64, height: 64, batch_size: 1 } } });
  status.textContent = "started";
  const done = await wait(comfy, handle, {
    timeoutMs: 20_000,
    poll: { initialDelayMs: 100, minIntervalMs: 100, maxIntervalMs: 500 },
    onUpdate: (snapshot) => {
      log.textContent += `${snapshot.rawStatus} `;
    },
  });
  status.textContent = done.state;
}

main().catch((error: unknown) => {
  status.textContent = `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
});
