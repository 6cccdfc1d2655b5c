// Builds the package into dist/ with tsc (ESM, .d.ts, declaration maps), from a clean dist/ so a
// file deleted from src/ never lingers in a published tarball. Then makes the CLI runnable as the
// `jobstatus` bin: tsc keeps a leading shebang, but does not set the executable bit.
//
//   tsx scripts/build.ts                 build this repository (npm run build; prepack runs it)
//   tsx scripts/build.ts --root <dir>    build a staged copy (scripts/pack.ts), so tests and
//                                        check:package never rewrite the dist/ a developer uses
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BIN_PATH = path.join("dist", "src", "cli", "main.js");
const SHEBANG = "#!/usr/bin/env node";

export interface BuildResult {
  /** False when the CLI source is missing, so the `jobstatus` bin would point at nothing. */
  hasBin: boolean;
}

export function build(root: string = REPO_ROOT): BuildResult {
  rmSync(path.join(root, "dist"), { recursive: true, force: true });

  // The compiler comes from this repository even for a staged copy: the copy links node_modules.
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
    stdio: "inherit",
    cwd: root,
  });
  if (result.status !== 0) throw new Error(`build: tsc failed (exit ${result.status ?? result.signal})`);

  const bin = path.join(root, BIN_PATH);
  if (!existsSync(bin)) return { hasBin: false };
  const text = readFileSync(bin, "utf8");
  // A CLI source without its shebang would install as a bin that the shell cannot start.
  if (!text.startsWith("#!")) writeFileSync(bin, `${SHEBANG}\n${text}`);
  chmodSync(bin, 0o755);
  return { hasBin: true };
}

function parseRoot(argv: readonly string[]): string {
  const at = argv.indexOf("--root");
  if (at === -1) return REPO_ROOT;
  const dir = argv[at + 1];
  if (!dir) throw new Error("build: --root needs a directory");
  return path.resolve(dir);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const root = parseRoot(process.argv.slice(2));
    const { hasBin } = build(root);
    if (!hasBin) console.warn(`build: ${BIN_PATH} was not produced, so the jobstatus bin is missing`);
    console.log(`build: wrote ${path.join(path.relative(process.cwd(), root) || ".", "dist")}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
