// The published tarball, used the way a user would: installed into a fresh project, every entry
// imported by Node, the `jobstatus` bin run, and a consumer file type-checked under NodeNext.
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packTarball } from "../../scripts/pack.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const STEP_TIMEOUT_MS = 90_000;

function npmWorks(): boolean {
  try {
    execFileSync("npm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Without npm there is nothing to pack with; that may be skipped on a developer's machine only.
const canPack = npmWorks();
if (!canPack && process.env.CI) throw new Error("install test: `npm` is not on PATH, so the tarball cannot be packed (required in CI)");
if (!canPack) console.warn("install test SKIPPED: `npm` is not on PATH, so the tarball cannot be packed");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: STEP_TIMEOUT_MS, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}

const CONSUMER_TS = `import { createComfyClient, wait, type ComfyJobHandle, type JobSnapshot, type JobState } from "jobstatus/comfy";
import { JobStatusError } from "jobstatus";

export async function runOnce(apiKey: string, workflow: Record<string, unknown>): Promise<JobState> {
  const comfy = createComfyClient({ apiKey, baseUrl: "http://127.0.0.1:1/comfy", timeoutMs: 5_000 });
  const handle: ComfyJobHandle = await comfy.submitWorkflow(workflow);
  try {
    const done: JobSnapshot<unknown, ComfyJobHandle> = await wait(comfy, handle, { timeoutMs: 60_000 });
    return done.state;
  } catch (error) {
    if (error instanceof JobStatusError) return "failed";
    throw error;
  }
}
`;

// No @types/node: the runtime entries' types must stand on the DOM's fetch types alone.
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    skipDefaultLibCheck: true,
  },
  files: ["consumer.ts"],
};

const IMPORT_EVERY_ENTRY = `
const expected = {
  "jobstatus": ["createDifyClient", "createComfyClient", "createDeepAffectsClient", "wait", "watch", "createWatcher"],
  "jobstatus/dify": ["createDifyClient", "wait", "JobStatusError"],
  "jobstatus/comfy": ["createComfyClient", "wait", "JobStatusError"],
  "jobstatus/deepaffects": ["createDeepAffectsClient", "createWebhookHandler", "wait"],
  "jobstatus/testing": ["startFakeProviders", "DEFAULT_KEYS"],
};
for (const [specifier, names] of Object.entries(expected)) {
  const mod = await import(specifier);
  const missing = names.filter((name) => mod[name] === undefined);
  if (missing.length) throw new Error(specifier + " lacks " + missing.join(", "));
}
const pkg = (await import("jobstatus/package.json", { with: { type: "json" } })).default;
console.log("imported", Object.keys(expected).length, "entries of", pkg.name + "@" + pkg.version);
`;

describe.skipIf(!canPack)("the packed tarball in a fresh project", () => {
  let work = "";
  let project = "";
  let hasBin = false;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "jobstatus-install-"));
    project = path.join(work, "app");
    const packed = packTarball(path.join(work, "pack"));
    hasBin = packed.hasBin;
    await run("mkdir", ["-p", project], work);
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    // From npm's cache when it has the dependencies (it does after `npm ci`); the registry otherwise.
    const install = await run(
      "npm",
      ["install", packed.tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
      project,
    );
    if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  }, 3 * STEP_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(
    "imports every entry with Node",
    async () => {
      const result = await run(process.execPath, ["--input-type=module", "-e", IMPORT_EVERY_ENTRY], project);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("imported 5 entries of jobstatus@");
      expect(result.code).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "require()s every entry, as the README promises on Node 20.19+",
    async () => {
      const requireEvery = `for (const e of ["jobstatus", "jobstatus/dify", "jobstatus/comfy", "jobstatus/deepaffects"]) if (typeof require(e).wait !== "function") throw new Error(e + " has no wait");
console.log(typeof require("jobstatus/testing").startFakeProviders);`;
      const result = await run(process.execPath, ["--input-type=commonjs", "-e", requireEvery], project);
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe("function");
      expect(result.code).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "ships the README, the LICENSE and package metadata npm shows",
    async () => {
      const installed = path.join(project, "node_modules", "jobstatus");
      const license = await readFile(path.join(installed, "LICENSE"), "utf8");
      expect(license).toContain("MIT License");
      expect(await readFile(path.join(installed, "README.md"), "utf8")).toContain("npm i jobstatus");
      const pkg = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
      expect(Object.keys(pkg)).toEqual(expect.arrayContaining(["repository", "homepage", "bugs", "license"]));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "runs `npx jobstatus --help`",
    async () => {
      expect(hasBin, "the tarball has no dist/src/cli/main.js (the CLI was not built)").toBe(true);
      const result = await run("npx", ["--no-install", "jobstatus", "--help"], project);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).toContain("status");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "type-checks a consumer of jobstatus/comfy under NodeNext",
    async () => {
      await writeFile(path.join(project, "consumer.ts"), CONSUMER_TS);
      await writeFile(path.join(project, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
      const result = await run(process.execPath, [TSC, "-p", "tsconfig.json"], project);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.code).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );
});
