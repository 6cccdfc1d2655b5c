/**
 * Comfy Cloud's WebSocket, read for job ends and progress. Sources, under /work/shared/upstream/comfy/:
 * cloud-api-reference.excerpt.md, "WebSocket for Real-Time Progress" (`/ws?clientId={uuid}&token={key}`;
 * clientId is ignored and every connection of a user gets all of the user's messages; JSON text frames
 * `{type, data}`, binary preview frames besides), and openapi-cloud.yaml, "WEBSOCKET MESSAGE SCHEMAS".
 */
import type { JobPush, PushEvent, PushSocket } from "../core/state.js";

/** A WebSocket class: `globalThis.WebSocket`, or the `ws` package's on Node 20. */
export type WebSocketClass = new (url: string) => PushSocket;

// execution_success, execution_error and execution_interrupted each end a prompt (openapi-cloud.yaml).
const ENDS = new Set(["execution_success", "execution_error", "execution_interrupted"]);
// Progress and job-end frames are small; a larger text frame (an `executed` with many outputs) is
// not read, so a frame costs bounded time.
const MAX_FRAME_CHARS = 64 * 1024;

/**
 * Comfy's push for one key, or undefined when opted out or this runtime has no WebSocket (the wait
 * then polls as before). `webSocket` is the option: a class, `false`, or undefined for the global one.
 */
export function comfyPush(baseUrl: string, apiKey: string, webSocket: WebSocketClass | false | undefined): JobPush | undefined {
  const Socket = webSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (!Socket) return undefined;
  return {
    connect() {
      const url = `${baseUrl.replace(/^http/, "ws")}/ws?clientId=${globalThis.crypto.randomUUID()}&token=${encodeURIComponent(apiKey)}`;
      return new Socket(url);
    },
    parse(frame) {
      if (frame.length > MAX_FRAME_CHARS) return undefined;
      let message: { type?: unknown; data?: Record<string, unknown> } | null;
      try {
        message = JSON.parse(frame);
      } catch {
        return undefined;
      }
      const data = message?.data;
      const jobId = data?.["prompt_id"];
      if (typeof jobId !== "string" || jobId === "") return undefined;
      const type = message!.type;
      const node = typeof data!["node"] === "string" ? (data!["node"] as string) : undefined;
      if (ENDS.has(type as string)) return { jobId, ended: true };
      const { value, max } = data as { value?: unknown; max?: unknown };
      if (type === "progress" && typeof value === "number" && typeof max === "number" && Number.isFinite(value + max))
        return { jobId, progress: { node, value, max } } satisfies PushEvent;
      // `executing` names the node now running (null once the prompt is done, which the end frame says).
      if (type === "executing" && node !== undefined) return { jobId, progress: { node } };
      return undefined;
    },
  };
}
