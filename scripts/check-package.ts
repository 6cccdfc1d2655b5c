// `npm run check:package`: builds and packs the package, then lints the tarball users would get with
// publint (strict: warnings fail) and Are the Types Wrong (ESM-only profile: jobstatus ships no
// CommonJS, so only `require` resolution failures are expected and ignored by that profile).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packTarball } from "./pack.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => path.join(REPO_ROOT, "node_modules", ".bin", name);

function run(label: string, command: string, args: readonly string[]): boolean {
  console.log(`\n$ ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit", cwd: REPO_ROOT });
  return result.status === 0;
}

const dest = mkdtempSync(path.join(os.tmpdir(), "jobstatus-check-"));
try {
  const { tarball, hasBin } = packTarball(dest);
  console.log(`packed ${path.basename(tarball)}`);
  const checks = [
    run("publint --strict", bin("publint"), ["run", tarball, "--strict", "--level", "suggestion"]),
    // --no-definitely-typed: every entry ships its own types, so no @types lookup is needed.
    run("attw --profile esm-only", bin("attw"), [tarball, "--profile", "esm-only", "--no-definitely-typed", "--format", "table-flipped"]),
  ];
  if (!hasBin) {
    console.error(`check:package: the tarball has no ${"dist/src/cli/main.js"}, so the jobstatus bin is missing`);
    checks.push(false);
  }
  if (checks.includes(false)) process.exit(1);
  console.log("\ncheck:package: publint and attw found no problems");
} finally {
  rmSync(dest, { recursive: true, force: true });
}
