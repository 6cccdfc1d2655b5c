import { spawn } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { clients, type Json, until } from "./helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Heard {
  type: string;
  data: Json;
  /** performance.now() on arrival. */
  at: number;
}

/** A client from the `ws` package that keeps every message it hears. */
interface Listener {
  ws: WebSocket;
  messages: Heard[];
  binaries: Buffer[];
  /** Text frames that are not JSON, as received. */
  raw: string[];
  closed: Promise<{ code: number; reason: string }>;
  types(): string[];
  of(jobId: string): Heard[];
}

function wsUrl(fake: FakeProviders, token: string | undefined, clientId = "client-1"): string {
  const query = new URLSearchParams({ clientId });
  if (token !== undefined) query.set("token", token);
  return `${fake.urls.comfy.replace(/^http/, "ws")}/ws?${query}`;
}

const open: WebSocket[] = [];

async function listen(fake: FakeProviders, token = fake.keys.comfy, clientId = "client-1"): Promise<Listener> {
  const ws = new WebSocket(wsUrl(fake, token, clientId));
  open.push(ws);
  const listener: Listener = {
    ws,
    messages: [],
    binaries: [],
    raw: [],
    closed: new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }))),
    types: () => listener.messages.map((m) => m.type),
    of: (jobId) => listener.messages.filter((m) => m.data?.prompt_id === jobId),
  };
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) {
      listener.binaries.push(data);
      return;
    }
    const text = data.toString("utf8");
    try {
      const parsed = JSON.parse(text) as { type: string; data: Json };
      listener.messages.push({ type: parsed.type, data: parsed.data, at: performance.now() });
    } catch {
      listener.raw.push(text);
    }
  });
  ws.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once("error", reject);
  });
  await until(() => listener.messages.length > 0);
  return listener;
}

/** The HTTP answer to an upgrade the fake refuses. */
async function refusal(fake: FakeProviders, token: string | undefined): Promise<{ status: number; body: string; headers: Json }> {
  const ws = new WebSocket(wsUrl(fake, token));
  ws.on("error", () => {});
  return new Promise((resolve, reject) => {
    ws.once("open", () => reject(new Error("the upgrade was accepted")));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
  });
}

const ended = (l: Listener, jobId: string) => () => l.of(jobId).some((m) => m.type === "executing" && m.data.node === null);

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterEach(async () => {
  for (const ws of open.splice(0)) ws.terminate();
  await until(() => fake.comfySockets.count === 0);
  fake.comfySockets.delayMs = 0;
});
afterAll(() => fake.close());

describe("connecting", () => {
  test("a good token gets the status message, with the clientId as sid and the user's queue", async () => {
    fake.createJob("comfy", { script: [{ status: "queued_waiting", forMs: 60_000 }, { status: "success" }] });
    fake.createJob("comfy", { status: "success" });
    fake.createJob("comfy", { owner: "comfyOther", script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    const l = await listen(fake, fake.keys.comfy, "my-client-id");
    // The first test of this fake: the user's queue is the one queued job.
    expect(l.messages[0]).toEqual({
      type: "status",
      data: { status: { exec_info: { queue_remaining: 1 } }, sid: "my-client-id" },
      at: expect.any(Number),
    });
    expect(fake.comfySockets.count).toBe(1);
    const other = await listen(fake, fake.keys.comfyOther);
    expect(other.messages[0]!.data.status.exec_info.queue_remaining).toBe(1);
  });

  test("the upgrade is recorded with route ws and status 101, its token redacted everywhere", async () => {
    await listen(fake);
    const [record] = fake.requests({ route: "ws" }).slice(-1);
    expect(record).toMatchObject({
      api: "comfy",
      route: "ws",
      status: 101,
      path: "/comfy/ws",
      query: { clientId: "client-1", token: "redacted" },
    });
    expect(record!.url).toBe("/comfy/ws?clientId=client-1&token=redacted");
    expect(JSON.stringify(fake.requests())).not.toContain(fake.keys.comfy);
  });

  test("a wrong or missing token is refused with 401 {code, message}; an inactive subscription with 429", async () => {
    for (const token of ["not-a-key", undefined]) {
      const answer = await refusal(fake, token);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ code: "unauthorized", message: "Invalid or missing API key." });
    }
    const inactive = await refusal(fake, fake.keys.comfyInactive);
    expect(inactive.status).toBe(429);
    expect(JSON.parse(inactive.body).code).toBe("subscription_inactive");
    expect(
      fake
        .requests({ route: "ws" })
        .slice(-3)
        .map((r) => r.status),
    ).toEqual([401, 401, 429]);
    expect(JSON.stringify(fake.requests())).not.toContain(fake.keys.comfyInactive);
    expect(fake.comfySockets.count).toBe(0);
  });

  test("another path, or a plain GET of /ws, is no WebSocket", async () => {
    const elsewhere = new WebSocket(`${fake.origin.replace(/^http/, "ws")}/dify/ws?token=x`);
    elsewhere.on("error", () => {});
    const status = await new Promise((resolve) => elsewhere.once("unexpected-response", (_q, res) => resolve(res.statusCode)));
    expect(status).toBe(404);
    const plain = await fetch(`${fake.urls.comfy}/ws?clientId=p&token=${fake.keys.comfyOther}&%74oken=${fake.keys.comfyOther}`);
    expect(plain.status).toBe(404);
    expect(fake.requests().at(-1)!.url).toBe("/comfy/ws?clientId=p&token=redacted&%74oken=redacted");
    expect(JSON.stringify(fake.requests())).not.toContain(fake.keys.comfyOther);
  });
});

