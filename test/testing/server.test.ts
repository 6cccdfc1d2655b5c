import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients } from "./helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("CORS", () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders({ cors: true });
  });
  afterAll(() => fake.close());

  test("a preflight is allowed for the providers' auth headers", async () => {
    const res = await fetch(`${fake.urls.comfy}/api/job/x/status`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toBe("Authorization, X-API-Key, Content-Type");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(fake.requests({ route: "preflight" })).toHaveLength(1);
  });

  test("every answer, errors and faults included, allows any origin and exposes Retry-After", async () => {
    const unauthorized = await fetch(`${fake.urls.difyChatflow}/apps/annotation-reply/enable/status/x`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe("*");
    const rule = fake.fault({ api: "comfy", retryAfter: { seconds: 1 } });
    const limited = await clients(fake).comfy("/api/job/x/status");
    rule.remove();
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect(limited.headers.get("access-control-expose-headers")).toContain("Retry-After");
  });

  test("without the option there is no CORS", async () => {
    const plain = await startFakeProviders();
    try {
      const res = await fetch(`${plain.urls.comfy}/api/prompt`, { method: "OPTIONS" });
      expect(res.status).toBe(405);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe("HTTP hygiene", () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());

  test("bodies over 1 MiB get 413", async () => {
    const res = await clients(fake).comfy("/api/prompt", {
      method: "POST",
      body: JSON.stringify({ prompt: { blob: "x".repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect((await body(res)).code).toBe("payload_too_large");
  });

  test("answers always carry JSON content type and length; unknown paths get 404", async () => {
    for (const path of ["/comfy/api/nothing", "/deepaffects/unknown", "/elsewhere"]) {
      const res = await fetch(`${fake.origin}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      const text = await res.text();
      expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  test("requests are recorded with method, path, query, body and answer", async () => {
    await clients(fake).deepaffects(
      "/audio/generic/api/v2/async/diarize",
      { method: "POST", body: JSON.stringify({ url: "https://x" }) },
      { request_id: "rec-1", webhook: "http://127.0.0.1:1/h" },
    );
    const [seen] = fake.requests({ api: "deepaffects", route: "start", jobId: "rec-1" });
    expect(seen).toMatchObject({
      method: "POST",
      path: "/deepaffects/audio/generic/api/v2/async/diarize",
      query: { apikey: fake.keys.deepaffects, request_id: "rec-1", webhook: "http://127.0.0.1:1/h" },
      body: { url: "https://x" },
      status: 202,
    });
    expect(seen?.url.startsWith("/deepaffects/audio/generic/api/v2/async/diarize?")).toBe(true);
    expect(fake.urls).toEqual({
      difyChatflow: `${fake.origin}/dify/chatflow/v1`,
      difyCompletion: `${fake.origin}/dify/completion/v1`,
      comfy: `${fake.origin}/comfy`,
      deepaffects: `${fake.origin}/deepaffects`,
    });
  });
});

test("maxRecordedRequests keeps only the newest requests", async () => {
  const fake = await startFakeProviders({ maxRecordedRequests: 3 });
  try {
    for (let i = 0; i < 40; i++) await fetch(`${fake.urls.comfy}/api/job/j${i}/status`);
    expect(fake.requests().map((r) => r.jobId)).toEqual(["j37", "j38", "j39"]);
  } finally {
    await fake.close();
  }
});

describe("close()", () => {
  test("leaves nothing behind: a process that starts and closes the kit exits by itself", async () => {
    const script = `
      (async () => {
        const { startFakeProviders } = await import("./src/testing.ts");
        const fake = await startFakeProviders({ webhookBackoffMs: 60000 });
        // A pending webhook timer, a job scheduled far ahead, a hanging request and an idle keep-alive socket.
        fake.createJob("deepaffects", { script: [{ status: "Running", forMs: 3600000 }, { status: "Completed" }], webhook: "http://127.0.0.1:9/hook" });
        fake.createJob("deepaffects", { status: "Completed", webhook: "http://127.0.0.1:9/hook" });
        const job = fake.createJob("comfy");
        fake.fault({ api: "comfy", route: "detail", hang: true });
        fake.fault({ api: "comfy", route: "status", delayMs: 3600000 });
        const headers = { "X-API-Key": fake.keys.comfy };
        await fetch(fake.urls.comfy + "/api/view?filename=a.png", { headers }).catch(() => {});
        const hanging = fetch(fake.urls.comfy + "/api/jobs/" + job.id, { headers }).catch(() => "dropped");
        const delayed = fetch(fake.urls.comfy + "/api/job/" + job.id + "/status", { headers }).catch(() => "dropped");
        await new Promise((r) => setTimeout(r, 100));
        await fake.close();
        console.log("closed", await hanging, await delayed);
      })();
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 5000);
      child.on("exit", (c) => {
        clearTimeout(killer);
        resolve(c);
      });
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.trim()).toBe("closed dropped dropped");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("is idempotent and the port stops answering", async () => {
    const fake = await startFakeProviders();
    const url = fake.urls.comfy;
    await Promise.all([fake.close(), fake.close()]);
    await expect(fetch(`${url}/api/prompt`)).rejects.toThrow();
  });
});
