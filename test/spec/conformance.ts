// Validates an answer of a fake provider against the response schema our OpenAPI document declares
// for its route and status, with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import YAML from "yaml";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// Parsed YAML is untyped by nature; the lookups below probe it by path.
type Doc = any;

export type DocName = "dify-chatflow" | "dify-completion" | "comfy-cloud" | "deepaffects";

/** One answer as a client saw it. */
export interface Answer {
  doc: DocName;
  method: string;
  /** The path below the document's server URL, such as `/api/job/123/status`. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body text as received. */
  text: string;
}

const docs = new Map<DocName, Doc>();
// Both packages are CommonJS: under Node's ESM their class and function sit on `default`.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
// OpenAPI's numeric formats carry no rule for a JSON value beyond its type.
for (const format of ["int32", "int64", "float", "double"]) ajv.addFormat(format, true);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

function load(name: DocName): Doc {
  let doc = docs.get(name);
  if (!doc) {
    doc = YAML.parse(readFileSync(path.join(REPO, "openapi", `${name}.yaml`), "utf8"));
    ajv.addSchema(doc, `${name}.yaml`);
    docs.set(name, doc);
  }
  return doc;
}

const pointerPart = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

function deref(doc: Doc, node: Doc, pointer: string): { node: Doc; pointer: string } {
  for (let i = 0; i < 10 && node && typeof node.$ref === "string"; i++) {
    pointer = node.$ref;
    node = pointer
      .slice(2)
      .split("/")
      .map((p: string) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((n: Doc, k: string) => n?.[k], doc);
  }
  return { node, pointer };
}

/** The operation of a path and method, with its JSON pointer in the document. */
function operationOf(doc: Doc, method: string, requestPath: string): { op: Doc; pointer: string } | undefined {
  const parts = requestPath.split("/");
  for (const [template, item] of Object.entries<Doc>(doc.paths ?? {})) {
    const want = template.split("/");
    if (want.length !== parts.length || !want.every((w, i) => (/^\{[^}]+\}$/.test(w) ? parts[i] !== "" : w === parts[i]))) continue;
    const op = item[method.toLowerCase()];
    if (op) return { op, pointer: `#/paths/${pointerPart(template)}/${method.toLowerCase()}` };
  }
  return undefined;
}

/** The problems of an answer against the document: empty when it is declared and valid. */
export function problemsOf(answer: Answer): string[] {
  const doc = load(answer.doc);
  const where = `${answer.doc} ${answer.method} ${answer.path} → ${answer.status}`;
  const found = operationOf(doc, answer.method, answer.path);
  if (!found) return [`${where}: no such operation in the document`];
  return problemsAgainst(answer, doc, found.op.responses ?? {}, `${found.pointer}/responses`, where);
}

/** The problems of a webhook body against the document's `webhooks.<name>.post` request body. */
export function webhookProblems(docName: DocName, name: string, body: unknown): string[] {
  const pointer = `#/webhooks/${name}/post/requestBody/content/application~1json/schema`;
  return validate(docName, pointer, body, `${docName} webhook ${name}`);
}

/**
 * The problems of one Comfy WebSocket text frame: against what the `/ws` upgrade answers (any of the
 * message schemas), and against the one schema its `type` names.
 */
export function socketMessageProblems(message: { type?: unknown; data?: unknown }): string[] {
  load("comfy-cloud");
  const where = `comfy-cloud /ws message ${String(message.type)}`;
  const any = validate("comfy-cloud", "#/paths/~1ws/get/responses/101/content/application~1json/schema", message, where);
  const name = `WebSocket${String(message.type)
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("")}Message`;
  const doc = load("comfy-cloud");
  if (!(name in (doc.components?.schemas ?? {}))) return [...any, `${where}: no schema ${name} in the document`];
  return [...any, ...validate("comfy-cloud", `#/components/schemas/${name}`, message, where)];
}

function problemsAgainst(answer: Answer, doc: Doc, responses: Doc, pointer: string, where: string): string[] {
  const key = [String(answer.status), `${String(answer.status)[0]}XX`, "default"].find((k) => k in responses);
  if (key === undefined) return [`${where}: status not declared (declared: ${Object.keys(responses).join(", ")})`];
  const { node: response, pointer: responsePointer } = deref(doc, responses[key], `${pointer}/${pointerPart(key)}`);
  const content = response?.content;
  if (!content) return answer.text === "" || answer.status === 302 ? [] : [`${where}: a body where the document declares none`];
  const type = (answer.contentType ?? "").split(";")[0]!.trim();
  if (!(type in content)) return [`${where}: content type ${type || "(none)"} not declared (declared: ${Object.keys(content).join(", ")})`];
  if (type !== "application/json") return [];
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [`${where}: body is not JSON`];
  }
  return validate(answer.doc, `${responsePointer}/content/application~1json/schema`, body, where);
}

function validate(docName: DocName, pointer: string, body: unknown, where: string): string[] {
  const id = `${docName}.yaml${pointer}`;
  let check = compiled.get(id);
  if (!check) {
    check = ajv.compile({ $ref: id });
    compiled.set(id, check);
  }
  if (check(body)) return [];
  return (check.errors ?? []).map(
    (e: { instancePath: string; message?: string }) =>
      `${where}: ${e.instancePath || "/"} ${e.message} (${JSON.stringify(body).slice(0, 200)})`,
  );
}
