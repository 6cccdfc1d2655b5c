import { describe, expect, it } from "vitest";
import { runPollingBench } from "../../bench/polling.js";
import { renderMarkdown, renderSvg } from "../../bench/polling/report.js";

// The benchmark at a tiny size, so it keeps running as the code changes. Shape only: the figures
// at 50 jobs say nothing, and the targets are checked by `npm run bench:polling` at full size.
describe("polling benchmark", () => {
  const result = runPollingBench({ jobs: 50, seed: 7 });

  it("reports every policy with requests and lag figures", () => {
    const keys = result.logUniform.map((r) => r.key);
    expect(keys).toEqual([
      "fixed-0.5s",
      "fixed-2s",
      "fixed-5s",
      "comfy-sdk",
      "smithy",
      "oracle",
      "ours-default",
      "ours-tuned",
      "ours-adaptive",
    ]);
    for (const r of [...result.logUniform, ...result.bimodal.policies]) {
      expect(r.jobs).toBe(50);
      expect(r.requestsPerJob).toBeGreaterThanOrEqual(1);
      for (const spread of [r.lagS, r.relLag]) {
        expect(spread.p50).toBeGreaterThanOrEqual(0);
        expect(spread.p95).toBeGreaterThanOrEqual(spread.p50);
        expect(spread.max).toBeGreaterThanOrEqual(spread.p95);
      }
    }
    const oracle = result.logUniform.find((r) => r.key === "oracle");
    expect(oracle).toMatchObject({ requestsPerJob: 1, lagS: { max: 0 } });
  });

  it("checks the four targets and the bimodal comparison", () => {
    expect(result.targets.map((t) => t.id)).toEqual([1, 2, 3, 4]);
    for (const t of result.targets) expect(typeof t.pass).toBe("boolean");
    expect(result.bimodal.policies.map((r) => r.key)).toEqual(["ours-default", "ours-adaptive", "ours-adaptive-matched"]);
    expect(result.sensitivity.map((b) => b.sigma)).toEqual([0.1, 0.3]);
    expect(result.floor.lateShare).toBeGreaterThan(0);
  });

  it("renders JSON, a markdown table and a well-formed SVG", () => {
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const markdown = renderMarkdown(result);
    expect(markdown).toMatch(/\| ours, default \|/);
    expect(markdown.match(/\*\*(PASS|MISS)\*\*/g)).toHaveLength(4);
    const svg = renderSvg(result);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(result.logUniform.length);
    // Every element opened is closed: a cheap well-formedness check without an XML parser.
    const opened = (svg.match(/<(svg|style|text)[\s>]/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|style|text)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});