describe("a job's messages", () => {
  test("a scripted job: execution_start, executing, progress with a PNG preview frame, executed, execution_success", async () => {
    const l = await listen(fake);
    const created = performance.now();
    const job = fake.createJob("comfy", {
      script: [{ status: "queued_waiting", forMs: 100 }, { status: "executing", forMs: 400 }, { status: "success" }],
      result: { "9": { images: [{ filename: "out.png", subfolder: "", type: "output" }] } },
    });
    await until(ended(l, job.id));
    const mine = l.of(job.id);
    expect(mine.map((m) => m.type)).toEqual([
      "execution_start",
      "executing",
      "progress",
      "progress",
      "progress",
      "progress",
      "executing",
      "executed",
      "execution_success",
      "executing",
    ]);
    expect(mine[1]!.data).toEqual({ prompt_id: job.id, node: "3", display_node: "3" });
    expect(mine.filter((m) => m.type === "progress").map((m) => m.data)).toEqual(
      [1, 2, 3, 4].map((value) => ({ prompt_id: job.id, node: "3", value, max: 4 })),
    );
    expect(mine[7]!.data).toEqual({
      prompt_id: job.id,
      node: "9",
      display_node: "9",
      output: { images: [{ filename: "out.png", subfolder: "", type: "output" }] },
    });
    expect(mine[9]!.data).toEqual({ prompt_id: job.id, node: null, display_node: null });
    // Pushed when the state changes, not all at once: the start after the queue step, the end after the run.
    expect(mine[0]!.at - created).toBeGreaterThanOrEqual(90);
    expect(mine[8]!.at - mine[0]!.at).toBeGreaterThanOrEqual(350);
    expect(mine[5]!.at).toBeLessThan(mine[8]!.at);
    // The queue count goes up on creation and down at the end.
    const statuses = l.messages.filter((m) => m.type === "status").map((m) => m.data.status.exec_info.queue_remaining);
    expect(statuses.slice(-2)).toEqual([statuses.at(-1)! + 1, statuses.at(-1)!]);
    expect(l.binaries).toHaveLength(1);
    const preview = l.binaries[0]!;
    expect(preview.readUInt32BE(0)).toBe(1);
    expect(preview.readUInt32BE(4)).toBe(2);
    expect([...preview.subarray(8, 12)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(job.status).toBe("success");
  });

  test("a job started through POST /api/prompt pushes as well", async () => {
    const l = await listen(fake);
    const res = await clients(fake).comfy("/api/prompt", {
      method: "POST",
      body: JSON.stringify({ prompt: { "1": { class_type: "X" } } }),
    });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    await until(ended(l, prompt_id));
    expect(l.of(prompt_id).map((m) => m.type)).toContain("execution_success");
  });

  test("a failure forced mid-run sends execution_error with the job's message, and the progress stops", async () => {
    const l = await listen(fake);
    const job = fake.createJob("comfy", {
      script: [{ status: "executing", forMs: 60_000 }, { status: "success" }],
      errorMessage: "CUDA out of memory",
    });
    await until(() => l.of(job.id).some((m) => m.type === "executing"));
    fake.job("comfy", job.id)!.setStatus("non_retryable_error");
    await until(ended(l, job.id));
    const error = l.of(job.id).find((m) => m.type === "execution_error");
    expect(error!.data).toEqual({
      prompt_id: job.id,
      node_id: "3",
      node_type: "KSampler",
      exception_type: "ServiceError",
      exception_message: "CUDA out of memory",
      traceback: [],
      executed: [],
      current_inputs: {},
      current_outputs: {},
    });
    const count = l.of(job.id).length;
    await new Promise((r) => setTimeout(r, 200));
    expect(l.of(job.id)).toHaveLength(count);
    expect(l.of(job.id).map((m) => m.type)).not.toContain("execution_success");
  });

  test("a scripted failure state sends execution_error too", async () => {
    const l = await listen(fake);
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 50 }, { status: "lost" }] });
    await until(ended(l, job.id));
    expect(l.of(job.id).find((m) => m.type === "execution_error")!.data.exception_message).toBe("Workflow execution failed.");
  });

  test("POST /api/interrupt and POST /api/queue {delete} send execution_interrupted", async () => {
    const l = await listen(fake);
    const running = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    const pending = fake.createJob("comfy", { script: [{ status: "queued_waiting", forMs: 60_000 }, { status: "success" }] });
    await until(() => l.of(running.id).some((m) => m.type === "executing"));
    expect((await clients(fake).comfy("/api/interrupt", { method: "POST" })).status).toBe(200);
    await until(() => l.of(running.id).some((m) => m.type === "execution_interrupted"));
    expect(l.of(running.id).at(-1)!.data).toEqual({ prompt_id: running.id, node: null, display_node: null });
    await clients(fake).comfy("/api/queue", { method: "POST", body: JSON.stringify({ delete: [pending.id] }) });
    await until(() => l.of(pending.id).length > 0);
    // It never ran: only the interruption.
    expect(l.of(pending.id).map((m) => m.data)).toEqual([{ prompt_id: pending.id }]);
  });

  test("a user hears its own jobs only, on every connection it has", async () => {
    const main1 = await listen(fake, fake.keys.comfy, "a");
    const main2 = await listen(fake, fake.keys.comfy, "b");
    const other = await listen(fake, fake.keys.comfyOther);
    const theirs = fake.createJob("comfy", { owner: "comfyOther", script: [{ status: "executing", forMs: 50 }, { status: "success" }] });
    const ours = fake.createJob("comfy", { script: [{ status: "executing", forMs: 50 }, { status: "success" }] });
    await until(() => ended(other, theirs.id)() && ended(main1, ours.id)() && ended(main2, ours.id)());
    expect(main1.of(theirs.id)).toEqual([]);
    expect(main2.of(theirs.id)).toEqual([]);
    expect(other.of(ours.id)).toEqual([]);
    expect(main1.of(ours.id).map((m) => m.data)).toEqual(main2.of(ours.id).map((m) => m.data));
  });

  test("a job that ends while no socket is open is not replayed to a later one", async () => {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 20 }, { status: "success" }] });
    await until(() => job.status === "success");
    await new Promise((r) => setTimeout(r, 30));
    const l = await listen(fake);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.of(job.id)).toEqual([]);
  });

  test("a job's end is pushed when its timer fires a millisecond early and the clock ticks over during the check", async () => {
    // Node's timers may fire ~1 ms before Date.now() shows their time; here each read of the clock
    // after the arming is the next millisecond, so the hub reads "still running" then "ended".
    const createdAt = Date.now();
    let t = createdAt;
    let ticking = false;
    const own = await startFakeProviders({ now: () => (ticking ? t++ : t) });
    try {
      const job = own.createJob("comfy", { script: [{ status: "executing", forMs: 50 }, { status: "success" }] });
      const l = await listen(own);
      t = createdAt + 49;
      ticking = true;
      await until(() => l.of(job.id).some((m) => m.type === "execution_success"), 1000);
    } finally {
      for (const ws of open.splice(0)) ws.terminate();
      await own.close();
    }
  });
});

