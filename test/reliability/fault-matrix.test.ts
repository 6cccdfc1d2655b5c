/**
 * Every API × every fault × every operation (status call, wait, watcher), one child
 * process per API running its whole matrix against the fake providers here. A child must print its
 * summary and then exit by itself: a timer or socket left behind by any case keeps it alive.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startFakeProviders, type FakeApi, type FakeProviders, type FaultHandle, type FaultRule } from "../../src/testing.js";
import { APIS, SECRET_KEYS } from "../fixtures/apis.js";
import { runFixture, startControl, within } from "../fixtures/child.js";

let fake: FakeProviders;
let control: Awaited<ReturnType<typeof startControl>>;
const faults: FaultHandle[] = [];

beforeAll(async () => {
  fake = await startFakeProviders({ keys: SECRET_KEYS, maxRecordedRequests: 2_000 });
  control = await startControl((op, body) => {
    if (op === "job") return { id: fake.createJob(body.api as FakeApi, body.init).id };
    if (op === "fault") {
      const rule = body as FaultRule;
      // JSON carried the date as a string; the kit wants a Date.
      if (rule.retryAfter && "date" in rule.retryAfter) rule.retryAfter = { date: new Date(rule.retryAfter.date as unknown as string) };
      faults.push(fake.fault(rule));
      return { ok: true };
    }
    throw new Error(`unknown control op ${op}`);
  });
});
afterAll(async () => {
  faults.forEach((f) => f.remove());
  await control.close();
  await fake.close();
});

// A child has this long to exit after its summary: far more than a clean exit needs, far less than any poll timer.
const EXIT_BOUND_MS = 5_000;

test("fault matrix: every API × fault × operation ends right, in time, leaving nothing behind", { timeout: 120_000 }, async () => {
  const started = Date.now();
  const runs = APIS.map((api) => ({
    api,
    run: runFixture("fault-matrix.ts", [], {
      MATRIX_CONFIG: JSON.stringify({ api, control: control.url, urls: fake.urls, keys: fake.keys }),
    }),
  }));
  const results = await Promise.all(
    runs.map(async ({ api, run }) => {
      const summary = await within(run.summary, 100_000, undefined);
      const exit = await within(run.exited, summary ? EXIT_BOUND_MS : 1, undefined);
      if (!exit) run.child.kill("SIGKILL");
      return { api, summary, exit, stderr: run.stderr() };
    }),
  );
  let cases = 0;
  let passed = 0;
  for (const { api, summary, exit, stderr } of results) {
    expect(summary, `${api}: no summary (stderr: ${stderr.slice(0, 2000)})`).toBeDefined();
    const s = summary as { cases: number; passed: number; faults: number; failures: unknown[]; unhandled: string[]; ms: number };
    cases += s.cases;
    passed += s.passed;
    console.log(
      `fault matrix ${api}: ${s.cases} cases, ${s.passed} passed, ${s.faults} faults, ${s.ms} ms${exit ? `, exited ${exit.afterSummaryMs} ms after its summary` : ", did not exit"}`,
    );
  }
  console.log(`fault matrix: ${cases} cases, ${passed} passed (${APIS.length} APIs × 3 operations, ${Date.now() - started} ms)`);
  for (const { api, summary, exit } of results) {
    const s = summary as { failures: unknown[]; unhandled: string[] };
    expect(s.failures, `${api}: failing cases`).toEqual([]);
    expect(s.unhandled, `${api}: unhandled rejections or exceptions`).toEqual([]);
    expect(
      exit,
      `${api}: the child did not exit within ${EXIT_BOUND_MS} ms of its summary: a timer or socket was left behind`,
    ).toBeDefined();
    expect(exit).toMatchObject({ code: 0, signal: null });
  }
  expect(passed).toBe(cases);
  expect(cases).toBeGreaterThanOrEqual(280);
});
