/**
 * The Comfy WebSocket's URL carries the API key (`token=`): no log line, snapshot, error or close
 * reason may show it, whatever the socket does (refused, dropped, closed with a reason, or an
 * implementation that throws with the URL in its message). Also: a confirming answer that is not
 * terminal yet leads to usual polling, one request at a time.
 */
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { createComfyClient, wait, type ComfyClientOptions, type Logger } from "../../src/comfy.js";
import { fake, faults, fast, handleOf, statusRequests, useComfyFake, webSocket } from "./fixtures/comfy-fake.js";
import { until } from "../testing/helpers.js";

useComfyFake();

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string, ...rest: unknown[]) => lines.push([message, ...rest.map((r) => inspect(r))].join(" "));
  return { lines, logger: { error: keep, warn: keep, info: keep, debug: keep } };
}

/** Every spelling of the key a leak could take. */
function expectNoKey(text: string, key: string): void {
  for (const form of [key, encodeURIComponent(key), key.slice(4, -4)]) expect(text).not.toContain(form);
}

describe("the key in the socket URL", () => {
  test("is in no log line, snapshot or result, through a refused upgrade, a drop and a close with a reason", async () => {
    const key = fake.keys.comfy;
    const { logger, lines } = recorder();
    const comfy = createComfyClient({ apiKey: key, baseUrl: fake.urls.comfy, webSocket, logger, logLevel: "debug" });
    const job = fake.createJob("comfy", { status: "executing" });
    faults.push(fake.fault({ api: "comfy", route: "ws", status: 401, times: 1 }));
    const snapshots: unknown[] = [];
    const done = wait(comfy, handleOf(job.id), {
      poll: fast,
      pushFallbackMs: 60_000,
      timeoutMs: 20_000,
      logger,
      logLevel: "debug",
      onUpdate: (s) => void snapshots.push(s),
    });
    await until(() => fake.comfySockets.count === 1, 5_000);
    fake.comfySockets.close(1011, `restarting for token=${key}`);
    await until(() => fake.comfySockets.count === 0);
    await until(() => fake.comfySockets.count === 1, 5_000);
    fake.comfySockets.drop();
    await until(() => fake.comfySockets.count === 0);
    await until(() => fake.comfySockets.count === 1, 5_000);
    job.setStatus("success");
    const result = await done;
    snapshots.push(result);

    expect(lines.some((line) => /push connection lost \(code 1011\)/.test(line))).toBe(true);
    expect(lines.some((line) => /push connection lost \(code 1006\)/.test(line))).toBe(true);
    expectNoKey(lines.join("\n"), key);
    expectNoKey(JSON.stringify(snapshots), key);
    expectNoKey(inspect(snapshots, { depth: 10 }), key);
    expectNoKey(inspect(comfy, { depth: 10 }), key);
  });

  test("is not shown when the WebSocket implementation throws with the URL in its message", async () => {
    const key = fake.keys.comfy;
    const { logger, lines } = recorder();
    const urls: string[] = [];
    // An implementation that refuses the URL, quoting it, as some do for a malformed one.
    class Refusing {
      constructor(url: string) {
        urls.push(url);
        throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`);
      }
    }
    const comfy = createComfyClient({
      apiKey: key,
      baseUrl: fake.urls.comfy,
      webSocket: Refusing as unknown as ComfyClientOptions["webSocket"],
    });
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 300 }, { status: "success" }] });
    const done = await wait(comfy, handleOf(job.id), { poll: fast, timeoutMs: 10_000, logger, logLevel: "debug" });
    expect(done.state).toBe("succeeded");
    // The URL is derived from baseUrl: http becomes ws, then /ws with a clientId and the key.
    expect(urls[0]).toMatch(new RegExp(`^${fake.urls.comfy.replace(/^http/, "ws")}/ws\\?clientId=[0-9a-f-]{36}&token=`));
    expect(lines.some((line) => line.includes("push connection lost (SyntaxError)"))).toBe(true);
    expectNoKey(lines.join("\n"), key);
    expectNoKey(JSON.stringify(done), key);
  });
});

describe("a confirming answer that is not terminal yet", () => {
  const client = () => createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, webSocket });

  test("is followed by the usual schedule, not by a burst of requests", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    // The status endpoint lags behind the socket once.
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, rawStatus: "executing", times: 1 }));
    const poll = { initialDelayMs: 60_000, minIntervalMs: 300, maxIntervalMs: 300, jitter: 0 };
    const waiting = wait(client(), handleOf(job.id), { poll, timeoutMs: 10_000 });
    await until(() => fake.comfySockets.count === 1, 5_000);
    const started = performance.now();
    job.setStatus("success");
    expect((await waiting).state).toBe("succeeded");
    expect(statusRequests(job.id)).toBe(2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test("an end pushed while a poll is in flight gets one more request after that poll's answer", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    // The first poll answers "executing" 1.5 s after it left: after the end was pushed.
    faults.push(fake.fault({ api: "comfy", route: "status", jobId: job.id, rawStatus: "executing", delayMs: 1_500, times: 1 }));
    const poll = { initialDelayMs: 50, minIntervalMs: 60_000, maxIntervalMs: 60_000, jitter: 0 };
    const waiting = wait(client(), handleOf(job.id), { poll, pushFallbackMs: 60_000, timeoutMs: 10_000 });
    await until(() => fake.comfySockets.count === 1 && statusRequests(job.id) === 1, 5_000);
    job.setStatus("success");
    expect((await waiting).state).toBe("succeeded");
    expect(statusRequests(job.id)).toBe(2);
  });
});
