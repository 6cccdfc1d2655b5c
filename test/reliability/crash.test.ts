/**
 * A child process waits on jobs of
 * every seed API, saving each wait's state as it goes, and is killed with SIGKILL mid-wait. Another
 * child resumes from the saved states: the same final states as the jobs really reached, the same
 * deadlines, no job started twice, and it exits by itself.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { WaitState } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { runFixture, within } from "../fixtures/child.js";

let fake: FakeProviders;
beforeAll(async () => {
  // Long enough that every job is still running when the first process dies.
  fake = await startFakeProviders({
    defaultScripts: {
      "dify-chatflow": [{ status: "waiting", forMs: 500 }, { status: "processing", forMs: 2_500 }, { status: "completed" }],
      "dify-completion": [{ status: "processing", forMs: 3_000 }, { status: "error" }],
      comfy: [{ status: "queued_waiting", forMs: 500 }, { status: "executing", forMs: 2_500 }, { status: "success" }],
      deepaffects: [{ status: "Running", forMs: 3_000 }, { status: "Completed" }],
    },
  });
});
afterAll(() => fake.close());

test("killed mid-wait, resumed elsewhere: same outcomes, same deadlines, nothing started twice", { timeout: 60_000 }, async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "jobstatus-crash-")), "waits.json");
  const config = JSON.stringify({ urls: fake.urls, keys: fake.keys });
  const first = runFixture("crash-first.ts", [config, stateFile]);
  const saved = () => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as WaitState[]) : []);
  for (let i = 0; i < 400 && saved().length < 5; i++) await new Promise((r) => setTimeout(r, 25));
  first.child.kill("SIGKILL");
  expect((await first.exited).signal).toBe("SIGKILL");

  const states = saved();
  expect(states, first.stderr()).toHaveLength(5);
  expect(new Set(states.map((s) => s.handle.provider))).toEqual(new Set(["dify", "comfy", "deepaffects"]));
  const startsBefore = fake.requests({ route: "start" }).length;
  expect(startsBefore).toBe(5);
  // Every job was still going when the process died.
  for (const s of states)
    expect(
      fake.job(
        s.handle.provider === "dify" ? (s.handle.app === "chatflow" ? "dify-chatflow" : "dify-completion") : s.handle.provider,
        s.handle.jobId,
      )?.status,
    ).not.toMatch(/^(completed|error|success|Completed)$/);

  // While no process watches: one Comfy job is cancelled, the other stalls and must run into its deadline.
  const [cancelled, stalled] = states.filter((s) => s.handle.provider === "comfy") as [WaitState, WaitState];
  fake.job("comfy", cancelled.handle.jobId)!.setStatus("cancelled");
  fake.job("comfy", stalled.handle.jobId)!.setStatus("executing");

  const second = runFixture("crash-resume.ts", [config, stateFile]);
  const summary = (await within(second.summary, 30_000, undefined)) as
    | { results: Array<Record<string, string | number | null>> }
    | undefined;
  expect(summary, second.stderr()).toBeDefined();
  const exit = await within(second.exited, 5_000, undefined);
  if (!exit) second.child.kill("SIGKILL");
  expect(exit, "the resuming process did not exit by itself: a timer or socket was left behind").toMatchObject({ code: 0 });

  const byId = new Map(summary!.results.map((r) => [r["jobId"], r]));
  const outcome = (s: WaitState) => byId.get(s.handle.jobId)!;
  const [chatflow, completion] = [
    states.find((s) => s.handle.provider === "dify" && s.handle.app === "chatflow")!,
    states.find((s) => s.handle.provider === "dify" && s.handle.app === "completion")!,
  ];
  const deepaffects = states.find((s) => s.handle.provider === "deepaffects")!;
  expect(outcome(chatflow)).toMatchObject({ state: "succeeded" });
  expect(outcome(completion)).toMatchObject({ state: "failed" });
  expect(outcome(deepaffects)).toMatchObject({ state: "succeeded" });
  expect(outcome(cancelled)).toMatchObject({ state: "cancelled" });
  expect(outcome(stalled)).toMatchObject({ error: "TimeoutError:wait" });
  for (const s of states) {
    // The deadline the first process set, kept to the millisecond.
    expect(outcome(s)["resumedDeadline"]).toBe(s.deadline);
    expect(Number(outcome(s)["endedAt"])).toBeLessThanOrEqual(Date.parse(s.deadline!) + 100);
  }
  // The stalled job ended at its first deadline, not at one restarted by the new process.
  expect(Date.parse(stalled.deadline!) - Number(outcome(stalled)["endedAt"])).toBeLessThan(1_500);
  expect(fake.requests({ route: "start" })).toHaveLength(startsBefore);
});
