// `npm run spec:diff` must call the edits that break jobstatus users breaking, and must not cry wolf
// over an additive one. Each case edits a temporary copy of openapi/ and runs the script as CI would,
// against the repository's own documents; openapi/ itself is never touched.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { DocumentReport } from "../../scripts/spec-diff.js";
import { REPO, runScript, type Run } from "./run-script.js";

function specDiff(args: readonly string[]): Promise<Run> {
  return runScript("scripts/spec-diff.ts", args);
}

const copies: string[] = [];
afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

type Doc = Record<string, any>;

/** A temporary copy of openapi/ with one document edited. */
async function editedCopy(document: string, edit: (doc: Doc) => void): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "jobstatus-spec-diff-"));
  copies.push(root);
  await cp(path.join(REPO, "openapi"), path.join(root, "openapi"), { recursive: true });
  const file = path.join(root, "openapi", `${document}.yaml`);
  const doc = YAML.parse(await readFile(file, "utf8")) as Doc;
  edit(doc);
  await writeFile(file, YAML.stringify(doc));
  return root;
}

/** The JSON report of an edited copy against the unedited documents, and the exit code with --fail-on-breaking. */
async function report(document: string, edit: (doc: Doc) => void): Promise<{ changed: DocumentReport; code: number }> {
  const root = await editedCopy(document, edit);
  const args = ["--root", root, "--before-dir", path.join(REPO, "openapi")];
  const [json, gate] = await Promise.all([specDiff([...args, "--json"]), specDiff([...args, "--fail-on-breaking"])]);
  expect(json.code, json.stderr).toBe(0);
  const { documents } = JSON.parse(json.stdout) as { documents: DocumentReport[] };
  for (const other of documents.filter((d) => d.document !== `openapi/${document}.yaml`)) expect(other.status).toBe("unchanged");
  const changed = documents.find((d) => d.document === `openapi/${document}.yaml`)!;
  expect(changed.status).toBe("changed");
  return { changed, code: gate.code };
}

const breaking = (r: DocumentReport) => r.changes.filter((c) => c.type === "breaking");
const comfyStatus = (doc: Doc) => doc.components.schemas.JobStatusResponse;

describe("npm run spec:diff", () => {
  it("reports removing a Comfy status value as breaking", async () => {
    const { changed, code } = await report("comfy-cloud", (doc) => {
      comfyStatus(doc).properties.status.enum = comfyStatus(doc).properties.status.enum.filter((s: string) => s !== "lost");
    });
    expect(
      breaking(changed)
        .map((c) => c.location)
        .join("\n"),
    ).toMatch(/JobStatusResponse\.properties\.status\.enum|properties\.status\.enum/);
    expect(code).toBe(1);
  });

  it("reports removing a Dify job_status value as breaking", async () => {
    const { changed, code } = await report("dify-chatflow", (doc) => {
      doc.components.schemas.InitialAnnotationReplySettingsStatusResponse.properties.job_status.enum = [
        "waiting",
        "processing",
        "completed",
      ];
    });
    expect(breaking(changed).length).toBeGreaterThan(0);
    expect(breaking(changed).some((c) => c.location.includes("job_status.enum"))).toBe(true);
    expect(code).toBe(1);
  });

  it("reports removing a response field as breaking, even an optional one", async () => {
    const { changed, code } = await report("comfy-cloud", (doc) => {
      delete comfyStatus(doc).properties.error_message;
    });
    const removed = breaking(changed).filter((c) => c.location.endsWith("properties.error_message"));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.some((c) => c.reason?.includes("public generated type"))).toBe(true);
    expect(code).toBe(1);
  });

  it("reports removing an endpoint as breaking", async () => {
    const { changed, code } = await report("comfy-cloud", (doc) => {
      delete doc.paths["/api/queue"];
    });
    expect(
      breaking(changed)
        .map((c) => c.description)
        .join("\n"),
    ).toContain("POST /api/queue");
    expect(code).toBe(1);
  });

  it("reports adding an optional response field as non-breaking", async () => {
    const { changed, code } = await report("comfy-cloud", (doc) => {
      comfyStatus(doc).properties.queue_position = { type: "integer", description: "Place in the queue." };
    });
    expect(breaking(changed)).toEqual([]);
    expect(changed.changes.some((c) => c.type === "non-breaking" && c.location.endsWith("properties.queue_position"))).toBe(true);
    expect(code).toBe(0);
  });

  it("compares against git HEAD by default and names a bad ref", async () => {
    const head = await specDiff([]);
    expect(head.code, head.stderr).toBe(0);
    expect(head.stdout).toMatch(/OpenAPI changes against HEAD/);
    for (const name of ["comfy-cloud", "deepaffects", "dify-chatflow", "dify-completion"])
      expect(head.stdout).toContain(`openapi/${name}.yaml`);
    const bad = await specDiff(["--base", "no-such-ref-for-jobstatus"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("no-such-ref-for-jobstatus is not a commit");
  });
});
