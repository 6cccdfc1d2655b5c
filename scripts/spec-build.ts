// `npm run spec:build`: writes openapi/<name>.yaml from openapi/upstream/ plus openapi/overlays/<name>.yaml.
// `npm run spec:check`: builds in memory and fails, naming each file, when a committed document is not
// what the build makes (a hand edit, or an overlay changed without rebuilding).
//
//   tsx scripts/spec-build.ts [--check] [--root <dir>] [name ...]
//
// Documents whose manifest says `snapshot: null` (DeepAffects) are hand-written and left alone.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildDocument, listManifests, paths, readManifest, SpecBuildError } from "./spec/build.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function parseArgs(argv: readonly string[]): { check: boolean; root: string; names: string[] } {
  const options = { check: false, root: REPO_ROOT, names: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--check") options.check = true;
    else if (arg === "--root") {
      const dir = argv[++i];
      if (!dir) throw new SpecBuildError("--root needs a directory");
      options.root = path.resolve(dir);
    } else if (arg.startsWith("--")) throw new SpecBuildError(`unknown argument ${arg}`);
    else options.names.push(arg);
  }
  return options;
}

const read = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

async function main(): Promise<number> {
  const { check, root, names } = parseArgs(process.argv.slice(2));
  const all = listManifests(root);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new SpecBuildError(`no manifest for ${unknown.join(", ")} (known: ${all.join(", ")})`);
  const built = (names.length > 0 ? names : all).filter((name) => readManifest(root, name).snapshot !== null);
  const problems: string[] = [];
  if (names.length === 0) {
    const documents = readdirSync(path.join(root, "openapi"))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -".yaml".length));
    for (const orphan of documents.filter((n) => !all.includes(n))) {
      problems.push(
        `openapi/${orphan}.yaml has no manifest openapi/upstream/${orphan}.source.yaml: say where it comes from (or that it is hand-written, snapshot: null)`,
      );
    }
  }
  for (const name of built) {
    let text: string;
    try {
      ({ text } = await buildDocument(root, name));
    } catch (error) {
      if (!(error instanceof SpecBuildError)) throw error;
      problems.push(error.message);
      continue;
    }
    const file = paths(root, name).built;
    if (read(file) === text) continue;
    if (check) {
      problems.push(
        `openapi/${name}.yaml is not what spec:build makes from openapi/upstream/ and openapi/overlays/${name}.yaml: ` +
          `put the change in the overlay and run npm run spec:build (never edit a built document)`,
      );
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote openapi/${name}.yaml\n`);
    }
  }
  for (const problem of problems) process.stderr.write(`spec:build: ${problem}\n`);
  if (problems.length > 0) return 1;
  if (check) process.stdout.write(`openapi/ matches upstream + overlays (${built.length} built documents)\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof SpecBuildError)) throw error;
  process.stderr.write(`spec:build: ${error.message}\nusage: tsx scripts/spec-build.ts [--check] [--root <dir>] [name ...]\n`);
  process.exitCode = 2;
}
