/** The package's version, for `jobstatus --version`: read from the package.json this file ships in. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The nearest package.json named "jobstatus" above this file: two folders up from src/cli/ in a clone,
 * three from dist/src/cli/ when installed. Undefined if none is found (a bundle that dropped it).
 */
export function packageVersion(from: string = import.meta.url): string | undefined {
  for (let up = 1; up <= 4; up++) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(`${"../".repeat(up)}package.json`, from)), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "jobstatus" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json at this level, or not JSON: look one level up.
    }
  }
  return undefined;
}
