/**
 * What the Comfy client reads from its WebSocket's text frames (openapi-cloud.yaml, "WEBSOCKET
 * MESSAGE SCHEMAS"): job ends and progress, nothing else; and when it has a WebSocket at all.
 */
import WebSocket from "ws";
import { describe, expect, it } from "vitest";
import { createComfyClient, InvalidArgumentError } from "../../src/comfy.js";

const comfy = createComfyClient({ apiKey: "comfy-frames-key-0123", baseUrl: "http://127.0.0.1:9", webSocket: WebSocket });
const parse = (message: unknown) => comfy.push!.parse(typeof message === "string" ? message : JSON.stringify(message));
const ID = "0b7c7f0e-3c5a-4d07-9a43-5d1f6b0c2f11";

describe("Comfy push frames", () => {
  it("reads execution_success, execution_error and execution_interrupted as the job's end", () => {
    for (const type of ["execution_success", "execution_error", "execution_interrupted"]) {
      expect(parse({ type, data: { prompt_id: ID, exception_type: "OOMError", exception_message: "out of memory" } })).toEqual({
        jobId: ID,
        ended: true,
      });
    }
  });

  it("reads progress (value of max, node) and executing (the node now running) as progress", () => {
    expect(parse({ type: "progress", data: { prompt_id: ID, node: "3", value: 4, max: 20 } })).toEqual({
      jobId: ID,
      progress: { node: "3", value: 4, max: 20 },
    });
    expect(parse({ type: "executing", data: { prompt_id: ID, node: "9", display_node: "9" } })).toEqual({
      jobId: ID,
      progress: { node: "9" },
    });
  });

  it("ignores frames that say nothing about one job's state, and frames it cannot read", () => {
    const ignored = [
      { type: "status", data: { status: { exec_info: { queue_remaining: 1 } }, sid: "abc" } },
      { type: "execution_start", data: { prompt_id: ID } },
      { type: "execution_cached", data: { prompt_id: ID, nodes: ["1"] } },
      { type: "executed", data: { prompt_id: ID, node: "9", output: { images: [] } } },
      { type: "progress_state", data: { prompt_id: ID, nodes: {} } },
      // `executing` with node null: the prompt is done, which its end frame says.
      { type: "executing", data: { prompt_id: ID, node: null } },
      { type: "progress", data: { prompt_id: ID, node: "3", value: "4", max: 20 } },
      { type: "execution_success", data: {} },
      { type: "execution_success", data: { prompt_id: 7 } },
      { type: "execution_success" },
      null,
      [],
      "not json {",
      `{"type":"execution_success","data":{"prompt_id":"${ID}","pad":"${"x".repeat(70_000)}"}}`,
    ];
    for (const frame of ignored) expect(parse(frame), JSON.stringify(frame)?.slice(0, 80)).toBeUndefined();
  });

  it("has a push only with a WebSocket: the option's class, or the platform's unless opted out", () => {
    const base = { apiKey: "comfy-frames-key-0123", baseUrl: "http://127.0.0.1:9" };
    expect(createComfyClient({ ...base, webSocket: false }).push).toBeUndefined();
    expect(createComfyClient(base).push !== undefined).toBe(typeof globalThis.WebSocket === "function");
    expect(createComfyClient({ ...base, webSocket: WebSocket }).push).toBeDefined();
  });

  it("refuses a webSocket option that is neither a class nor false, before any connection", () => {
    const base = { apiKey: "comfy-frames-key-0123", baseUrl: "http://127.0.0.1:9" };
    for (const webSocket of [true, "ws", {}, null]) {
      expect(() => createComfyClient({ ...base, webSocket: webSocket as never })).toThrow(InvalidArgumentError);
      expect(() => createComfyClient({ ...base, webSocket: webSocket as never })).toThrow(/webSocket must be a WebSocket class/);
    }
  });
});
