// The push benchmark at a tiny size: the shape of the results only, never their timings.
import { expect, test } from "vitest";
import { runPush } from "../../bench/push.js";

test("push: every job is watched to its end in all three scenarios and the figures are all there", async () => {
  const result = await runPush({ jobs: 20, minLengthMs: 1_000, spreadMs: 1_500, dropAtMs: 1_200, dropForMs: 600, timeLimitMs: 20_000 });
  expect(result.scenarios.map((s) => s.name)).toEqual(["polling", "socket", "drop"]);
  for (const scenario of result.scenarios) {
    expect(scenario.jobs).toEqual({ added: 20, succeeded: 20, failed: 0, lost: 0 });
    expect(scenario.statusPerJob).toBeGreaterThanOrEqual(1);
    expect(scenario.lagMs.jobs).toBe(20);
    expect(scenario.lagMs.p50).toBeGreaterThanOrEqual(0);
  }
  const [polling, socket, drop] = result.scenarios;
  expect(polling!.upgrades.accepted).toBe(0);
  expect(socket!.upgrades.accepted).toBeGreaterThanOrEqual(1);
  expect(drop!.upgrades.refused).toBeGreaterThanOrEqual(0);
  expect(drop!.lagInDropMs.jobs).toBe(polling!.lagInDropMs.jobs);
  expect(result.targets.map((t) => typeof t.pass)).toEqual(["boolean", "boolean", "boolean", "boolean"]);
}, 90_000);
