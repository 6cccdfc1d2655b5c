/**
 * The WebSocket the demo's Comfy Cloud job listens on: Node's own (22+); else the `ws` package where
 * it is installed (a dev dependency, so the repository's `npm start` on Node 20 has it); else none,
 * and the job is polled only.
 */
import type { WebSocketClass } from "../index.js";

export interface DemoSocket {
  /** The client's `webSocket` option: undefined for Node's own, false for none. */
  webSocket: WebSocketClass | false | undefined;
  note: string;
}

export async function demoWebSocket(): Promise<DemoSocket> {
  const how = "its end and progress come over its WebSocket, polls are the fallback";
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function")
    return { webSocket: undefined, note: `Comfy Cloud: ${how}.` };
  try {
    // A name in a variable: the published CLI must not depend on a dev dependency.
    const name = "ws";
    const ws = (await import(name)) as { default?: unknown };
    if (typeof ws.default === "function")
      return {
        webSocket: ws.default as WebSocketClass,
        note: `Comfy Cloud: ${how} (the ws package: Node ${process.versions.node} has no WebSocket).`,
      };
  } catch {
    // Not installed: polled only, as the note says.
  }
  return {
    webSocket: false,
    note: `Comfy Cloud: polled only (Node ${process.versions.node} has no WebSocket and the ws package is not installed; Node 22+ has one).`,
  };
}
