/** `jobstatus/comfy`: the Comfy Cloud client with the shared lifecycle, and no other provider's code. */
export * from "./shared-exports.js";
export {
  COMFY_DEFAULT_WAIT_MS,
  COMFY_STATES,
  createComfyClient,
  type ComfyCancelResult,
  type ComfyClient,
  type ComfyJobDetail,
  type ComfyJobStatus,
  type ComfyPaths,
  type ComfyPromptRequest,
  type ComfyPromptResponse,
} from "./providers/comfy.js";
