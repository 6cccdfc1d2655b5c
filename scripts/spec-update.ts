// `npm run spec:update -- <name> <file-or-url>`: follow a provider's new OpenAPI document in one step.
//
//   1. replaces openapi/upstream/<snapshot> with the new document, byte for byte, and rewrites its manifest
//   2. rebuilds openapi/<name>.yaml from it and our overlay (an action that no longer applies stops here)
//   3. regenerates generated/<name>.ts and runs the typecheck
//   4. prints the breaking-change report of the built document (spec:diff's rules: the wire as
//      api-smart-diff classifies it, plus jobstatus's rule for its public generated types)
//
// Exits 1 on a breaking change unless --accept-breaking is given, and on a failed build or typecheck.
// A refused update (a failed build, or a breaking change not accepted) puts every file back as it was,
// so the same command can be rerun after a fix or with --accept-breaking and reports the same changes.
// A failed typecheck keeps the regenerated types in place: the client code has to follow them.
//
//   ... --accept-breaking        let breaking changes through (the report still lists them)
//   ... --root <dir>             work on <dir> instead of this repository (tests use a temporary copy)
//   ... --no-typecheck           skip step 3's typecheck
//   ... --report <file>          also write the report to <file> (the scheduled workflow's pull request body)
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { buildDocument, paths, readManifest, sha256, SpecBuildError, type Manifest } from "./spec/build.js";
import { compareDocuments, printReport, type DocumentReport } from "./spec-diff.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MAX_BYTES = 32 << 20;
const FETCH_TIMEOUT_MS = 60_000;

interface Options {
  name: string;
  input: string;
  root: string;
  acceptBreaking: boolean;
  typecheck: boolean;
  reportFile?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const positional: string[] = [];
  const options: Partial<Options> = { root: REPO_ROOT, acceptBreaking: false, typecheck: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (!next) throw new SpecBuildError(`${arg} needs a value`);
      return next;
    };
    if (arg === "--accept-breaking") options.acceptBreaking = true;
    else if (arg === "--no-typecheck") options.typecheck = false;
    else if (arg === "--root") options.root = path.resolve(value());
    else if (arg === "--report") options.reportFile = path.resolve(value());
    else if (arg.startsWith("--")) throw new SpecBuildError(`unknown argument ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new SpecBuildError("expected a document name and a file or URL");
  return { ...(options as Options), name: positional[0]!, input: positional[1]! };
}

const isUrl = (input: string) => /^https?:\/\//i.test(input);

async function readInput(input: string): Promise<Buffer> {
  if (!isUrl(input)) {
    try {
      return readFileSync(path.resolve(input));
    } catch (error) {
      throw new SpecBuildError(`cannot read ${input}: ${(error as Error).message}`);
    }
  }
  const response = await fetch(input, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }).catch((error: Error) => {
    throw new SpecBuildError(`cannot fetch ${input}: ${error.message}`);
  });
  if (!response.ok) throw new SpecBuildError(`${input} answered HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_BYTES) throw new SpecBuildError(`${input} is larger than ${MAX_BYTES} bytes`);
  return bytes;
}

function checkIsOpenApi(bytes: Buffer, input: string): void {
  let doc: unknown;
  try {
    doc = YAML.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new SpecBuildError(`${input} is neither JSON nor YAML: ${(error as Error).message}`);
  }
  const version = (doc as { openapi?: unknown } | null)?.openapi;
  if (typeof version !== "string" || !/^3\./.test(version)) throw new SpecBuildError(`${input} is not an OpenAPI 3 document`);
}

const today = () => new Date().toISOString().slice(0, 10);

