import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createComfyClient, TimeoutError, wait, type ComfyJobHandle, type WaitState } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { until } from "../testing/helpers.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ defaultScripts: { comfy: [{ status: "executing", forMs: 1_500 }, { status: "success" }] } });
});
afterAll(() => fake.close());

function run(fixture: string, args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures", fixture), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; out: string }>((resolve) => {
    const started = Date.now();
    child.on("exit", (code, signal) => resolve({ code, signal, ms: Date.now() - started, out }));
  });
  return { child, exited };
}

test("a wait killed with SIGKILL resumes in a new process: same deadline, no second start", async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "jobstatus-resume-")), "waits.json");
  const { child, exited } = run("start-and-wait.ts", [fake.urls.comfy, fake.keys.comfy, stateFile]);
  for (let i = 0; i < 200; i++) {
    if (existsSync(stateFile) && (JSON.parse(readFileSync(stateFile, "utf8")) as unknown[]).length === 2) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  expect((await exited).signal).toBe("SIGKILL");

  const states = JSON.parse(readFileSync(stateFile, "utf8")) as Array<WaitState<ComfyJobHandle>>;
  expect(states).toHaveLength(2);
  const [finishing, stuck] = states as [WaitState<ComfyJobHandle>, WaitState<ComfyJobHandle>];
  fake.job("comfy", stuck.handle.jobId)!.setStatus("executing");

  const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const done = await wait(comfy, finishing);
  expect(done).toMatchObject({ state: "succeeded", handle: finishing.handle });

  const error = await wait(comfy, stuck).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TimeoutError);
  // The resumed wait kept the deadline the first process set, give or take the last-check margin.
  expect(Math.abs(Date.now() - Date.parse(stuck.deadline!))).toBeLessThan(500);
  expect(fake.requests({ api: "comfy", route: "start" })).toHaveLength(2);
});

test("after a finished wait and a watch loop left early, the process exits by itself", async () => {
  const done = fake.createJob("comfy", { status: "success" });
  const running = fake.createJob("comfy", { status: "executing" });
  const { exited } = run("leave-watch.ts", [fake.urls.comfy, fake.keys.comfy, done.id, running.id]);
  const result = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 8_000))]);
  expect(result, "the child is still running: a timer or socket was left behind").toBeDefined();
  expect(result!.code).toBe(0);
  expect(JSON.parse(result!.out.trim())).toEqual({ done: "succeeded", watched: "running" });
  const polls = running.requests().length;
  await new Promise((r) => setTimeout(r, 150));
  expect(running.requests().length).toBe(polls);
});

test("after waits that used the Comfy WebSocket, the process exits by itself and the socket is closed", async () => {
  const ending = fake.createJob("comfy", { status: "executing" });
  const running = fake.createJob("comfy", { status: "executing" });
  const connections = fake.requests({ api: "comfy", route: "ws" }).length;
  const { exited } = run("wait-with-socket.ts", [fake.urls.comfy, fake.keys.comfy, ending.id, running.id]);
  await until(() => fake.comfySockets.count === 1, 8_000);
  ending.setStatus("success");
  const result = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 8_000))]);
  expect(result, "the child is still running: a timer or socket was left behind").toBeDefined();
  expect(result!.code).toBe(0);
  expect(JSON.parse(result!.out.trim())).toEqual({ done: "succeeded", watched: "running" });
  // The first wait ended on the pushed end (its own first poll was a minute away): one confirming request.
  expect(ending.requests()).toHaveLength(1);
  expect(fake.requests({ api: "comfy", route: "ws" }).length).toBeGreaterThan(connections);
  expect(fake.comfySockets.count).toBe(0);
});
