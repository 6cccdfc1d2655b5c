// What a browser or edge user gets from each runtime entry: bundled with esbuild for the browser
// platform, it must build without Node built-ins, touch no Node-only global, carry no other
// provider's code, and stay under the size ceilings below (minified, then gzipped). Sizes are
// measured as apps import the package too: one provider's client calling `status`, then `wait`.
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { IMPORT_TARGETS, PROVIDERS, bundleOptions, distrustSideEffectsFlag, type AppImport, type Provider } from "../../bench/bundle.js";

/**
 * Sizes in bytes (1 kB = 1,000 bytes, as size-limit counts), minified and gzipped. `target` is the
 * goal, which every bundle misses (BENCHMARKS.md, section 5, says by how much and what fills them);
 * `ceiling` is what npm test enforces, a little above today's size, so that growth is a decision.
 */
// Comfy's WebSocket push added 1.35 kB to every `wait` (the shared connection and each job's part in
// it: lifecycle/push.ts, job-loop.ts) and 0.35 kB to every Comfy client (its frame reader).
const ENTRIES = {
  index: { target: 8_000, ceiling: 24_000, provider: undefined },
  dify: { target: 5_000, ceiling: 19_330, provider: "dify" },
  comfy: { target: 5_000, ceiling: 19_550, provider: "comfy" },
  deepaffects: { target: 5_000, ceiling: 20_890, provider: "deepaffects" },
} as const;
type Entry = keyof typeof ENTRIES;

/**
 * Ceilings of what an app pays, gzipped, for one provider's client and one `status` call, and for a
 * `wait` on top of it (bench/bundle.ts builds both apps). The targets (IMPORT_TARGETS: 5 and 9 kB)
 * are below the request core every call runs through: 8.6 kB with openapi-fetch, 5.4 kB without it
 * and with no message text (BENCHMARKS.md, section 5); `wait` alone, a one-job watcher, is 10.1 kB.
 */
const IMPORT_CEILINGS: Record<Provider, Record<AppImport, number>> = {
  dify: { status: 10_650, wait: 18_910 },
  comfy: { status: 10_880, wait: 19_170 },
  deepaffects: { status: 11_450, wait: 19_190 },
};

/** Source modules and literals that belong to one provider only. */
const PROVIDER_CODE: Record<Provider, { modules: string[]; strings: RegExp[] }> = {
  dify: { modules: ["src/providers/dify.ts"], strings: [/annotation-reply/, /api\.dify\.ai/, /DIFY_API_KEY/] },
  comfy: { modules: ["src/providers/comfy.ts"], strings: [/cloud\.comfy\.org/, /\/api\/prompt/, /X-API-Key/i, /COMFY_API_KEY/] },
  deepaffects: {
    modules: ["src/providers/deepaffects.ts", "src/lifecycle/webhook.ts"],
    strings: [/deepaffects/i, /\/async\/status/, /recognise_emotion/],
  },
};

/** Node-only globals. esbuild's `define` rewrites only free references, never locals or properties. */
const NODE_GLOBALS = ["process", "Buffer", "require", "__dirname", "__filename", "global", "setImmediate"];
const MARK = (name: string) => `__NODE_GLOBAL_${name}__`;

interface Bundle {
  code: string;
  inputs: string[];
  /** The inputs that put bytes into the minified output (tree-shaking drops the others). */
  included: string[];
  minified: number;
  gzipped: number;
}

async function bundle(what: Entry | { provider: Provider; use: AppImport }, options: { external?: string[] } = {}): Promise<Bundle> {
  const common = { ...bundleOptions(typeof what === "string" ? `src/${what}.ts` : what), external: options.external ?? [] };
  // Unminified with markers for the checks; minified without them for the size.
  const checked = await build({ ...common, define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, MARK(g)])) });
  const minified = await build({ ...common, minify: true });
  const min = minified.outputFiles![0]!.contents;
  return {
    code: checked.outputFiles![0]!.text,
    inputs: Object.keys((checked.metafile as Metafile).inputs),
    included: Object.entries(Object.values((minified.metafile as Metafile).outputs)[0]!.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([name]) => name),
    minified: min.byteLength,
    gzipped: gzipSync(min, { level: 9 }).byteLength,
  };
}

const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`bundle sizes (browser, minified + gzip -9):\n${measured.join("\n")}`);
});

