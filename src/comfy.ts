/** `jobstatus/comfy`: the Comfy Cloud client with the shared lifecycle, and no other provider's code. */
export * from "./shared-exports.js";
export {
  COMFY_STATES,
  createComfyClient,
  type ComfyClient,
  type ComfyJobDetail,
  type ComfyJobStatus,
  type ComfyPaths,
  type ComfyPromptRequest,
  type ComfyPromptResponse,
  type ComfyRawStatus,
  type ComfySnapshot,
} from "./providers/comfy.js";
