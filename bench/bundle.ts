/**
 * Benchmark 5: each public entry bundled for the browser with esbuild, minified, gzipped.
 * openapi-fetch is bundled in, as an app would ship it.
 *
 *   npx tsx bench/bundle.ts
 */
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { machine, type Machine } from "./lib/machine.js";

export interface BundleRow {
  entry: string;
  minifiedBytes: number;
  gzipBytes: number;
  budgetBytes: number;
  pass: boolean;
  /** The biggest inputs, minified bytes each, largest first. */
  largestInputs: Array<{ input: string; bytes: number }>;
}

export interface BundleResult {
  machine: Machine;
  config: { bundler: string; platform: string; gzip: string };
  rows: BundleRow[];
}

const KB = 1_000; // as size-limit and test/package/bundle.test.ts count
const ENTRIES = [
  { entry: "src/dify.ts", budgetBytes: 5 * KB },
  { entry: "src/comfy.ts", budgetBytes: 5 * KB },
  { entry: "src/deepaffects.ts", budgetBytes: 5 * KB },
  { entry: "src/index.ts", budgetBytes: 8 * KB },
];
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `entries` limits the run to some entries (the test bundles one). */
export async function runBundle(size: { entries?: number } = {}): Promise<BundleResult> {
  const rows: BundleRow[] = [];
  for (const { entry, budgetBytes } of ENTRIES.slice(0, size.entries ?? ENTRIES.length)) {
    const out = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const code = out.outputFiles[0]!.contents;
    const gzipBytes = gzipSync(code, { level: 9 }).length;
    const inputs = Object.values(out.metafile.outputs)[0]?.inputs ?? {};
    const largestInputs = Object.entries(inputs)
      .map(([input, info]) => ({ input, bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 8);
    rows.push({ entry, minifiedBytes: code.length, gzipBytes, budgetBytes, pass: gzipBytes <= budgetBytes, largestInputs });
  }
  return { machine: machine(), config: { bundler: "esbuild", platform: "browser, ESM, ES2022, minified", gzip: "zlib level 9" }, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runBundle();
  for (const r of result.rows)
    console.log(`${r.entry}: ${r.minifiedBytes} B min, ${r.gzipBytes} B gz (budget ${r.budgetBytes}) ${r.pass ? "PASS" : "MISS"}`);
  console.log(result.rows[1]?.largestInputs);
}
