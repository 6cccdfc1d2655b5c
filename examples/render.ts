// "Your code" for the testing examples: an app function that takes a Comfy client, so a test can
// hand it one pointed at the fake providers.
import { wait, type ComfyClient, type ComfyJobHandle, type JobSnapshot } from "jobstatus/comfy";

export interface Thumbnail {
  state: JobSnapshot["state"];
  jobId: string;
  /** Node ids that produced outputs, when the render succeeded. */
  outputNodes: string[];
}

/** Renders a 256×256 thumbnail of `prompt` and waits for it (up to `timeoutMs`, default 20 minutes). */
export async function renderThumbnail(
  comfy: ComfyClient,
  { prompt, timeoutMs = 20 * 60_000 }: { prompt: string; timeoutMs?: number },
): Promise<Thumbnail> {
  const handle: ComfyJobHandle = await comfy.submitWorkflow({
    "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "v1-5-pruned-emaonly-fp16.safetensors" } },
    "5": { class_type: "EmptyLatentImage", inputs: { width: 256, height: 256, batch_size: 1 } },
    "6": { class_type: "CLIPTextEncode", inputs: { text: prompt, clip: ["4", 1] } },
    "7": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["4", 1] } },
    "3": {
      class_type: "KSampler",
      inputs: {
        seed: 1,
        steps: 12,
        cfg: 7,
        sampler_name: "euler",
        scheduler: "normal",
        denoise: 1,
        model: ["4", 0],
        positive: ["6", 0],
        negative: ["7", 0],
        latent_image: ["5", 0],
      },
    },
    "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
    "9": { class_type: "SaveImage", inputs: { filename_prefix: "thumbnail", images: ["8", 0] } },
  });
  const done = await wait(comfy, handle, { timeoutMs });
  const outputNodes = done.state === "succeeded" ? Object.keys((await comfy.getJob(handle.jobId)).outputs ?? {}) : [];
  return { state: done.state, jobId: handle.jobId, outputNodes };
}
