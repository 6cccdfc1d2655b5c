// The upstream workflow as a maintainer runs it: a provider publishes a new document, one command
// rebuilds, regenerates, typechecks and reports. Each case works on a temporary copy of the repository
// (openapi/, generated/, src/ and the configs); the new upstream document is Comfy's published one with
// a realistic edit, served from a file or from a server on 127.0.0.1.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { REPO, runScript, type Run } from "./run-script.js";

const copies: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary copy of what the spec scripts read and what the typecheck covers. */
async function copyOfRepo(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "jobstatus-spec-update-"));
  copies.push(root);
  for (const entry of ["openapi", "generated", "src", "tsconfig.json", "package.json"]) {
    await cp(path.join(REPO, entry), path.join(root, entry), { recursive: true });
  }
  await symlink(path.join(REPO, "node_modules"), path.join(root, "node_modules"), "dir");
  return root;
}

const upstreamComfy = () => readFile(path.join(REPO, "openapi", "upstream", "comfy-cloud.yaml"), "utf8");

/** Comfy's published document with `from` replaced by `to`; fails if the text is not there. */
async function editedComfy(root: string, edits: Array<[from: string, to: string]>): Promise<string> {
  let text = await upstreamComfy();
  for (const [from, to] of edits) {
    expect(text, `the upstream document holds ${JSON.stringify(from.slice(0, 60))}`).toContain(from);
    text = text.replace(from, to);
  }
  const file = path.join(root, "new-openapi-cloud.yaml");
  await writeFile(file, text);
  return file;
}

const ERROR_MESSAGE = `        error_message:
          type: string
          nullable: true
          description: Error message if the job failed
`;
const QUEUE_POSITION = `        queue_position:
          type: integer
          description: Position in the user's queue while the job waits
`;
const PROMPT_ID = `        prompt_id:
          type: string
          format: uuid
          description: Unique identifier for the prompt execution
`;
const STATUS_ENUM = "          enum: [waiting_to_dispatch, pending, in_progress, completed, error, cancelled]\n";

// An update regenerates all four documents and typechecks src/ in child processes.
const UPDATE_TIMEOUT_MS = 150_000;
const update = (root: string, input: string, ...flags: string[]) =>
  runScript("scripts/spec-update.ts", ["comfy-cloud", input, "--root", root, ...flags], UPDATE_TIMEOUT_MS);
const check = (root: string) => runScript("scripts/spec-build.ts", ["--check", "--root", root]);

