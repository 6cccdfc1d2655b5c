// `npm install` rewrites the lock's root entry from package.json; when the two disagree, a fresh
// clone is left with a modified package-lock.json. These are the fields npm copies over.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

const readJson = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")) as Record<string, unknown>;
const pkg = readJson("package.json");
const lock = readJson("package-lock.json") as { name?: string; version?: string; packages?: Record<string, Record<string, unknown>> };

const COPIED = [
  "name",
  "version",
  "license",
  "bin",
  "engines",
  "funding",
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
];

/** npm stores a string `bin` as `{ [name]: path }` and drops a leading "./" from each path. */
function normalizeBin(bin: unknown, name: unknown): unknown {
  if (bin === undefined) return undefined;
  const entries = typeof bin === "string" ? { [String(name)]: bin } : (bin as Record<string, string>);
  return Object.fromEntries(Object.entries(entries).map(([key, file]) => [key, file.replace(/^\.\//, "")]));
}

test("the lock's root entry says what package.json says, so npm install leaves a fresh clone clean", () => {
  const root = lock.packages?.[""] ?? {};
  const pick = (source: Record<string, unknown>) =>
    Object.fromEntries(
      COPIED.map((key) => [key, key === "bin" ? normalizeBin(source.bin, source.name) : source[key]]).filter(
        ([, value]) => value !== undefined,
      ),
    );
  expect(pick(root)).toEqual(pick(pkg));
  expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg.name, version: pkg.version });
});