function newManifest(old: Manifest, input: string, bytes: Buffer): Manifest {
  // The commit and note described the old snapshot; where the new one came from is all we know now.
  const { commit: _commit, note: _note, url: _url, file: _file, date: _date, ...kept } = old.source;
  const from = isUrl(input) ? { url: input } : { file: path.basename(input) };
  return { ...old, source: { ...kept, ...from, date: today() }, sha256: sha256(bytes) };
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 16 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const read = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

async function main(options: Options): Promise<number> {
  const { name, root } = options;
  const manifest = readManifest(root, name);
  if (manifest.snapshot === null)
    throw new SpecBuildError(`${name} is hand-written (openapi/upstream/${name}.source.yaml): there is no upstream document to follow`);
  const where = paths(root, name);
  const bytes = await readInput(options.input);
  checkIsOpenApi(bytes, options.input);

  const builtBefore = read(where.built);
  const generatedFile = path.join(root, "generated", `${name}.ts`);
  const generatedBefore = read(generatedFile);
  const snapshotFile = path.join(where.upstreamDir, manifest.snapshot);
  const unchangedUpstream = read(snapshotFile) === bytes.toString("utf8");

  const touched = [snapshotFile, where.manifest, where.built, generatedFile];
  const before = new Map(touched.map((file) => [file, read(file)]));
  const restore = () => {
    for (const [file, text] of before) if (text !== undefined) writeFileSync(file, text);
    console.error("Nothing was changed: openapi/ and generated/ are as they were.");
  };

  // An unchanged document keeps its manifest, so a scheduled run that finds nothing new changes nothing.
  if (!unchangedUpstream) {
    writeFileSync(snapshotFile, bytes);
    writeFileSync(where.manifest, manifestText(name, newManifest(manifest, options.input, bytes)));
  }
  console.log(
    `1. openapi/upstream/${manifest.snapshot}: ${unchangedUpstream ? "unchanged" : "replaced"} (sha256 ${sha256(bytes).slice(0, 12)}...)`,
  );

  let built: string;
  try {
    ({ text: built } = await buildDocument(root, name));
  } catch (error) {
    if (!(error instanceof SpecBuildError)) throw error;
    console.error(`2. spec:build failed:\n${error.message}\n`);
    restore();
    return 1;
  }
  writeFileSync(where.built, built);
  console.log(`2. openapi/${name}.yaml: ${built === builtBefore ? "unchanged" : "rebuilt"}`);

  const tsx = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const generate = await run(process.execPath, [tsx, path.join(REPO_ROOT, "scripts", "generate.ts"), "--root", root], root);
  if (generate.code !== 0) {
    console.error(`3. npm run generate failed:\n${generate.output}`);
    restore();
    return 1;
  }
  console.log(`3. generated/${name}.ts: ${read(generatedFile) === generatedBefore ? "unchanged" : "regenerated"}`);

  let typecheckOk = true;
  if (options.typecheck) {
    const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const typecheck = await run(process.execPath, [tsc, "--noEmit", "-p", path.join(root, "tsconfig.json")], root);
    typecheckOk = typecheck.code === 0;
    console.log(`   typecheck: ${typecheckOk ? "clean" : "FAILED"}`);
    if (!typecheckOk) {
      const errors = typecheck.output.trimEnd().split("\n");
      const shown = errors.slice(0, 40).map((line) => `     ${line}`);
      if (errors.length > 40) shown.push(`     ... ${errors.length - 40} more lines (npm run typecheck)`);
      console.log(shown.join("\n"));
    }
  } else {
    console.log("   typecheck: skipped (--no-typecheck)");
  }

  const report: DocumentReport =
    builtBefore === undefined
      ? { document: `openapi/${name}.yaml`, status: "added", changes: [] }
      : (() => {
          const changes = compareDocuments(YAML.parse(builtBefore), YAML.parse(built));
          return { document: `openapi/${name}.yaml`, status: changes.length === 0 ? "unchanged" : "changed", changes };
        })();
  console.log(
    "\n4. breaking-change report (wire: api-smart-diff; [jobstatus: ...] marks a change that breaks our public generated types)\n",
  );
  const lines: string[] = [];
  printReport([report], "the previous build", false, (line) => {
    lines.push(line);
    console.log(line);
  });
  if (options.reportFile) writeFileSync(options.reportFile, `${lines.join("\n")}\n`);

  const breaking = report.changes.filter((c) => c.type === "breaking").length;
  if (breaking > 0 && !options.acceptBreaking) {
    console.error(
      `\n${breaking} breaking change(s): review them (CONTRIBUTING.md, "Following a provider's new document"), then rerun with --accept-breaking.`,
    );
    restore();
    return 1;
  }
  if (!typecheckOk) {
    console.error("\nThe typecheck failed against the regenerated types: the client code must follow the change.");
    return 1;
  }
  return 0;
}

function manifestText(name: string, manifest: Manifest): string {
  return (
    `# Where openapi/upstream/${manifest.snapshot} comes from. The snapshot is kept byte for byte as published;\n` +
    `# \`npm run spec:update -- ${name} <file-or-url>\` replaces it and rewrites this manifest.\n` +
    YAML.stringify(manifest, { lineWidth: 0 })
  );
}

try {
  process.exitCode = await main(parseArgs(process.argv.slice(2)));
} catch (error) {
  if (!(error instanceof SpecBuildError)) throw error;
  process.stderr.write(
    `spec:update: ${error.message}\nusage: npm run spec:update -- <name> <file-or-url> [--accept-breaking] [--no-typecheck] [--report <file>] [--root <dir>]\n`,
  );
  process.exitCode = 2;
}
