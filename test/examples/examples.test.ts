// Every program in examples/ run as a user would run it (`tsx examples/<name>.ts`, importing
// "jobstatus/..." by name), pointed at the fake providers on 127.0.0.1 through the environment
// variables the examples read. No provider key of the developer's environment reaches them.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders, type FakeProvidersOptions } from "../../src/testing.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// Each example is a tsx process (about 1.5 s to start) waiting on jobs of a few seconds; generous
// limits because they run side by side on a busy machine.
const RUN_LIMIT_MS = 80_000;
const TEST_LIMIT_MS = 90_000;

/** Fake providers for one test only: the tests run side by side. */
async function fakeProviders(onTestFinished: (fn: () => Promise<void>) => void, options?: FakeProvidersOptions): Promise<FakeProviders> {
  const fake = await startFakeProviders(options);
  onTestFinished(() => fake.close());
  return fake;
}

/** The developer's environment without anything that could point an example at a real provider. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/_API_KEY$|_BASE_URL$|^WEBHOOK_|^PORT$|^RENDERS_DB$/.test(name)),
  );
  return { ...env, NO_COLOR: "1", ...extra };
}

function fakeEnv(fake: FakeProviders): Record<string, string> {
  return {
    DIFY_API_KEY: fake.keys.difyChatflow,
    DIFY_BASE_URL: fake.urls.difyChatflow,
    COMFY_API_KEY: fake.keys.comfy,
    COMFY_BASE_URL: fake.urls.comfy,
    DEEPAFFECTS_API_KEY: fake.keys.deepaffects,
    DEEPAFFECTS_BASE_URL: fake.urls.deepaffects,
  };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(example: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Ran> } {
  // tsx as a loader, not its CLI: one process, so a kill reaches the example itself.
  const child = spawn(process.execPath, ["--import", "tsx", path.join("examples", example), ...args], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
  const done = new Promise<Ran>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

const run = (example: string, args: string[], env: NodeJS.ProcessEnv) => start(example, args, env).done;

describe.concurrent("examples/ against the fake providers", { timeout: TEST_LIMIT_MS }, () => {
  test("dify.ts enables annotation reply and reads the seed endpoint", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("dify.ts", [], cleanEnv(fakeEnv(fake)));
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toContain("annotation reply: succeeded");
    expect(ran.stdout).toContain("job_status: completed");
    expect(fake.requests({ api: "dify-chatflow", route: "start" })).toHaveLength(1);
  });

  test("comfy.ts runs a workflow, reads its outputs and cancels a queued one", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("comfy.ts", [], cleanEnv(fakeEnv(fake)));
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toContain("workflow: succeeded");
    expect(ran.stdout).toContain("cancel: cancelled while queued");
    expect(ran.stdout).toContain("second workflow: cancelled");
    expect(fake.requests({ api: "comfy", route: "cancel" })).toHaveLength(1);
  });

  test("deepaffects-webhook.ts ends its wait by the webhook, not by polling", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("deepaffects-webhook.ts", [], cleanEnv({ ...fakeEnv(fake), PORT: "0" }));
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toContain("diarize: succeeded");
    expect(fake.webhookDeliveries().map((d) => d.status)).toContain(200);
    // DeepAffects' first poll is 15 s away; the job ends in about 1 s: only the webhook can have ended it.
    expect(fake.requests({ api: "deepaffects", route: "status" })).toHaveLength(0);
  });

  test("waiting.ts: wait, watch and throwOnFailure", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("waiting.ts", [], cleanEnv(fakeEnv(fake)));
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toContain("wait: succeeded");
    expect(ran.stdout).toContain("watch: succeeded");
    expect(ran.stdout).toContain("throwOnFailure: succeeded");
  });

  test("many-jobs.ts settles every job on one watcher", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("many-jobs.ts", ["6"], cleanEnv(fakeEnv(fake)));
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toContain('all 6 settled: {"succeeded":6}');
    expect(fake.requests({ api: "comfy", route: "start" })).toHaveLength(6);
  });

  test("resume.ts: worker B finishes the wait worker A saved, after A is killed, without a second start", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished, {
      defaultScripts: { comfy: [{ status: "executing", forMs: 10_000 }, { status: "success" }] },
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), "jobstatus-example-resume-"));
    try {
      const env = cleanEnv({ ...fakeEnv(fake), RENDERS_DB: path.join(dir, "renders.json") });
      const workerA = start("resume.ts", ["start", "render-7"], env);
      const saved = await until(async () => {
        const rows = JSON.parse(await readFile(path.join(dir, "renders.json"), "utf8").catch(() => "{}"));
        return rows["render-7"]?.wait ? rows["render-7"] : undefined;
      }, 30_000);
      workerA.child.kill("SIGKILL");
      expect((await workerA.done).stdout).not.toContain("worker A: succeeded");

      const workerB = await run("resume.ts", ["resume", "render-7"], env);
      expect(workerB).toMatchObject({ code: 0, stderr: "" });
      expect(workerB.stdout).toMatch(new RegExp(`worker B: resuming ${saved.handle.jobId} after [1-9]\\d* polls`));
      expect(workerB.stdout).toContain("worker B: succeeded");
      expect(fake.requests({ api: "comfy", route: "start" })).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("without a key, an example stops with a typed error before any request", async ({ onTestFinished }) => {
    const fake = await fakeProviders(onTestFinished);
    const ran = await run("comfy.ts", [], cleanEnv({ COMFY_BASE_URL: fake.urls.comfy }));
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain("InvalidArgumentError");
    expect(ran.stderr).toContain("COMFY_API_KEY");
    expect(fake.requests()).toHaveLength(0);
  });
});

async function until<T>(read: () => Promise<T | undefined>, limitMs: number): Promise<T> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing after ${limitMs} ms`);
}
