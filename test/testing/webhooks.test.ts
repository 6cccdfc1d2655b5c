import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test, vi } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { body, clients, DA_ASR, DA_STATUS, until } from "./helpers.js";

let fake: FakeProviders | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
  receiver?.closeAllConnections();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

/** A loopback webhook receiver answering the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]) {
  const received: Array<{ contentType?: string; body: unknown }> = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ contentType: req.headers["content-type"], body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, received };
}

test("a finished job's result is POSTed, retried with backoff until the receiver answers 200", async () => {
  const hook = await startReceiver([500, 500, 200]);
  fake = await startFakeProviders({
    webhookBackoffMs: 40,
    defaultScripts: { deepaffects: [{ status: "Running", forMs: 50 }, { status: "Completed" }] },
  });
  const call = clients(fake);
  const res = await call.deepaffects(DA_ASR, { method: "POST", body: JSON.stringify({ url: "https://x/a.flac" }) }, { webhook: hook.url });
  const { request_id } = await body(res);
  await until(() => fake!.webhookDeliveries().length === 3, 3000);
  const deliveries = fake.webhookDeliveries();
  expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
    [1, 500],
    [2, 500],
    [3, 200],
  ]);
  expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(35);
  expect(deliveries[2]!.at - deliveries[1]!.at).toBeGreaterThanOrEqual(75);
  expect(hook.received).toHaveLength(3);
  expect(hook.received[0]!.contentType).toBe("application/json");
  const payload = hook.received[2]!.body as { request_id: string; response: { transcript: string } };
  expect(payload.request_id).toBe(request_id);
  expect(payload.response.transcript).toBe("Hi! Hello, this is Susan.");
  // Nothing more after the 200.
  await new Promise((r) => setTimeout(r, 200));
  expect(fake.webhookDeliveries()).toHaveLength(3);
});

test("delivery gives up after the configured number of attempts", async () => {
  const hook = await startReceiver([503]);
  fake = await startFakeProviders({ webhookBackoffMs: 10, webhookAttempts: 3 });
  fake.createJob("deepaffects", { status: "Completed", webhook: hook.url });
  await until(() => fake!.webhookDeliveries().length === 3, 2000);
  await new Promise((r) => setTimeout(r, 150));
  expect(fake.webhookDeliveries().map((d) => d.status)).toEqual([503, 503, 503]);
});

test("a receiver that is not listening is recorded as an error and retried", async () => {
  const hook = await startReceiver([200]);
  const url = hook.url;
  await new Promise((r) => receiver!.close(r));
  receiver = undefined;
  fake = await startFakeProviders({ webhookBackoffMs: 10, webhookAttempts: 2 });
  fake.createJob("deepaffects", { status: "Completed", webhook: url });
  await until(() => fake!.webhookDeliveries().length === 2, 2000);
  expect(fake.webhookDeliveries().every((d) => d.error !== undefined && d.status === undefined)).toBe(true);
});

test("only loopback hosts receive webhooks", async () => {
  fake = await startFakeProviders();
  fake.createJob("deepaffects", { status: "Completed", webhook: "http://example.com/hook" });
  fake.createJob("deepaffects", { status: "Completed", webhook: "not a url" });
  const deliveries = fake.webhookDeliveries();
  expect(deliveries).toHaveLength(2);
  for (const d of deliveries) expect(d.error).toMatch(/^refused/);
});

test("with a mocked Date, a status request delivers the webhook of a job that has ended", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
  const hook = await startReceiver([200]);
  fake = await startFakeProviders();
  const job = fake.createJob("deepaffects", {
    script: [{ status: "Running", forMs: 10 * 60_000 }, { status: "Completed" }],
    webhook: hook.url,
  });
  await new Promise((r) => setTimeout(r, 50));
  expect(fake.webhookDeliveries()).toHaveLength(0);
  vi.setSystemTime(new Date("2030-01-01T00:10:00Z"));
  const call = clients(fake);
  expect((await body(await call.deepaffects(DA_STATUS, {}, { request_id: job.id }))).status).toBe("Completed");
  // The receiver has the body before the fake has read its answer and recorded the delivery.
  await until(() => hook.received.length === 1 && fake!.webhookDeliveries().length === 1, 2000);
  expect(fake.webhookDeliveries()[0]).toMatchObject({ attempt: 1, status: 200, requestId: job.id });
});

test("with a mocked Date, any DeepAffects request delivers for every job that has ended", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
  const hook = await startReceiver([200]);
  fake = await startFakeProviders();
  const script = [{ status: "Running", forMs: 60_000 }, { status: "Completed" }];
  const a = fake.createJob("deepaffects", { script, webhook: hook.url });
  const b = fake.createJob("deepaffects", { script, webhook: hook.url });
  vi.setSystemTime(new Date("2030-01-01T00:02:00Z"));
  await clients(fake).deepaffects(DA_STATUS, {}, { request_id: "some-other-job" });
  await until(() => hook.received.length === 2 && fake!.webhookDeliveries().length === 2, 2000);
  expect(
    fake
      .webhookDeliveries()
      .map((d) => d.requestId)
      .sort(),
  ).toEqual([a.id, b.id].sort());
});

test("forcing a terminal state delivers at once, a failed job with a null response", async () => {
  const hook = await startReceiver([200]);
  fake = await startFakeProviders();
  const job = fake.createJob("deepaffects", { script: [{ status: "Running", forMs: 60_000 }, { status: "Completed" }], webhook: hook.url });
  job.setStatus("Failed");
  await until(() => hook.received.length === 1, 2000);
  expect(hook.received[0]!.body).toEqual({ request_id: job.id, response: null });
});
