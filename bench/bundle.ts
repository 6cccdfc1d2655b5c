/**
 * Benchmark 5: bundle size for the browser with esbuild, minified, gzipped, openapi-fetch bundled in
 * as an app would ship it. Measured as apps import it: one provider's client factory calling `status`
 * once, and the same with `wait`; and each public entry whole.
 *
 *   npx tsx bench/bundle.ts
 */
import { build, type BuildOptions, type Plugin } from "esbuild";
import { gzipSync } from "node:zlib";
import path from "node:path";
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
  /**
   * Gzipped bytes no app in today's shape gets under: openapi-fetch alone with an auth middleware and
   * one GET, and `wait` imported alone (a one-job watcher, no client). Measured on a full run.
   */
  floors?: { openapiFetch: number; waitAlone: number } | undefined;
}

const KB = 1_000; // as size-limit and test/package/bundle.test.ts count
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export type Provider = "dify" | "comfy" | "deepaffects";
export const PROVIDERS: readonly Provider[] = ["dify", "comfy", "deepaffects"];
const FACTORY: Record<Provider, string> = {
  dify: "createDifyClient",
  comfy: "createComfyClient",
  deepaffects: "createDeepAffectsClient",
};
const HANDLE: Record<Provider, string> = {
  dify: `{ provider: "dify", app: "chatflow", action: "enable", jobId: "job", startedAt: "2026-01-01T00:00:00Z" }`,
  comfy: `{ provider: "comfy", jobId: "job", startedAt: "2026-01-01T00:00:00Z" }`,
  deepaffects: `{ provider: "deepaffects", api: "asr", jobId: "job", startedAt: "2026-01-01T00:00:00Z" }`,
};

/** Targets, gzipped: what an app pays for one provider's status call, and for a wait on top of it. */
export const IMPORT_TARGETS = { status: 5 * KB, wait: 9 * KB } as const;
export type AppImport = keyof typeof IMPORT_TARGETS;

/** An app's whole source: it imports one client factory (and `wait`) from `jobstatus/<provider>` and calls them once. */
export function appSource(provider: Provider, use: AppImport): string {
  const factory = FACTORY[provider];
  return [
    `import { ${factory}${use === "wait" ? ", wait" : ""} } from "jobstatus/${provider}";`,
    `const client = ${factory}({ apiKey: "key" });`,
    `const handle = ${HANDLE[provider]};`,
    `export const snapshot = client.status(handle);`,
    ...(use === "wait" ? ["export const done = wait(client, handle);"] : []),
  ].join("\n");
}

/** The apps that measure the floors (see BundleResult.floors). */
const FLOOR_SOURCES = {
  openapiFetch: [
    `import createClient from "openapi-fetch";`,
    `const api = createClient({ baseUrl: "https://cloud.comfy.org" });`,
    `api.use({ onRequest({ request }) { request.headers.set("X-API-Key", "key"); } });`,
    `export const answer = api.GET("/api/job/{job_id}/status", { params: { path: { job_id: "job" } } });`,
  ].join("\n"),
  waitAlone: `export { wait } from "jobstatus/comfy";`,
};

/** Resolves `jobstatus/<provider>` to its source entry, as the exports map does to the built one. */
const sourceEntries: Plugin = {
  name: "jobstatus-sources",
  setup(b) {
    b.onResolve({ filter: /^jobstatus(\/[a-z]+)?$/ }, (args) => ({
      path: path.join(ROOT, "src", `${args.path === "jobstatus" ? "index" : args.path.slice("jobstatus/".length)}.ts`),
    }));
  },
};

/**
 * Marks every source module as having side effects, as a bundler that ignores the package's
 * `"sideEffects": false` does: what then stays of an unused import is what runs at module load.
 */
export const distrustSideEffectsFlag: Plugin = {
  name: "distrust-side-effects-flag",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")),
      sideEffects: true,
    }));
  },
};

/**
 * esbuild options for the browser (ESM, ES2022, tree-shaken) of a source entry (`src/comfy.ts`) or of
 * an app's import (`{ provider, use }`), built from a virtual entry file.
 */
export function bundleOptions(what: string | { provider: Provider; use: AppImport } | { source: string }): BuildOptions & { write: false } {
  return {
    ...(typeof what === "string"
      ? { entryPoints: [what] }
      : {
          stdin: {
            contents: "source" in what ? what.source : appSource(what.provider, what.use),
            resolveDir: ROOT,
            sourcefile: "source" in what ? "app.ts" : `app-${what.provider}-${what.use}.ts`,
            loader: "ts",
          },
        }),
    absWorkingDir: ROOT,
    bundle: true,
    plugins: [sourceEntries],
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  };
}

const ROWS: Array<{ entry: string; what: Parameters<typeof bundleOptions>[0]; budgetBytes: number }> = [
  { entry: "src/dify.ts", what: "src/dify.ts", budgetBytes: 5 * KB },
  { entry: "src/comfy.ts", what: "src/comfy.ts", budgetBytes: 5 * KB },
  { entry: "src/deepaffects.ts", what: "src/deepaffects.ts", budgetBytes: 5 * KB },
  { entry: "src/index.ts", what: "src/index.ts", budgetBytes: 8 * KB },
  ...PROVIDERS.flatMap((provider) =>
    (Object.keys(IMPORT_TARGETS) as AppImport[]).map((use) => ({
      entry: `${FACTORY[provider]} + ${use === "wait" ? "status + wait" : "status"}`,
      what: { provider, use },
      budgetBytes: IMPORT_TARGETS[use],
    })),
  ),
];

/** `entries` limits the run to the first rows (the test bundles one). */
export async function runBundle(size: { entries?: number } = {}): Promise<BundleResult> {
  const rows: BundleRow[] = [];
  for (const { entry, what, budgetBytes } of ROWS.slice(0, size.entries ?? ROWS.length)) {
    const out = await build({ ...bundleOptions(what), minify: true });
    const code = out.outputFiles[0]!.contents;
    const gzipBytes = gzipSync(code, { level: 9 }).length;
    const inputs = Object.values(out.metafile!.outputs)[0]?.inputs ?? {};
    const largestInputs = Object.entries(inputs)
      // A dependency is named from node_modules on, wherever that lies (a worktree links the main one).
      .map(([input, info]) => ({ input: input.slice(Math.max(0, input.indexOf("node_modules/"))), bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 8);
    rows.push({ entry, minifiedBytes: code.length, gzipBytes, budgetBytes, pass: gzipBytes <= budgetBytes, largestInputs });
  }
  const floors =
    size.entries === undefined
      ? { openapiFetch: await gzipOf(FLOOR_SOURCES.openapiFetch), waitAlone: await gzipOf(FLOOR_SOURCES.waitAlone) }
      : undefined;
  return {
    machine: machine(),
    config: { bundler: "esbuild", platform: "browser, ESM, ES2022, minified", gzip: "zlib level 9" },
    rows,
    floors,
  };
}

async function gzipOf(source: string): Promise<number> {
  const out = await build({ ...bundleOptions({ source }), minify: true });
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runBundle();
  for (const r of result.rows)
    console.log(`${r.entry}: ${r.minifiedBytes} B min, ${r.gzipBytes} B gz (budget ${r.budgetBytes}) ${r.pass ? "PASS" : "MISS"}`);
  console.log(result.floors, result.rows.find((r) => r.entry === "createComfyClient + status")?.largestInputs);
}