describe.each(Object.keys(ENTRIES) as Entry[])("entry %s", (entry) => {
  const label = entry === "index" ? "jobstatus" : `jobstatus/${entry}`;
  const { target, ceiling, provider } = ENTRIES[entry];

  it("bundles for the browser with no node: import and no Node-only global in our code", async () => {
    // A `node:` import makes the browser-platform build itself fail, so building is the first check.
    const own = await bundle(entry, { external: ["openapi-fetch"] });
    expect(own.inputs.filter((input) => input.startsWith("node:"))).toEqual([]);
    expect(own.code).not.toMatch(/["']node:/);
    expect(own.code).not.toContain("__require");
    const used = NODE_GLOBALS.filter((g) => own.code.includes(MARK(g)));
    expect(used, `${label} uses Node-only globals`).toEqual([]);
  });

  it("uses Node-only globals in its dependencies only behind a typeof guard", async () => {
    const full = await bundle(entry);
    const unguarded = full.code
      .split("\n")
      .filter((line) => NODE_GLOBALS.some((g) => line.includes(MARK(g)) && !line.includes(`typeof ${MARK(g)}`)));
    expect(unguarded, `${label}: unguarded Node-only globals`).toEqual([]);
  });

  it.skipIf(provider === undefined)("carries no other provider's code", async () => {
    const full = await bundle(entry);
    for (const other of (Object.keys(PROVIDER_CODE) as Provider[]).filter((p) => p !== provider)) {
      const { modules, strings } = PROVIDER_CODE[other];
      expect(
        full.inputs.filter((input) => modules.includes(input)),
        `${label} includes ${other} modules`,
      ).toEqual([]);
      for (const pattern of strings) expect(full.code, `${label} contains ${other}'s ${pattern}`).not.toMatch(pattern);
    }
    // And it does carry its own, so the checks above are not vacuous.
    for (const pattern of PROVIDER_CODE[provider!].strings) expect(full.code).toMatch(pattern);
  });

  it("runs nothing at module load: imported for nothing, it leaves only constants, even to a bundler that ignores sideEffects", async () => {
    const options = bundleOptions({ source: `import ${JSON.stringify(label)};` });
    const out = await build({ ...options, plugins: [...(options.plugins ?? []), distrustSideEffectsFlag], minify: true });
    const code = out.outputFiles![0]!.text;
    // Numeric constants (`var a=24*60*60*1e3`) are all esbuild keeps: no call, function, class or object.
    expect(code, code).not.toMatch(/[{}]|=>|\b(?:class|function|new)\b|[\w$)\]]\(/);
  });

  it(`stays under its ceiling of ${ceiling / 1000} kB minified + gzipped`, async () => {
    const { minified, gzipped } = await bundle(entry);
    record(label, minified, gzipped, ceiling, target);
    expect(gzipped, `${label}: ${gzipped} B gzipped, ceiling ${ceiling} B`).toBeLessThanOrEqual(ceiling);
  });
});

function record(label: string, minified: number, gzipped: number, ceiling: number, target: number): void {
  const verdict = gzipped <= target ? "target met" : "over target";
  measured.push(
    `  ${label.padEnd(36)} ${(minified / 1000).toFixed(1).padStart(6)} kB min  ${(gzipped / 1000).toFixed(2).padStart(6)} kB gz  ceiling ${ceiling / 1000} kB, target ${target / 1000} kB: ${verdict}`,
  );
}

describe.each(PROVIDERS)("an app importing jobstatus/%s", (provider) => {
  it.each(Object.keys(IMPORT_TARGETS) as AppImport[])("pays no more than its ceiling for its client with %s", async (use) => {
    const { minified, gzipped, included } = await bundle({ provider, use });
    const ceiling = IMPORT_CEILINGS[provider][use];
    record(`${provider}: client + status${use === "wait" ? " + wait" : ""}`, minified, gzipped, ceiling, IMPORT_TARGETS[use]);
    // Only the wait brings the lifecycle's watcher; a status call carries none of it.
    expect(included.includes("src/lifecycle/watcher.ts")).toBe(use === "wait");
    expect(gzipped, `${provider} ${use}: ${gzipped} B gzipped, ceiling ${ceiling} B`).toBeLessThanOrEqual(ceiling);
  });
});
