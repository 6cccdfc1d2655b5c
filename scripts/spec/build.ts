// Builds openapi/<name>.yaml from a provider's published document (openapi/upstream/) and our
// departures from it (openapi/overlays/<name>.yaml, OpenAPI Overlay 1.0).
//
// openapi-format does the OpenAPI work: its filter keeps only the operations we use and drops the
// components nothing references; its overlay implementation applies each action. What is ours is the
// bookkeeping around it: an action that no longer changes anything in the upstream document fails the
// build with its reason, because that is how we learn a provider fixed what we patched.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { openapiFilter, openapiOverlay, resolveJsonPath } from "openapi-format";
import YAML from "yaml";

type Json = any;

/** openapi/upstream/<name>.source.yaml: where a snapshot comes from. `snapshot: null` marks a hand-written document. */
export interface Manifest {
  document: string;
  snapshot: string | null;
  source: { repository?: string; path?: string; url?: string; file?: string; commit?: string; date?: string; note?: string };
  sha256?: string;
}

export interface OverlayAction {
  target: string;
  description?: string;
  "x-source"?: string;
  update?: unknown;
  remove?: boolean;
  [extension: `x-${string}`]: unknown;
}

export interface OverlayDocument {
  overlay: string;
  info: { title: string; version: string };
  extends?: string;
  /** Which upstream operations we keep (openapi-format's filter), and schemas no operation refers to but an action will. */
  "x-jobstatus-keep": { operationIds: string[]; schemas?: string[] };
  actions: OverlayAction[];
}

/** A problem that stops the build, phrased for the maintainer who has to act on it. */
export class SpecBuildError extends Error {}

export const paths = (root: string, name: string) => ({
  manifest: path.join(root, "openapi", "upstream", `${name}.source.yaml`),
  overlay: path.join(root, "openapi", "overlays", `${name}.yaml`),
  built: path.join(root, "openapi", `${name}.yaml`),
  upstreamDir: path.join(root, "openapi", "upstream"),
});

/** Names of every document that has a manifest, built or hand-written. */
export function listManifests(root: string): string[] {
  const dir = path.join(root, "openapi", "upstream");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".source.yaml"))
    .map((f) => f.slice(0, -".source.yaml".length))
    .sort();
}

export function readManifest(root: string, name: string): Manifest {
  const file = paths(root, name).manifest;
  if (!existsSync(file)) throw new SpecBuildError(`no manifest openapi/upstream/${name}.source.yaml`);
  return YAML.parse(readFileSync(file, "utf8")) as Manifest;
}

export const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

