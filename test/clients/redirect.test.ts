import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient } from "../../src/comfy.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

// Comfy's file view answers 302 to a signed storage URL. fetch drops Authorization on a
// cross-origin redirect but keeps custom headers such as X-API-Key: the client must not.
let storage: Server;
let fake: FakeProviders;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  storage = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { "content-type": "text/plain", "content-length": "3" }).end("PNG");
  });
  await new Promise<void>((resolve) => storage.listen(0, "127.0.0.1", resolve));
  const { port } = storage.address() as AddressInfo;
  fake = await startFakeProviders({ storageOrigin: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await fake.close();
  storage.closeAllConnections();
  await new Promise((resolve) => storage.close(resolve));
});

test("a cross-origin redirect is followed without the key", async () => {
  seen.length = 0;
  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const { data, response } = await comfy.api.GET("/api/view", { params: { query: { filename: "ComfyUI_0001.png" } }, parseAs: "text" });
  expect(response.status).toBe(200);
  expect(data).toBe("PNG");
  expect(seen).toHaveLength(1);
  expect(seen[0]?.["x-api-key"]).toBeUndefined();
  expect(seen[0]?.authorization).toBeUndefined();
  expect(JSON.stringify(seen)).not.toContain(fake.keys.comfy);
});

test("control: plain fetch following the same redirect does carry X-API-Key", async () => {
  seen.length = 0;
  const response = await fetch(`${fake.urls.comfy}/api/view?filename=x.png`, { headers: { "X-API-Key": fake.keys.comfy } });
  expect(await response.text()).toBe("PNG");
  expect(seen[0]?.["x-api-key"]).toBe(fake.keys.comfy);
});
