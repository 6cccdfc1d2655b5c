/**
 * The soak of scripts/soak.ts (`npm run soak` runs 10,000 jobs) with 1,000 jobs,
 * 10 % of status answers faulty, through one watcher. DeepAffects jobs come back by webhook here;
 * the full soak also polls a few, held to 5 requests a minute.
 */
import { expect, test } from "vitest";
import { runSoak } from "../../scripts/soak.js";

test("soak: 1,000 jobs across the providers, every one ends once, none lost, caps kept", { timeout: 90_000 }, async () => {
  const report = await runSoak({ jobs: 1_000, seed: 6 });
  console.log(
    `soak: ${report.jobs} jobs, ${report.settled} ended, ${report.lost} lost, ${report.reportedTwice} reported twice, ` +
      `${report.requests} requests (${report.faultyResponses} faulty), ${JSON.stringify(report.outcomes)}, ${report.ms} ms`,
  );
  expect(report.unexpected).toEqual([]);
  expect(report.lost).toBe(0);
  expect(report.reportedTwice).toBe(0);
  expect(report.settled).toBe(1_000);
  // Roughly the 10 % asked for: faults are drawn per answer, seeded.
  expect(report.faultyResponses / report.requests).toBeGreaterThan(0.05);
  expect(report.faultyResponses / report.requests).toBeLessThan(0.15);
  for (const [key, granted] of Object.entries(report.grantedMaxPerSecond))
    if (!key.startsWith("deepaffects")) expect(granted).toBeLessThanOrEqual(report.capPerSecond);
  for (const api of ["dify-chatflow", "dify-completion", "comfy"] as const)
    expect(report.maxPerSecond[api]).toBeLessThanOrEqual(report.capPerSecond);
  expect(report.deepaffectsMaxPerMinute).toBeLessThanOrEqual(5);
  expect(report.webhooks.delivered).toBeGreaterThan(0);
  expect(report.ok).toBe(true);
});
