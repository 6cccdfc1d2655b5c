// The directions of import (docs/architecture.md): cli -> entries -> {lifecycle, providers} -> core. core knows
// no provider and no lifecycle, lifecycle knows providers only through the JobProvider interface,
// generated/ is read only by providers and the test kit, and the runtime never reaches the test kit,
// the CLI or a node: module.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

/** Every source file as a path relative to src/, with the specifiers it imports or re-exports. */
function sources(): Array<{ file: string; imports: string[] }> {
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.map((file) => {
    const text = readFileSync(path.join(SRC, file), "utf8");
    const imports = [
      ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms),
      ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ].map((m) => {
      const spec = m[1]!;
      // Relative imports as paths under src/ (generated/ comes out as ../generated/...).
      return spec.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file.split(path.sep).join("/")), spec)) : spec;
    });
    return { file: file.split(path.sep).join("/"), imports };
  });
}

/** The layer of a file or of a resolved import: its folder under src/, or what lies outside src/. */
function layerOf(p: string): string {
  if (p.startsWith("../generated/")) return "generated";
  if (p.startsWith("../")) return "outside src";
  if (p.startsWith("node:")) return "node";
  const [top, ...rest] = p.split("/");
  if (rest.length === 0)
    return /\.(ts|js)$/.test(p) ? (p.startsWith("testing.") ? "testing" : p.startsWith("bullmq.") ? "bullmq" : "entry") : "package";
  if (top!.startsWith("@")) return "package";
  return top!;
}

/** What each layer may import, besides npm packages (checked for the runtime by the bundle test). */
const ALLOWED: Record<string, string[]> = {
  core: ["core"],
  providers: ["core", "generated"],
  lifecycle: ["core", "lifecycle"],
  entry: ["core", "providers", "lifecycle", "entry"],
  // jobstatus/bullmq runs on Node only, beside the runtime: no entry re-exports it.
  bullmq: ["bullmq", "core", "providers", "lifecycle", "entry", "node"],
  testing: ["testing", "core", "providers", "lifecycle", "generated", "entry", "node"],
  cli: ["cli", "entry", "testing", "core", "providers", "lifecycle", "node"],
};

it("every import in src/ follows the directions of docs/architecture.md", () => {
  const files = sources();
  expect(files.length).toBeGreaterThan(30); // the scan found the sources, so the check is not vacuous
  const wrong: string[] = [];
  for (const { file, imports } of files) {
    const from = layerOf(file);
    for (const target of imports) {
      const to = layerOf(target);
      if (to === "package") continue;
      if (!ALLOWED[from]?.includes(to)) wrong.push(`${file} (${from}) imports ${target} (${to})`);
    }
  }
  expect(wrong).toEqual([]);
});

it("the layer check sees a wrong import: lifecycle importing a provider", () => {
  expect(ALLOWED[layerOf("lifecycle/wait.ts")]).not.toContain(layerOf("providers/comfy.js"));
  expect(ALLOWED[layerOf("core/client.ts")]).not.toContain(layerOf("node:http"));
  expect(ALLOWED[layerOf("dify.ts")]).not.toContain(layerOf("testing.js"));
  expect(ALLOWED[layerOf("index.ts")]).not.toContain(layerOf("bullmq.js"));
  expect(ALLOWED[layerOf("bullmq/worker.ts")]).not.toContain(layerOf("testing.js"));
});