function serve(body: string): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/yaml" }).end(body));
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi-cloud.yaml`)),
  );
}

const expectExit = (run: Run, code: number) => expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);

// Allow for a slow, shared machine; a test runs at most two updates.
describe("npm run spec:update", { timeout: 2 * UPDATE_TIMEOUT_MS }, () => {
  it("takes an additive change (a new optional field) from a URL: rebuilt, regenerated, typechecked, non-breaking", async () => {
    const root = await copyOfRepo();
    const file = await editedComfy(root, [[ERROR_MESSAGE, ERROR_MESSAGE + QUEUE_POSITION]]);
    const url = await serve(await readFile(file, "utf8"));

    const run = await update(root, url);

    expectExit(run, 0);
    expect(run.stdout).toContain("typecheck: clean");
    expect(run.stdout).toMatch(/\[Added\] property `queue_position`/);
    expect(run.stdout).toContain("0 breaking");
    const built = YAML.parse(await readFile(path.join(root, "openapi", "comfy-cloud.yaml"), "utf8"));
    expect(built.components.schemas.JobStatusResponse.properties.queue_position).toMatchObject({ type: "integer" });
    expect(built.components.schemas.JobStatusResponse.properties.status.enum).toContain("queued_waiting");
    expect(await readFile(path.join(root, "generated", "comfy-cloud.ts"), "utf8")).toMatch(/queue_position\?: number/);
    const manifest = YAML.parse(await readFile(path.join(root, "openapi", "upstream", "comfy-cloud.source.yaml"), "utf8"));
    expect(manifest.source).toMatchObject({ repository: "Comfy-Org/docs", url });
    expect(manifest.source.commit).toBeUndefined();
    expect((await check(root)).code).toBe(0);
  });

  it("fails on removing a field the client reads, with a breaking report and a failed typecheck", async () => {
    const root = await copyOfRepo();
    const file = await editedComfy(root, [[PROMPT_ID, ""]]);

    const run = await update(root, file);

    expectExit(run, 1);
    expect(run.stdout).toMatch(/breaking \(\d+\):/);
    expect(run.stdout).toMatch(/prompt_id.*\[jobstatus: removes a field from a public generated type\]/);
    expect(run.stdout).toContain("typecheck: FAILED");
    expect(run.stdout).toMatch(/src\/providers\/comfy\.ts.*prompt_id/);
    expect(run.stderr).toMatch(/breaking change\(s\).*--accept-breaking/);
    expect(await readFile(path.join(root, "openapi", "upstream", "comfy-cloud.yaml"), "utf8")).toBe(await upstreamComfy());
    expectExit(await check(root), 0);
  });

  it("lets a breaking change through with --accept-breaking when the client still compiles", async () => {
    const root = await copyOfRepo();
    // Dropping a documented status value narrows our public ComfyJobStatus type: breaking, yet compiles.
    const file = await editedComfy(root, [[STATUS_ENUM, STATUS_ENUM.replace("waiting_to_dispatch, ", "")]]);

    const refused = await update(root, file, "--no-typecheck");
    expectExit(refused, 1);
    expect(refused.stdout).toMatch(/waiting_to_dispatch/);

    const accepted = await update(root, file, "--no-typecheck", "--accept-breaking", "--report", path.join(root, "report.txt"));
    expectExit(accepted, 0);
    const report = await readFile(path.join(root, "report.txt"), "utf8");
    expect(report).toMatch(/waiting_to_dispatch\s+\[jobstatus: removes or renames a value of a public generated union type\]/);
    expect(report).toMatch(/\n[1-9]\d* breaking, /);
  });

  it("reports each departure the provider fixed, with its reason, and builds nothing", async () => {
    const root = await copyOfRepo();
    const raw = [
      "submitted",
      "queued_limited",
      "queued_waiting",
      "allocated",
      "preparing",
      "pending_execution",
      "executing",
      "executed",
      "success",
      "non_retryable_error",
      "erroring",
      "lost",
      "cancel_requested",
      "cancel_pending",
      "cancelling_preparing",
    ];
    const fixedEnum = STATUS_ENUM.replace("cancelled]", `cancelled, ${raw.join(", ")}]`);
    const file = await editedComfy(root, [
      [STATUS_ENUM, fixedEnum],
      [
        "      required:\n        - id\n        - status\n        - created_at\n        - updated_at\n",
        "      required:\n        - status\n",
      ],
    ]);
    const builtBefore = await readFile(path.join(root, "openapi", "comfy-cloud.yaml"), "utf8");

    const run = await update(root, file, "--no-typecheck");

    expectExit(run, 1);
    expect(run.stderr).toMatch(
      /action #1 \(\$\.components\.schemas\.JobStatusResponse\.properties\.status\): The polling endpoint sends the job's raw internal state/,
    );
    expect(run.stderr).toMatch(/no longer applies: the upstream document already has what it adds: the provider fixed it/);
    expect(run.stderr).toMatch(/source: Comfy-Org\/docs CLOUD_API_RECOMMENDATIONS\.md/);
    expect(run.stderr).toMatch(
      /action #2 \(\$\.components\.schemas\.JobStatusResponse\.required\[\?@ == 'id'\]\)[^\n]*\n.*\n\s+no longer applies: its target matches nothing/,
    );
    expect(await readFile(path.join(root, "openapi", "comfy-cloud.yaml"), "utf8")).toBe(builtBefore);
    expect(await readFile(path.join(root, "openapi", "upstream", "comfy-cloud.yaml"), "utf8")).toBe(await upstreamComfy());
  });

  it("reports a departure the provider fixed only in part", async () => {
    const root = await copyOfRepo();
    const file = await editedComfy(root, [[STATUS_ENUM, STATUS_ENUM.replace("cancelled]", "cancelled, success]")]]);

    const run = await update(root, file, "--no-typecheck");

    expectExit(run, 1);
    expect(run.stderr).toMatch(/action #1 .*\n.*\n\s+no longer applies: the upstream document already has part of what it adds/);
  });

  it("changes nothing, manifest included, when the provider's document is the one we have", async () => {
    const root = await copyOfRepo();
    const manifest = path.join(root, "openapi", "upstream", "comfy-cloud.source.yaml");
    const before = await readFile(manifest, "utf8");

    const run = await update(root, path.join(REPO, "openapi", "upstream", "comfy-cloud.yaml"), "--no-typecheck");

    expectExit(run, 0);
    expect(run.stdout).toContain("openapi/upstream/comfy-cloud.yaml: unchanged");
    expect(run.stdout).toContain("openapi/comfy-cloud.yaml: unchanged");
    expect(await readFile(manifest, "utf8")).toBe(before);
  });

  it("refuses DeepAffects, whose document is hand-written, and a file that is not OpenAPI", async () => {
    const root = await copyOfRepo();
    await writeFile(path.join(root, "notes.yaml"), "hello: world\n");

    const deepaffects = await runScript("scripts/spec-update.ts", ["deepaffects", path.join(root, "notes.yaml"), "--root", root]);
    expectExit(deepaffects, 2);
    expect(deepaffects.stderr).toMatch(/deepaffects is hand-written/);

    const notOpenApi = await update(root, path.join(root, "notes.yaml"));
    expectExit(notOpenApi, 2);
    expect(notOpenApi.stderr).toMatch(/is not an OpenAPI 3 document/);
    expect(await readFile(path.join(root, "openapi", "upstream", "comfy-cloud.yaml"), "utf8")).toBe(await upstreamComfy());
  });
});

describe("npm run spec:check", { timeout: 60_000 }, () => {
  it("passes on the repository's documents and fails naming a hand-edited built document", async () => {
    const root = await copyOfRepo();
    expectExit(await check(root), 0);

    const built = path.join(root, "openapi", "dify-chatflow.yaml");
    await writeFile(built, (await readFile(built, "utf8")).replace("enum:\n", "enum:\n                  - cancelled\n"));
    const run = await check(root);

    expectExit(run, 1);
    expect(run.stderr.trim().split("\n")).toEqual([
      "spec:build: openapi/dify-chatflow.yaml is not what spec:build makes from openapi/upstream/ and openapi/overlays/dify-chatflow.yaml: put the change in the overlay and run npm run spec:build (never edit a built document)",
    ]);
  });

  it("refuses an action without a reason, and a remove that matches several items of one list", async () => {
    const root = await copyOfRepo();
    const overlayFile = path.join(root, "openapi", "overlays", "comfy-cloud.yaml");
    const overlay = YAML.parse(await readFile(overlayFile, "utf8"));
    // openapi-format splices matched items one after another, so the second index would be off by one.
    overlay.actions.splice(1, 3, {
      target: "$.components.schemas.JobStatusResponse.required[?@ != 'status']",
      description: "Only status is required.",
      remove: true,
    });
    delete overlay.actions[0].description;
    await writeFile(overlayFile, YAML.stringify(overlay));

    const run = await check(root);

    expectExit(run, 1);
    expect(run.stderr).toMatch(
      /action #1 \(\$\.components\.schemas\.JobStatusResponse\.properties\.status\): \(no reason given\)[^\n]*\n.*\n\s+has no description/,
    );
    expect(run.stderr).toMatch(/action #2 [^\n]*\n\s+cannot be applied safely: it removes several items of one array at once/);
  });

  it("fails naming a document that has no manifest", async () => {
    const root = await copyOfRepo();
    await cp(path.join(root, "openapi", "deepaffects.yaml"), path.join(root, "openapi", "new-provider.yaml"));

    const run = await check(root);

    expectExit(run, 1);
    expect(run.stderr).toMatch(/openapi\/new-provider\.yaml has no manifest openapi\/upstream\/new-provider\.source\.yaml/);
  });

  it("fails when a snapshot was edited instead of replaced", async () => {
    const root = await copyOfRepo();
    const snapshot = path.join(root, "openapi", "upstream", "comfy-cloud.yaml");
    await writeFile(snapshot, (await readFile(snapshot, "utf8")).replace("title: Comfy Cloud API", "title: Comfy Cloud API (ours)"));

    const run = await check(root);

    expectExit(run, 1);
    expect(run.stderr).toMatch(/openapi\/upstream\/comfy-cloud\.yaml does not match the sha256 in its manifest/);
  });
});
