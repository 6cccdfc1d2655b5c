/**
 * Deliveries for jobs a watcher does not have (yet) are held within limits of count, bytes and
 * time: a token holder sending the largest bodies for made-up jobs cannot grow the heap past them,
 * and a delivery within the limits still ends its job when the job is added later.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  createDeepAffectsClient,
  createRateLimiter,
  createWatcher,
  createWebhookHandler,
  InvalidArgumentError,
  type Watcher,
  type WatcherOptions,
} from "../../src/deepaffects.js";

const TOKEN = "whk_memory_test_token_0123";
const MiB = 1024 * 1024;
const da = createDeepAffectsClient({ apiKey: "da-key-unused-0123456789", baseUrl: "http://127.0.0.1:9" });

function setUp(options: WatcherOptions = {}) {
  const watcher = createWatcher({ limiter: createRateLimiter(), ...options });
  const handler = createWebhookHandler({ watcher, token: TOKEN, maxBodyBytes: 4 * MiB });
  const deliver = async (id: string, response: unknown = { transcript: id }) => {
    const res = await handler(
      new Request(`https://hooks.example.com/da?token=${TOKEN}`, { method: "POST", body: JSON.stringify({ request_id: id, response }) }),
    );
    return (await res.json()) as { matched?: boolean };
  };
  return { watcher, deliver };
}
/** Adds the job and tells how it stands shortly after: ended by a held delivery, or still waiting (nothing polls for an hour). */
async function addLater(watcher: Watcher, id: string): Promise<string> {
  const job = watcher.add(
    da,
    { provider: "deepaffects", api: "asr", jobId: id, startedAt: new Date().toISOString(), webhook: true },
    { webhookFallbackMs: 3_600_000 },
  );
  return Promise.race([
    job.result.then((s) => `${s.state}: ${JSON.stringify((s.raw as { response: { response: unknown } }).response.response)}`),
    new Promise<string>((r) => setTimeout(() => r("still waiting"), 100)),
  ]);
}

test("30 deliveries of the largest body, each parsing into 350 000 objects, for made-up jobs: the heap grows by the byte limit, not 21 MB each", {
  timeout: 90_000,
}, async () => {
  // On a 384 MB heap: holding the parsed bodies (about 21 MB each) runs out of memory before the end.
  const child = spawn(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=384", "--import", "tsx", join(import.meta.dirname, "../fixtures/early-deliveries.ts"), "30"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code, err.slice(-2_000)).toBe(0);
  const summary = JSON.parse(out.trim().split("\n").at(-1)!) as { bodyBytes: number; grownBytes: number; newest: string; oldest: string };
  expect(summary.bodyBytes).toBeGreaterThan(MiB - 16);
  // 16 MiB held by default, and some slack for what the runtime keeps.
  expect(summary.grownBytes).toBeLessThan(32 * MiB);
  expect(summary.newest).toBe("succeeded with 349511 values");
  expect(summary.oldest).toBe("still waiting");
  console.log(`early deliveries: 30 of ${summary.bodyBytes} bytes grew the heap by ${(summary.grownBytes / MiB).toFixed(1)} MiB`);
});

describe("the limits", () => {
  test("by count: past `max`, the oldest is dropped; the rest still end their jobs", async () => {
    const { watcher, deliver } = setUp({ earlyDeliveries: { max: 3 } });
    for (const id of ["a", "b", "c", "d", "e"]) expect(await deliver(id)).toEqual({ ok: true, matched: false });
    expect(await addLater(watcher, "a")).toBe("still waiting");
    expect(await addLater(watcher, "b")).toBe("still waiting");
    for (const id of ["c", "d", "e"]) expect(await addLater(watcher, id)).toBe(`succeeded: {"transcript":"${id}"}`);
    watcher.close();
  });

  test("by bytes: the oldest are dropped to make room, and one larger than the limit is not held", async () => {
    const { watcher, deliver } = setUp({ earlyDeliveries: { maxBytes: 100_000 } });
    const text = (n: number) => ({ transcript: "x".repeat(n) });
    await deliver("first", text(40_000));
    await deliver("second", text(40_000));
    await deliver("third", text(40_000));
    await deliver("huge", text(200_000));
    expect(await addLater(watcher, "first")).toBe("still waiting");
    expect(await addLater(watcher, "huge")).toBe("still waiting");
    expect(await addLater(watcher, "second")).toMatch(/^succeeded/);
    expect(await addLater(watcher, "third")).toMatch(/^succeeded/);
    watcher.close();
  });

  test("text past Latin-1 counts two bytes a character", async () => {
    const { watcher, deliver } = setUp({ earlyDeliveries: { maxBytes: 100_000 } });
    await deliver("wide", { transcript: "語".repeat(60_000) });
    expect(await addLater(watcher, "wide")).toBe("still waiting");
    watcher.close();
  });

  test("by time: a job added after `holdMs` is not ended by the held delivery", async () => {
    const { watcher, deliver } = setUp({ earlyDeliveries: { holdMs: 50 } });
    await deliver("late");
    await deliver("soon");
    expect(await addLater(watcher, "soon")).toBe('succeeded: {"transcript":"soon"}');
    await new Promise((r) => setTimeout(r, 80));
    expect(await addLater(watcher, "late")).toBe("still waiting");
    watcher.close();
  });

  test("the held copy is the delivery as sent: changing the object handed to deliver afterwards changes nothing", async () => {
    const watcher = createWatcher({ limiter: createRateLimiter() });
    const payload = { request_id: "copy", response: { transcript: "as sent" } };
    expect(watcher.deliver("deepaffects", "copy", payload)).toBe(false);
    payload.response.transcript = "changed";
    expect(await addLater(watcher, "copy")).toBe('succeeded: {"transcript":"as sent"}');
    watcher.close();
  });

  test.each([
    ["max", -1],
    ["maxBytes", 1.5],
    ["holdMs", Number.NaN],
    ["holdMs", Infinity],
  ])("earlyDeliveries.%s = %s: an InvalidArgumentError", (name, value) => {
    expect(() => createWatcher({ earlyDeliveries: { [name]: value } })).toThrow(InvalidArgumentError);
    expect(() => createWatcher({ earlyDeliveries: { [name]: value } })).toThrow(new RegExp(`earlyDeliveries\\.${name}`));
  });
});
