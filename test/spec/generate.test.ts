// The drift check is what makes "edit a document, forget to regenerate" fail CI, so it is tested the
// way CI runs it: as a separate process, on a temporary copy of openapi/ and generated/.
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { REPO, RUN_TIMEOUT_MS, runScript, type Run } from "./run-script.js";

function runCheck(root: string): Promise<Run> {
  return runScript("scripts/generate.ts", ["--check", "--root", root]);
}

const copies: string[] = [];

async function copyOfRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "jobstatus-generate-"));
  copies.push(dir);
  await cp(path.join(REPO, "openapi"), path.join(dir, "openapi"), { recursive: true });
  await cp(path.join(REPO, "generated"), path.join(dir, "generated"), { recursive: true });
  return dir;
}

/** Adds a property to one schema, the kind of edit someone forgets to regenerate after. */
async function addProperty(root: string, document: string, schema: string): Promise<void> {
  const file = path.join(root, "openapi", `${document}.yaml`);
  const doc = YAML.parse(await readFile(file, "utf8"));
  doc.components.schemas[schema].properties.queue_position = { type: "integer" };
  await writeFile(file, YAML.stringify(doc));
}

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

// Each run converts all four documents in a fresh process; allow for a slow CI machine.
describe("scripts/generate.ts --check", { timeout: RUN_TIMEOUT_MS }, () => {
  it("passes when generated/ matches the documents", async () => {
    const result = await runCheck(await copyOfRepo());
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("fails naming only the file whose document was edited", async () => {
    const root = await copyOfRepo();
    await addProperty(root, "dify-completion", "AsyncJobResponse");

    const result = await runCheck(root);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual(["generated/dify-completion.ts is stale: run npm run generate"]);
  });

  it("names every stale, missing and orphaned file in one run", async () => {
    const root = await copyOfRepo();
    await addProperty(root, "comfy-cloud", "JobStatusResponse");
    await addProperty(root, "deepaffects", "AsyncAccepted");
    await unlink(path.join(root, "generated", "dify-chatflow.ts"));
    await writeFile(path.join(root, "generated", "retired-provider.ts"), "export {};\n");

    const result = await runCheck(root);

    expect(result.code).toBe(1);
    expect(lines(result.stderr).sort()).toEqual([
      "generated/comfy-cloud.ts is stale: run npm run generate",
      "generated/deepaffects.ts is stale: run npm run generate",
      "generated/dify-chatflow.ts is missing: run npm run generate",
      "generated/retired-provider.ts has no document openapi/retired-provider.yaml: run npm run generate to remove it",
    ]);
  });
});
