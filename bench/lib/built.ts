/**
 * The library as it ships: src/index.ts bundled to plain JavaScript by esbuild. Benchmarks measure
 * this, not the tsx-compiled sources, because tsx keeps function names by wrapping every closure
 * in a `__name` call (an Object.defineProperty each time one is made), a cost no user pays.
 */
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export type Library = typeof import("../../src/index.js");

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let loaded: Promise<Library> | undefined;
/** Where each source module starts in the bundle (esbuild heads each with a `// path` comment). */
const modules: Array<{ line: number; source: string }> = [];
let bundleUrl = "";

/** A profile frame in the bundle, named by the source module it came from (relative line numbers are lost). */
export function bundleSource(url: string, line: number): string | undefined {
  if (url !== bundleUrl) return undefined;
  let source: string | undefined;
  for (const m of modules) if (m.line <= line) source = m.source;
  return source === undefined ? undefined : `${source} (bundled)`;
}

export function builtLibrary(): Promise<Library> {
  loaded ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobstatus-bench-"));
    try {
      const outfile = join(dir, "index.mjs");
      await build({
        absWorkingDir: ROOT,
        entryPoints: ["src/index.ts"],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile,
        logLevel: "silent",
      });
      readFileSync(outfile, "utf8")
        .split("\n")
        .forEach((text, i) => {
          const head = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(text);
          if (head) modules.push({ line: i + 1, source: head[1]! });
        });
      bundleUrl = pathToFileURL(outfile).href;
      return (await import(bundleUrl)) as Library;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return loaded;
}
