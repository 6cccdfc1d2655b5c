// The overhead benchmarks at a tiny size: the shape of the results only, never their timings.
import { describe, expect, test } from "vitest";
import { runOverheadLoopback, runOverheadNoNetwork, type OverheadResult } from "../../bench/overhead.js";

function expectShape(result: OverheadResult, kind: OverheadResult["kind"]): void {
  expect(result.kind).toBe(kind);
  expect(result.machine.cores).toBeGreaterThan(0);
  expect(result.groups.map((g) => g.provider)).toEqual(["comfy", "deepaffects"]);
  for (const group of result.groups) {
    expect(group.rows.map((r) => r.key)).toEqual(["raw-fetch", "openapi-fetch", "openapi-fetch-auth", "ours"]);
    for (const row of group.rows) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.rounds).toHaveLength(1);
    }
    expect(group.rows.find((r) => r.key === "openapi-fetch")?.vsOpenapiFetch).toBe(1);
    expect(typeof group.target.pass).toBe("boolean");
  }
}

describe("overhead benchmarks", () => {
  test("no network: every contender answers and is measured", async () => {
    expectShape(await runOverheadNoNetwork({ timeMs: 5, iterations: 20, rounds: 1, profileCalls: 0 }), "no-network");
  });

  test("loopback: every contender talks to the fake providers in a child process", async () => {
    const result = await runOverheadLoopback({ requests: 20, concurrency: 4, rounds: 1, profileCalls: 0 });
    expectShape(result, "loopback");
    for (const row of result.groups.flatMap((g) => g.rows)) expect(row.clientCpuUs).toBeGreaterThan(0);
  });
});
