// Packs the package the way `npm publish` would, from a staged copy of the repository, so checks
// and tests see exactly the published tarball without touching the dist/ a developer is using.
//
//   tsx scripts/pack.ts [<dest-dir>]    prints the tarball's path
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "./build.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What the build and `files` need; README, LICENSE and CHANGELOG are copied when present. */
const STAGED = ["package.json", "tsconfig.json", "tsconfig.build.json", "src", "generated", "README.md", "LICENSE", "CHANGELOG.md"];

export interface Packed {
  tarball: string;
  /** False when the CLI was not built, so the tarball's `bin` points at nothing. */
  hasBin: boolean;
}

/** Builds a staged copy and runs `npm pack` on it; the tarball lands in `dest`. */
export function packTarball(dest: string): Packed {
  const stage = mkdtempSync(path.join(os.tmpdir(), "jobstatus-stage-"));
  try {
    for (const entry of STAGED) {
      const from = path.join(REPO_ROOT, entry);
      if (existsSync(from)) cpSync(from, path.join(stage, entry), { recursive: true });
    }
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(stage, "node_modules"), "dir");
    const { hasBin } = build(stage);
    mkdirSync(dest, { recursive: true });
    // The build already ran; prepack would run it again in the stage.
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], {
      cwd: stage,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [info] = JSON.parse(out) as Array<{ filename: string }>;
    if (!info) throw new Error("pack: npm pack printed no tarball");
    return { tarball: path.join(dest, info.filename), hasBin };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dest = path.resolve(process.argv[2] ?? mkdtempSync(path.join(os.tmpdir(), "jobstatus-pack-")));
  console.log(packTarball(dest).tarball);
}
