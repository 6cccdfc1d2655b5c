// DeepAffects: start an async API with a webhook, and let the webhook end the wait (DeepAffects
// recommends webhooks over polling; the watcher still polls now and then as a fallback).
//
//   DEEPAFFECTS_API_KEY=... WEBHOOK_TOKEN=<a long random secret> \
//   WEBHOOK_PUBLIC_URL=https://hooks.example.com npx tsx examples/deepaffects-webhook.ts
//
// WEBHOOK_PUBLIC_URL is where DeepAffects can reach this process (a tunnel or a public host that
// forwards to PORT); it defaults to http://127.0.0.1:PORT, which only a local fake server can reach.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createDeepAffectsClient, createWatcher, createWebhookHandler, toNodeListener } from "jobstatus/deepaffects";

const deepaffects = createDeepAffectsClient({ apiKey: process.env.DEEPAFFECTS_API_KEY!, baseUrl: process.env.DEEPAFFECTS_BASE_URL });
const token = process.env.WEBHOOK_TOKEN ?? randomBytes(24).toString("hex");

const watcher = createWatcher();
const server = createServer(toNodeListener(createWebhookHandler({ watcher, token })));
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
const publicUrl = process.env.WEBHOOK_PUBLIC_URL ?? `http://127.0.0.1:${port}`;

try {
  const handle = await deepaffects.start(
    "diarize",
    { url: "https://example.com/call.wav", encoding: "WAV", sampleRate: 8000, languageCode: "en-US", audioType: "callcenter" },
    { webhook: `${publicUrl}/deepaffects?token=${token}` },
  );
  console.log(`started ${handle.api} job ${handle.jobId}, waiting for its webhook`);
  const done = await watcher.add(deepaffects, handle, { timeoutMs: 30 * 60_000 }).result;
  console.log(`diarize: ${done.state}`);
  console.log(JSON.stringify(done.raw.response ?? null));
} finally {
  watcher.close();
  server.close();
}
