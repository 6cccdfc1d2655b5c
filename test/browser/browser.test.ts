// jobstatus in a real browser: a page bundled from test/browser/page.ts (jobstatus/comfy's source)
// is served on loopback and loaded in headless Debian Chromium, which starts a Comfy job on the fake
// providers (another origin, so CORS is exercised), waits on it and shows the outcome.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

// Debian's Chromium; CHROMIUM_PATH points elsewhere on another system.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const PAGE_TIMEOUT_MS = 30_000;

const hasChromium = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does this`;
if (!hasChromium && !process.env.CI) console.warn(`browser test SKIPPED: ${MISSING}`);

describe.runIf(!hasChromium && process.env.CI)("a real browser (in CI)", () => {
  it("has Chromium", () => {
    throw new Error(`browser test cannot run: ${MISSING}`);
  });
});

describe.runIf(hasChromium)("jobstatus/comfy in headless Chromium", () => {
  let fake: FakeProviders;
  let site: Server;
  let siteOrigin = "";
  let profile = "";
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    const bundled = await build({
      entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const script = bundled.outputFiles[0]!.text;
    fake = await startFakeProviders({ cors: true });
    const config = JSON.stringify({ baseUrl: fake.urls.comfy, apiKey: fake.keys.comfy });
    const html = `<!doctype html><meta charset="utf-8"><title>jobstatus</title><link rel="icon" href="data:,">
<p>job: <span id="status">loading</span></p><p id="log"></p>
<script>globalThis.JOBSTATUS_PAGE = ${config};</script>
<script type="module" src="/page.js"></script>`;
    site = createServer((req, res) => {
      if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(html);
      if (req.url === "/page.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

    profile = await mkdtemp(path.join(os.tmpdir(), "jobstatus-chromium-"));
    // Playwright takes the profile directory here rather than as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: PAGE_TIMEOUT_MS,
    });
  }, 2 * PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    await fake?.close();
    if (site) await new Promise((resolve) => site.close(resolve));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it(
    "starts a job, waits on it and shows it succeeded",
    async () => {
      const page = await context!.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });

      await page.goto(`${siteOrigin}/`);
      const status = page.locator("#status");
      await page.waitForFunction(
        () => /^(succeeded|failed|cancelled|error)/.test(document.getElementById("status")?.textContent ?? ""),
        undefined,
        { timeout: PAGE_TIMEOUT_MS },
      );
      expect(await status.textContent(), problems.join("\n")).toBe("succeeded");
      expect(problems).toEqual([]);
      expect(await page.locator("#log").textContent()).toContain("success");

      // The calls really came from the page's origin, through CORS, to the fake Comfy Cloud.
      const calls = fake.requests({ api: "comfy" });
      expect(calls.some((call) => call.route === "preflight")).toBe(true);
      const polls = calls.filter((call) => call.route === "status");
      expect(polls.length).toBeGreaterThan(0);
      expect(polls.every((call) => call.headers.origin === siteOrigin)).toBe(true);
    },
    2 * PAGE_TIMEOUT_MS,
  );
});
