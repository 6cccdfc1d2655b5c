// Every TypeScript snippet of the README, type-checked as shown: each is its own module, importing
// "jobstatus/..." as a user would (tsconfig.json's paths map the names to src/). A snippet's
// relative import ("./render.js": "your code") resolves to the file of that name in examples/.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");

function snippets(markdown: string): Array<{ line: number; code: string }> {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({
    line: markdown.slice(0, m.index).split("\n").length,
    code: m[1]!,
  }));
}

test("every ts snippet of the README compiles as shown", { timeout: 90_000 }, async () => {
  const found = snippets(await readFile(path.join(REPO, "README.md"), "utf8"));
  expect(found.length).toBeGreaterThanOrEqual(9);

  // Inside the repository, so the snippets find node_modules and its package.json ("type": "module").
  await mkdir(path.join(REPO, ".cache"), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, ".cache", "readme-snippets-"));
  try {
    const files = found.map(({ line }) => `readme-line-${line}.ts`);
    await Promise.all(found.map(({ code }, i) => writeFile(path.join(dir, files[i]!), code)));
    const tsconfig = {
      extends: path.join(REPO, "tsconfig.json"),
      compilerOptions: { rootDirs: [dir, path.join(REPO, "examples")], noEmit: true },
      include: files,
    };
    await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const output = await new Promise<string>((resolve) => {
      execFile(process.execPath, [TSC, "-p", dir, "--pretty", "false"], { cwd: dir }, (_error, stdout, stderr) => resolve(stdout + stderr));
    });
    // "readme-line-<n>.ts(row,col): error ..." names the snippet by the README line of its fence.
    expect(output.trim()).toBe("");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
