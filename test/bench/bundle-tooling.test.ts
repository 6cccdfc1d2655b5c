// The bundle and tooling benchmarks at a tiny size, and BENCHMARKS.md rendered from what they give.
import { expect, test } from "vitest";
import { transform } from "esbuild";
import { runBundle, withoutMessages } from "../../bench/bundle.js";
import { renderBenchmarks } from "../../bench/report.js";
import { runTooling } from "../../bench/tooling.js";

test("bundle: an entry is bundled, minified and gzipped, with its largest inputs", async () => {
  const result = await runBundle({ entries: 1 });
  expect(result.rows).toHaveLength(1);
  const [row] = result.rows;
  expect(row?.entry).toBe("src/dify.ts");
  expect(row?.gzipBytes).toBeGreaterThan(0);
  expect(row?.gzipBytes).toBeLessThan(row?.minifiedBytes ?? 0);
  expect(row?.largestInputs.length).toBeGreaterThan(0);
});

test("bundle: withoutMessages empties the words of messages, keeps short strings, and leaves code that still parses", async () => {
  const code = [
    'const a = "X-API-Key", b = "The provider failed; try again later.";',
    "const c = `${a} answered ${b}. Check the key and try again.`;",
    "const d = `${a}-${b}`;",
  ].join("\n");
  const out = withoutMessages(code);
  expect(out).toContain('"X-API-Key"');
  expect(out).toContain("`${a}-${b}`");
  expect(out).not.toMatch(/provider failed|answered|Check the key/);
  expect(out).toContain("`${a}${b}`");
  await expect(transform(out, { loader: "js" })).resolves.toBeDefined();
});

test("tooling: commands are timed; the report renders what it has and names what failed", async () => {
  const tooling = await runTooling({
    repeats: 1,
    commands: [{ name: "node", shown: "node -e 0", command: process.execPath, args: ["-e", "0"] }],
  });
  expect(tooling.rows).toHaveLength(1);
  expect(tooling.rows[0]?.runsMs).toHaveLength(1);
  expect(tooling.rows[0]?.exitCode).toBe(0);
  const markdown = renderBenchmarks({ tooling, bundle: await runBundle({ entries: 1 }), manyJobs: new Error("no fake server") });
  expect(markdown).toContain("## 6. Tooling");
  expect(markdown).toContain("`node -e 0`");
  expect(markdown).toContain("## 5. Bundle size");
  expect(markdown).toContain("The run failed: `no fake server`");
});
