/**
 * `npm start` end to end, as CI runs it (stdout piped, CI set): four jobs, all succeeded, the
 * injected trouble handled, plain lines only, in under 30 s. And `--real` with a key set uses that
 * provider (here the test kit stands in for the real Dify) and says so, never printing the key.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { run } from "./run.js";

const DEMO = ["npx", "tsx", "src/cli/demo.ts"];
const REAL_DIFY_KEY = "app-SECRET-real-dify-8c8c8c";
/** The demo's Comfy job listens on a WebSocket when Node has one (22+) or the ws package is installed. */
const WEB_SOCKET = typeof globalThis.WebSocket === "function" || resolves("ws");

function resolves(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

let standIn: FakeProviders;
beforeAll(async () => {
  standIn = await startFakeProviders({ keys: { difyChatflow: REAL_DIFY_KEY } });
});
afterAll(() => standIn.close());

/** The summary table's rows, by job label. */
function summaryRows(stdout: string): Map<string, string> {
  const lines = stdout.split("\n");
  const head = lines.findIndex((l) => l.startsWith("JOB ") && l.includes("FINAL STATE"));
  expect(head, "the summary table's header").toBeGreaterThan(0);
  const rows = new Map<string, string>();
  for (const line of lines.slice(head + 1)) {
    if (line.trim() === "") break;
    const label = /^(Dify Chatflow|Dify Completion|Comfy Cloud|DeepAffects asr)( \(real\))?/.exec(line)?.[0];
    if (label) rows.set(label, line);
  }
  return rows;
}

describe.concurrent("npm start", { timeout: 60_000 }, () => {
  test("runs four jobs on the fakes, handles the injected trouble, and exits 0 in under 30 s", async () => {
    const result = await run(DEMO, { env: { CI: "true" }, timeoutMs: 45_000 });
    expect(result.stderr).not.toMatch(/demo failed|Error/);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(30_000);
    // CI logs get plain text: not one escape code.
    expect(result.stdout).not.toContain("\u001B");
    expect(result.stdout).toContain("no real provider is called");

    const rows = summaryRows(result.stdout);
    expect([...rows.keys()]).toEqual(["Dify Chatflow", "Dify Completion", "Comfy Cloud", "DeepAffects asr"]);
    for (const row of rows.values()) {
      expect(row).toMatch(/ succeeded/);
      expect(row).not.toMatch(/did not happen|error:/);
      // Time to detect: how long after the fake job really ended the wait saw it.
      const detected = Number(/ \+(\d+\.\d\d) s /.exec(row)?.[1]);
      expect(detected).toBeGreaterThanOrEqual(0);
      expect(detected).toBeLessThan(5);
    }
    expect(rows.get("Dify Chatflow")).toMatch(/429, Retry-After 1 s: waited 1 s as asked/);
    expect(rows.get("Dify Completion")).toMatch(/502 HTML page: retried/);
    expect(rows.get("Comfy Cloud")).toMatch(/queued_limited: read as queued.*"warming_up": state unknown, kept polling/);
    expect(rows.get("DeepAffects asr")).toMatch(/ webhook .*delivery ended the wait/);
    expect(result.stdout).toMatch(/All 4 jobs succeeded in \d+\.\d s\./);
    // The progress lines: each job's states as they changed, with the raw status.
    expect(result.stdout).toMatch(/Comfy Cloud +\S+ +queued \(queued_limited\)/);
    expect(result.stdout).toMatch(/Dify Chatflow +\S+ +⚠ 429 rate limited, Retry-After 1\.0 s: handled/);
    if (WEB_SOCKET) {
      // The Comfy job's progress and end came over its WebSocket: its steps, then its end, seen at once.
      expect(result.stdout).toMatch(/Comfy Cloud: its end and progress come over its WebSocket/);
      expect(result.stdout).toMatch(/Comfy Cloud +\S+ +running \(executing\) · step \d\/4 \(node 3\)/);
      expect(result.stdout).toMatch(/Comfy Cloud +\S+ +succeeded \(success\) via socket/);
      expect(rows.get("Comfy Cloud")).toMatch(/ \+0\.[0-4]\d s +socket /);
    } else expect(result.stdout).toMatch(/Comfy Cloud: polled only/);
  });

  test("--real uses the provider whose key is set and says so; the others stay fake; the key is never printed", async () => {
    const result = await run([...DEMO, "--real"], {
      env: { CI: "true", DIFY_API_KEY: REAL_DIFY_KEY, DIFY_BASE_URL: standIn.urls.difyChatflow },
      timeoutMs: 45_000,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dify: REAL provider, key from DIFY_API_KEY, at DIFY_BASE_URL \(127\.0\.0\.1:\d+\)/);
    expect(result.stdout).toMatch(/comfy: COMFY_API_KEY is not set, so it stays fake/);
    expect(result.stdout).toMatch(/deepaffects: DEEPAFFECTS_API_KEY is not set, so it stays fake/);
    expect([...summaryRows(result.stdout).keys()]).toEqual(["Dify Chatflow (real)", "Dify Completion", "Comfy Cloud", "DeepAffects asr"]);
    expect(summaryRows(result.stdout).get("Dify Chatflow (real)")).toMatch(/ succeeded .* n\/a /);
    // The stand-in "real" Dify got the start and the polls, with the key.
    const started = standIn.requests({ api: "dify-chatflow", route: "start" });
    expect(started).toHaveLength(1);
    expect(started[0]!.headers["authorization"]).toBe(`Bearer ${REAL_DIFY_KEY}`);
    expect(result.stdout + result.stderr).not.toContain(REAL_DIFY_KEY);
  });

  test("an unknown flag is a usage error", async () => {
    const result = await run([...DEMO, "--bogus"], { env: { CI: "true" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--bogus'/);
  });
});
