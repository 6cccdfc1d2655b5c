/**
 * Benchmark 5: bundle size for the browser with esbuild, minified, gzipped, openapi-fetch bundled in
 * as an app would ship it. Measured as apps import it: one provider's client factory calling `status`
 * once, and the same with `wait`; and each public entry whole.
 *
 *   npx tsx bench/bundle.ts
 */
import { build, type BuildOptions, type Plugin } from "esbuild";
import { gzipSync } from "node:zlib";
import ts from "typescript";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machine, type Machine } from "./lib/machine.js";

export interface BundleRow {
  entry: string;
  minifiedBytes: number;
  gzipBytes: number;
  budgetBytes: number;
  pass: boolean;
  /** Gzipped bytes with every message's text emptied (see withoutMessages): what the code alone weighs. */
  gzipWithoutMessagesBytes: number;
  /** The biggest inputs, minified bytes each, largest first. */
  largestInputs: Array<{ input: string; bytes: number }>;
}

export interface BundleResult {
  machine: Machine;
  config: { bundler: string; platform: string; gzip: string };
  rows: BundleRow[];
  /**
   * Gzipped bytes no app in today's shape gets under, measured on a full run: openapi-fetch alone with
   * an auth middleware and one GET; the shared request core every call runs through, with openapi-fetch
   * (`core`), without it (`coreOwn`), and without it or any message text (`coreOwnCode`); and `wait`
   * imported alone (a one-job watcher, no client).
   */
  floors?: { openapiFetch: number; core: number; coreOwn: number; coreOwnCode: number; waitAlone: number } | undefined;
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
  // The hardened request core (src/core/client.ts) with one GET and no provider: time limit, size cap,
  // redirects that keep the key home, redaction, typed errors, argument checks, retries, logging.
  core: [
    `import { createProviderHttp } from "./src/core/client.ts";`,
    `const auth = (key) => ({ onRequest({ request }) { request.headers.set("X-API-Key", key); } });`,
    `const config = { provider: "comfy", displayName: "Comfy Cloud", envName: "COMFY_API_KEY", defaultBaseUrl: "https://cloud.comfy.org", auth, readError: (body) => body };`,
    `const http = createProviderHttp(config, { apiKey: "key" });`,
    `export const answer = http.call("GET /api/job/{job_id}/status", undefined, (send) => http.api.GET("/api/job/{job_id}/status", { params: { path: { job_id: "job" } }, ...send }));`,
  ].join("\n"),
  waitAlone: `export { wait } from "jobstatus/comfy";`,
};

/**
 * Minified code with the text of every message emptied: each string literal longer than 20
 * characters with a space in it, and the literal parts of a template that has words between spaces.
 * What is left is the code alone: a floor no rewording of messages gets under.
 */
export function withoutMessages(code: string): string {
  const file = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const cuts: Array<[start: number, end: number]> = [];
  const isMessage = (text: string) => text.length > 20 && /\s/.test(text);
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && isMessage(node.text)) {
      cuts.push([node.getStart() + 1, node.getEnd() - 1]);
    } else if (ts.isTemplateExpression(node)) {
      const parts = [node.head, ...node.templateSpans.map((span) => span.literal)];
      // Each part keeps its delimiters: "`" or "}" before, "${" or "`" after.
      if (/\s\w+\s/.test(parts.map((part) => part.text).join(" ")))
        for (const part of parts) cuts.push([part.getStart() + 1, part.getEnd() - (ts.isTemplateTail(part) ? 1 : 2)]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = code;
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + out.slice(end);
  return out;
}

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
    const gzipWithoutMessagesBytes = gzipSync(withoutMessages(out.outputFiles[0]!.text), { level: 9 }).length;
    const inputs = Object.values(out.metafile!.outputs)[0]?.inputs ?? {};
    const largestInputs = Object.entries(inputs)
      // A dependency is named from node_modules on, wherever that lies (a worktree links the main one).
      .map(([input, info]) => ({ input: input.slice(Math.max(0, input.indexOf("node_modules/"))), bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 8);
    rows.push({
      entry,
      minifiedBytes: code.length,
      gzipBytes,
      budgetBytes,
      pass: gzipBytes <= budgetBytes,
      gzipWithoutMessagesBytes,
      largestInputs,
    });
  }
  const floors =
    size.entries === undefined
      ? {
          openapiFetch: await gzipOf(FLOOR_SOURCES.openapiFetch),
          core: await gzipOf(FLOOR_SOURCES.core),
          coreOwn: await gzipOf(FLOOR_SOURCES.core, { external: ["openapi-fetch"] }),
          coreOwnCode: await gzipOf(FLOOR_SOURCES.core, { external: ["openapi-fetch"], withoutMessages: true }),
          waitAlone: await gzipOf(FLOOR_SOURCES.waitAlone),
        }
      : undefined;
  return {
    machine: machine(),
    config: { bundler: "esbuild", platform: "browser, ESM, ES2022, minified", gzip: "zlib level 9" },
    rows,
    floors,
  };
}

async function gzipOf(source: string, options: { external?: string[]; withoutMessages?: boolean } = {}): Promise<number> {
  const out = await build({ ...bundleOptions({ source }), minify: true, external: options.external ?? [] });
  const code = out.outputFiles[0]!.text;
  return gzipSync(options.withoutMessages ? withoutMessages(code) : code, { level: 9 }).length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runBundle();
  for (const r of result.rows)
    console.log(`${r.entry}: ${r.minifiedBytes} B min, ${r.gzipBytes} B gz (budget ${r.budgetBytes}) ${r.pass ? "PASS" : "MISS"}`);
  console.log(result.floors, result.rows.find((r) => r.entry === "createComfyClient + status")?.largestInputs);
}