describe("faults and control", () => {
  test('a route "ws" fault refuses the upgrade with its status, `times` times; a rule for every route leaves the socket alone', async () => {
    const everyRoute = fake.fault({ api: "comfy", status: 500 });
    const rule = fake.fault({ api: "comfy", route: "ws", status: 503, retryAfter: { seconds: 2 }, times: 1 });
    const answer = await refusal(fake, fake.keys.comfy);
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("2");
    expect(JSON.parse(answer.body)).toMatchObject({ code: "service_unavailable" });
    expect(rule.hits).toBe(1);
    await listen(fake);
    expect(everyRoute.hits).toBe(0);
    everyRoute.remove();
  });

  test("reset destroys the handshake; faults a handshake cannot have are refused", async () => {
    fake.fault({ api: "comfy", route: "ws", reset: true, times: 1 });
    const ws = new WebSocket(wsUrl(fake, fake.keys.comfy));
    const error = await new Promise<Error>((resolve) => ws.once("error", resolve));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(() => fake.fault({ route: "ws", malformed: "json" })).toThrow(TypeError);
    expect(() => fake.fault({ api: "dify-chatflow", route: "ws", status: 500 })).toThrow(TypeError);
  });

  test("drop() ends every connection without a close frame", async () => {
    const a = await listen(fake);
    const b = await listen(fake, fake.keys.comfyOther);
    fake.comfySockets.drop();
    expect((await a.closed).code).toBe(1006);
    expect((await b.closed).code).toBe(1006);
    await until(() => fake.comfySockets.count === 0);
  });

  test("close(code, reason) sends clean close frames", async () => {
    const l = await listen(fake);
    fake.comfySockets.close(4000, "maintenance");
    expect(await l.closed).toEqual({ code: 4000, reason: "maintenance" });
    await until(() => fake.comfySockets.count === 0);
    expect(() => fake.comfySockets.close(1005)).toThrow(TypeError);
  });

  test("send() delivers raw text and binary frames, malformed ones included", async () => {
    const l = await listen(fake);
    fake.comfySockets.send("{not json");
    fake.comfySockets.send(new Uint8Array([0, 0, 0, 9, 1]));
    fake.comfySockets.send(JSON.stringify({ type: "execution_success" }));
    await until(() => l.raw.length === 1 && l.binaries.length === 1 && l.messages.length === 2);
    expect(l.raw).toEqual(["{not json"]);
    expect([...l.binaries[0]!]).toEqual([0, 0, 0, 9, 1]);
    expect(l.messages[1]).toMatchObject({ type: "execution_success", data: undefined });
  });

  test("delayMs delays every event", async () => {
    const l = await listen(fake);
    fake.comfySockets.delayMs = 300;
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    await new Promise((r) => setTimeout(r, 50));
    const forcedAt = performance.now();
    job.setStatus("success");
    await until(() => l.of(job.id).some((m) => m.type === "execution_success"));
    expect(l.of(job.id).find((m) => m.type === "execution_success")!.at - forcedAt).toBeGreaterThanOrEqual(280);
    expect(() => {
      fake.comfySockets.delayMs = -1;
    }).toThrow(TypeError);
  });

  test("silence(ms) drops the events of that time, not the connection", async () => {
    const l = await listen(fake);
    fake.comfySockets.silence(200);
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    job.setStatus("success");
    await new Promise((r) => setTimeout(r, 250));
    expect(l.of(job.id)).toEqual([]);
    const later = fake.createJob("comfy", { status: "success" });
    await until(ended(l, later.id));
    expect(fake.comfySockets.count).toBe(1);
  });

  test("ping gets pong, and a client's data frames are ignored", async () => {
    const l = await listen(fake);
    const pong = new Promise<Buffer>((resolve) => l.ws.once("pong", resolve));
    l.ws.send("hello");
    l.ws.send(Buffer.from([1, 2, 3]));
    l.ws.ping("are you there");
    expect((await pong).toString()).toBe("are you there");
    expect(fake.comfySockets.count).toBe(1);
  });

  test("a client frame over 64 KiB closes with 1009; an unmasked one with 1002; the server goes on", async () => {
    const big = await listen(fake);
    big.ws.send(Buffer.alloc(64 * 1024 + 1));
    expect((await big.closed).code).toBe(1009);

    // A hand-made handshake, then an unmasked text frame, which a client must never send.
    const raw = tcpConnect(Number(new URL(fake.origin).port), "127.0.0.1");
    let heard = Buffer.alloc(0);
    raw.on("data", (c: Buffer) => (heard = Buffer.concat([heard, c])));
    const gone = new Promise((resolve) => raw.on("close", resolve));
    raw.write(
      `GET /comfy/ws?token=${fake.keys.comfy} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await until(() => heard.includes("\r\n\r\n"));
    expect(heard.toString("latin1")).toContain("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    raw.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    await gone;
    const close = heard.subarray(heard.lastIndexOf(0x88));
    expect(close.readUInt16BE(2)).toBe(1002);

    // Garbage instead of a handshake answers 400; the server still serves.
    const junk = tcpConnect(Number(new URL(fake.origin).port), "127.0.0.1");
    junk.on("error", () => {});
    junk.write(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
    let answer = "";
    junk.on("data", (c: Buffer) => (answer += c.toString("latin1")));
    await new Promise((resolve) => junk.once("end", resolve));
    expect(answer).toMatch(/^HTTP\/1.1 400 /);
    junk.destroy();
    await listen(fake);
  });

  test("random bytes after the handshake never take the server down", async () => {
    // A fixed-seed generator, so a failure can be replayed.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    const port = Number(new URL(fake.origin).port);
    for (let round = 0; round < 30; round++) {
      const raw = tcpConnect(port, "127.0.0.1");
      raw.on("error", () => {});
      const gone = new Promise((resolve) => raw.once("close", resolve));
      let heard = "";
      raw.on("data", (c: Buffer) => (heard += c.toString("latin1")));
      raw.write(
        `GET /comfy/ws?token=${fake.keys.comfy} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
      await until(() => heard.includes("\r\n\r\n"));
      const garbage = Buffer.from(Array.from({ length: 1 + random() * 8 }, () => random()));
      // Half the rounds look like a masked frame header with a wild length.
      if (round % 2 === 0) garbage[1] = garbage[1]! | 0x80;
      raw.write(garbage);
      raw.end();
      await gone;
    }
    await until(() => fake.comfySockets.count === 0);
    const l = await listen(fake);
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 20 }, { status: "success" }] });
    await until(ended(l, job.id));
  });

  test("at most 64 connections at once; the next is refused with 503", async () => {
    const many = await Promise.all(Array.from({ length: 64 }, (_, i) => listen(fake, fake.keys.comfy, `c${i}`)));
    expect(fake.comfySockets.count).toBe(64);
    expect((await refusal(fake, fake.keys.comfy)).status).toBe(503);
    many[0]!.ws.close();
    await until(() => fake.comfySockets.count === 63);
    await listen(fake);
  });
});