/** Describes one action for a message: its reason, where it points and its source. */
export function describeAction(action: OverlayAction, index: number): string {
  const reason = action.description?.trim().replace(/\s+/g, " ") ?? "(no reason given)";
  const source = typeof action["x-source"] === "string" ? `\n      source: ${action["x-source"].trim()}` : "";
  return `action #${index + 1} (${action.target}): ${reason}${source}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Which parts of `update` the target already holds, under Overlay 1.0 merge semantics (objects merge
 * key by key, arrays append). Returns "all" when merging would change nothing, "some" when it would
 * append a value the target already has (a duplicate enum value, say), "none" otherwise.
 */
export function alreadyPresent(target: unknown, update: unknown): "all" | "some" | "none" {
  if (Array.isArray(update)) {
    if (!Array.isArray(target)) return "none";
    const has = update.map((item) => target.some((t) => JSON.stringify(t) === JSON.stringify(item)));
    return has.every(Boolean) ? "all" : has.some(Boolean) ? "some" : "none";
  }
  if (isObject(update)) {
    if (!isObject(target)) return "none";
    const parts = Object.entries(update).map(([k, v]) => (k in target ? alreadyPresent(target[k], v) : "none"));
    if (parts.length > 0 && parts.every((p) => p === "all")) return "all";
    return parts.some((p) => p !== "none") && parts.some((p) => p === "some") ? "some" : "none";
  }
  return JSON.stringify(target) === JSON.stringify(update) ? "all" : "none";
}

/** Why an action would do something other than it says, or undefined. */
function misuse(doc: Json, action: OverlayAction): string | undefined {
  if (action.remove !== true) return undefined;
  // openapi-format splices matched array items one after the other, so a second index would be off by one.
  const items = resolveJsonPath(doc, action.target).filter((n) => Array.isArray(n.parent));
  if (items.length > 1) return "it removes several items of one array at once: write one action per item";
  return undefined;
}

/** Why an action cannot be applied to `doc` as it stands, or undefined when it applies cleanly. */
function staleness(doc: Json, action: OverlayAction): string | undefined {
  const nodes = resolveJsonPath(doc, action.target);
  if (nodes.length === 0) return "its target matches nothing in the upstream document any more";
  if (action.remove === true) return undefined;
  if (!("update" in action)) return undefined;
  const present = nodes.map((n) => alreadyPresent(n.value, action.update));
  if (present.every((p) => p === "all")) return "the upstream document already has what it adds: the provider fixed it";
  if (present.some((p) => p !== "none")) return "the upstream document already has part of what it adds: review and narrow the action";
  return undefined;
}

const COMPONENT_KINDS = ["schemas", "parameters", "examples", "headers", "requestBodies", "responses"];

/** The built document for one provider: upstream, filtered to our operations, with our overlay applied. */
export async function buildDocument(root: string, name: string): Promise<{ text: string; applied: number }> {
  const manifest = readManifest(root, name);
  if (manifest.snapshot === null) throw new SpecBuildError(`${name} is hand-written: it has no upstream snapshot to build from`);
  const where = paths(root, name);
  const snapshotFile = path.join(where.upstreamDir, manifest.snapshot);
  const bytes = readFileSync(snapshotFile);
  if (manifest.sha256 !== sha256(bytes)) {
    throw new SpecBuildError(
      `openapi/upstream/${manifest.snapshot} does not match the sha256 in its manifest: snapshots are kept as published; ` +
        `replace one with npm run spec:update -- ${name} <file-or-url>, and put our changes in openapi/overlays/${name}.yaml`,
    );
  }
  if (!existsSync(where.overlay)) throw new SpecBuildError(`no overlay openapi/overlays/${name}.yaml`);
  let overlay: OverlayDocument;
  try {
    overlay = YAML.parse(readFileSync(where.overlay, "utf8")) as OverlayDocument;
  } catch (error) {
    throw new SpecBuildError(`openapi/overlays/${name}.yaml is not valid YAML: ${(error as Error).message}`);
  }
  if (!/^1\.0\.\d+$/.test(String(overlay.overlay)))
    throw new SpecBuildError(`openapi/overlays/${name}.yaml: expected an Overlay 1.0.x document`);
  const keep = overlay["x-jobstatus-keep"]?.operationIds ?? [];
  if (keep.length === 0) throw new SpecBuildError(`openapi/overlays/${name}.yaml: x-jobstatus-keep.operationIds lists no operation`);

  let doc: Json = YAML.parse(bytes.toString("utf8"));
  const found = new Set<string>();
  for (const item of Object.values(doc.paths ?? {}) as Json[]) {
    for (const op of Object.values(item ?? {}) as Json[]) if (isObject(op) && typeof op.operationId === "string") found.add(op.operationId);
  }
  const missing = keep.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new SpecBuildError(
      `openapi/upstream/${manifest.snapshot} has no operation ${missing.join(", ")} (kept by openapi/overlays/${name}.yaml)`,
    );
  }
  const keptSchemas = schemasKept(doc, overlay["x-jobstatus-keep"]?.schemas ?? [], manifest.snapshot, name);
  doc = (await openapiFilter(doc, { filterSet: { inverseOperationIds: keep, unusedComponents: COMPONENT_KINDS } })).data;
  if (Object.keys(keptSchemas).length > 0) {
    doc.components ??= {};
    doc.components.schemas = { ...doc.components.schemas, ...keptSchemas };
  }

  // One action at a time, so each is checked against the document the previous ones left.
  const problems: string[] = [];
  for (const [index, action] of (overlay.actions ?? []).entries()) {
    if (!action.description?.trim()) problems.push(`${describeAction(action, index)}\n      has no description: say why we depart`);
    const wrong = misuse(doc, action);
    if (wrong) {
      problems.push(`${describeAction(action, index)}\n      cannot be applied safely: ${wrong}`);
      continue;
    }
    const stale = staleness(doc, action);
    if (stale) {
      problems.push(`${describeAction(action, index)}\n      no longer applies: ${stale}`);
      continue;
    }
    const { data, resultData } = await openapiOverlay(doc, {
      overlaySet: { overlay: overlay.overlay, info: overlay.info, actions: [action] },
    });
    if ((resultData as Json).totalUsedActions !== 1)
      problems.push(`${describeAction(action, index)}\n      openapi-format did not apply it`);
    doc = data;
  }
  if (problems.length > 0) {
    throw new SpecBuildError(
      `openapi/overlays/${name}.yaml against openapi/upstream/${manifest.snapshot}:\n  - ${problems.join("\n  - ")}`,
    );
  }
  // A component an action stopped referring to (a renamed schema, say) goes too.
  doc = (await openapiFilter(doc, { filterSet: { unusedComponents: COMPONENT_KINDS } })).data;

  const header =
    `# Built by npm run spec:build from openapi/upstream/${manifest.snapshot} and openapi/overlays/${name}.yaml.\n` +
    `# Do not edit: add or change an action in the overlay, then run npm run spec:build.\n`;
  return { text: header + YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }), applied: (overlay.actions ?? []).length };
}

/** The named schemas and every schema they refer to, from the snapshot, before the filter drops the unused ones. */
function schemasKept(doc: Json, names: string[], snapshot: string, name: string): Record<string, Json> {
  const all: Record<string, Json> = doc.components?.schemas ?? {};
  const kept: Record<string, Json> = {};
  const visit = (schema: string): void => {
    if (schema in kept) return;
    if (!(schema in all))
      throw new SpecBuildError(`openapi/upstream/${snapshot} has no schema ${schema} (kept by openapi/overlays/${name}.yaml)`);
    kept[schema] = all[schema];
    for (const ref of JSON.stringify(all[schema]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) visit(ref[1]!);
  };
  for (const schema of names) visit(schema);
  return kept;
}