test("with vitest fake timers, a 15-minute job pushes its events as the clock is advanced", async () => {
  const l = await listen(fake);
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 15 * 60_000 }, { status: "success" }] });
    const settle = async (check: () => boolean) => {
      for (let i = 0; i < 10_000 && !check(); i++) await new Promise((r) => setImmediate(r));
      expect(check()).toBe(true);
    };
    await settle(() => l.of(job.id).some((m) => m.type === "execution_start"));
    await vi.advanceTimersByTimeAsync(14 * 60_000);
    await settle(() => l.of(job.id).filter((m) => m.type === "progress").length === 4);
    expect(l.of(job.id).map((m) => m.type)).not.toContain("execution_success");
    await vi.advanceTimersByTimeAsync(60_000);
    await settle(ended(l, job.id));
    expect(job.status).toBe("success");
  } finally {
    vi.useRealTimers();
  }
});

test("close() sends 1001 to every socket and leaves no timer, socket or server behind", async () => {
  const script = `
    (async () => {
      const { default: WebSocket } = await import("ws");
      const { startFakeProviders } = await import("./src/testing.ts");
      const resources = () => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").sort().join(",");
      const before = resources();
      const fake = await startFakeProviders();
      const url = fake.urls.comfy.replace(/^http/, "ws") + "/ws?clientId=x&token=" + fake.keys.comfy;
      // A running job (progress timers), one far ahead, a delayed event, a silence and a hanging handshake.
      fake.createJob("comfy", { script: [{ status: "executing", forMs: 3600000 }, { status: "success" }] });
      fake.createJob("comfy", { script: [{ status: "queued_waiting", forMs: 3600000 }, { status: "success" }] });
      const ws = new WebSocket(url);
      const closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
      await new Promise((resolve) => ws.on("open", resolve));
      fake.comfySockets.delayMs = 3600000;
      fake.createJob("comfy", { status: "success" });
      fake.fault({ api: "comfy", route: "ws", hang: true });
      const hanging = new WebSocket(url);
      const hangingClosed = new Promise((resolve) => hanging.on("close", resolve));
      hanging.on("error", () => {});
      await new Promise((r) => setTimeout(r, 100));
      await fake.close();
      const code = await closed;
      await hangingClosed;
      await new Promise((r) => setImmediate(r));
      // Left behind = what is open now and was not before (module loading may still hold files then).
      const left = resources().split(",").filter(Boolean);
      for (const r of before.split(",")) if (left.includes(r)) left.splice(left.indexOf(r), 1);
      console.log("closed", code, left.length === 0 ? "clean" : "left " + left.join(","));
    })();
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 8000);
    child.on("exit", (c) => {
      clearTimeout(killer);
      resolve(c);
    });
  });
  expect(err).toBe("");
  expect(out.trim()).toBe("closed 1001 clean");
  expect(code).toBe(0);
});
