// `npm run spec:diff`: what changed in each openapi/*.yaml since a git ref, split into breaking and
// non-breaking changes, for review before a regenerate lands.
//
//   npm run spec:diff                          against HEAD
//   npm run spec:diff -- --base v0.1.0         against a tag, branch or commit
//   ... --before-dir <dir>                     against the documents in <dir> instead of git
//   ... --root <dir>                           compare <dir>/openapi instead of this repository's (tests use a temp copy)
//   ... --json                                 the report as JSON
//   ... --verbose                              also list annotation changes (descriptions, examples)
//   ... --fail-on-breaking                     exit 1 when a change is breaking
//
// The differ is api-smart-diff (pure JavaScript, OpenAPI 3.0 and 3.1). It classifies changes by wire
// compatibility. jobstatus adds one rule of its own: its generated schema types are public API (for
// example `ComfyJobStatus`), so anything that narrows or retypes a schema breaks users' code even
// when the wire stays compatible. See `jobstatusVerdict`.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { apiCompare, type Diff } from "api-smart-diff";
import YAML from "yaml";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type ChangeType = "breaking" | "non-breaking" | "deprecated" | "unclassified" | "annotation";

export interface Change {
  type: ChangeType;
  action: Diff["action"];
  /** Where in the document, as dotted path segments. */
  location: string;
  description: string;
  /** Set when jobstatus's own rule made the change breaking although the differ did not. */
  reason?: string;
}

export interface DocumentReport {
  document: string;
  status: "changed" | "unchanged" | "added" | "removed";
  changes: Change[];
}

/** Why a change breaks jobstatus users although the differ calls it wire-compatible, if it does. */
export function jobstatusVerdict(diff: Diff): string | undefined {
  const p = diff.path.map(String);
  const last = p.at(-1);
  const parent = p.at(-2);
  const inSchema = p[0] === "components" ? p[1] === "schemas" : p.includes("schema");
  if (p[0] === "webhooks" && diff.action === "remove") return "removes a webhook users receive";
  if (p[0] === "paths" && diff.action === "remove" && p.length <= 3) return "removes an operation a client calls";
  if (!inSchema) return undefined;
  if (parent === "properties" && diff.action === "remove") return "removes a field from a public generated type";
  if (parent === "enum" && (diff.action === "remove" || diff.action === "replace")) {
    return "removes or renames a value of a public generated union type";
  }
  if (last === "enum" && diff.action !== "add") return "changes a public generated union type";
  if (last === "type" && diff.action !== "add") return "changes the type of a public generated field";
  return undefined;
}

const pretty = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const isValue = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
const VERB = { add: "Added", remove: "Removed", replace: "Replaced", rename: "Renamed" } as const;

function describe(diff: Diff, location: string): string {
  // The differ's sentence names the field, not the value; the value is what a reviewer checks.
  const values =
    diff.action === "replace"
      ? isValue(diff.before) && isValue(diff.after)
        ? `: ${pretty(diff.before)} → ${pretty(diff.after)}`
        : ""
      : isValue(diff.before ?? diff.after)
        ? `: ${pretty(diff.before ?? diff.after)}`
        : "";
  // The differ describes changes under paths only; a change in components gets its location.
  return `${diff.description || `[${VERB[diff.action]}] ${location}`}${values}`;
}

function toChange(diff: Diff): Change {
  const location = diff.path.map(String).join(".");
  const reason = diff.type === "breaking" ? undefined : jobstatusVerdict(diff);
  return {
    type: reason ? "breaking" : (diff.type as ChangeType),
    action: diff.action,
    location,
    description: describe(diff, location),
    ...(reason ? { reason } : {}),
  };
}

const ORDER: ChangeType[] = ["breaking", "unclassified", "deprecated", "non-breaking", "annotation"];

/** The classified changes from one version of a document to another. */
export function compareDocuments(before: object, after: object): Change[] {
  const { diffs } = apiCompare(before, after);
  return diffs.map(toChange).sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
}

interface Options {
  root: string;
  base: string;
  beforeDir?: string;
  json: boolean;
  verbose: boolean;
  failOnBreaking: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { root: REPO_ROOT, base: "HEAD", json: false, verbose: false, failOnBreaking: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (!next) throw new Error(`spec:diff: ${arg} needs a value`);
      return next;
    };
    if (arg === "--base") options.base = value();
    else if (arg === "--root") options.root = path.resolve(value());
    else if (arg === "--before-dir") options.beforeDir = path.resolve(value());
    else if (arg === "--json") options.json = true;
    else if (arg === "--verbose") options.verbose = true;
    else if (arg === "--fail-on-breaking") options.failOnBreaking = true;
    else throw new Error(`spec:diff: unknown argument ${arg}`);
  }
  return options;
}

const yamlNames = (names: string[]) =>
  names
    .filter((n) => n.endsWith(".yaml"))
    .map((n) => path.basename(n))
    .sort();

/** Reads the base versions: from a directory, or with `git show <ref>:openapi/<name>`. */
function baseReader(options: Options): { names: string[]; read: (name: string) => string } {
  if (options.beforeDir) {
    const dir = options.beforeDir;
    return { names: yamlNames(readdirSync(dir)), read: (name) => readFileSync(path.join(dir, name), "utf8") };
  }
  // The base is a ref of this repository, also when --root points the working side elsewhere.
  const git = (args: string[]) =>
    execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });
  try {
    git(["rev-parse", "--verify", "--quiet", `${options.base}^{commit}`]);
  } catch {
    throw new Error(`spec:diff: ${options.base} is not a commit of the repository at ${REPO_ROOT}`);
  }
  const listed = git(["ls-tree", "--name-only", `${options.base}:openapi`])
    .split("\n")
    .filter(Boolean);
  return { names: yamlNames(listed), read: (name) => git(["show", `${options.base}:openapi/${name}`]) };
}

export function buildReport(options: Options): DocumentReport[] {
  const base = baseReader(options);
  const dir = path.join(options.root, "openapi");
  const current = existsSync(dir) ? yamlNames(readdirSync(dir)) : [];
  const names = [...new Set([...base.names, ...current])].sort();
  return names.map((name): DocumentReport => {
    const document = `openapi/${name}`;
    if (!current.includes(name)) {
      const description = `[Removed] the whole document ${document}`;
      return { document, status: "removed", changes: [{ type: "breaking", action: "remove", location: "", description }] };
    }
    if (!base.names.includes(name)) {
      const description = `[Added] the document ${document}`;
      return { document, status: "added", changes: [{ type: "non-breaking", action: "add", location: "", description }] };
    }
    const changes = compareDocuments(YAML.parse(base.read(name)), YAML.parse(readFileSync(path.join(dir, name), "utf8")));
    return { document, status: changes.length === 0 ? "unchanged" : "changed", changes };
  });
}

/** Prints the human report: per document, its changes grouped by type, then the totals. */
export function printReport(
  reports: DocumentReport[],
  against: string,
  verbose = false,
  write: (line: string) => void = console.log,
): void {
  write(`OpenAPI changes against ${against}\n`);
  for (const report of reports) {
    write(`${report.document}: ${report.status}`);
    for (const type of ORDER) {
      const of = report.changes.filter((c) => c.type === type);
      if (of.length === 0) continue;
      if (type === "annotation" && !verbose) {
        write(`  annotation: ${of.length} (descriptions, examples; --verbose lists them)`);
        continue;
      }
      write(`  ${type} (${of.length}):`);
      for (const c of of) {
        write(`    - ${c.description}${c.reason ? `  [jobstatus: ${c.reason}]` : ""}`);
        if (c.location && !c.description.includes(c.location)) write(`      at ${c.location}`);
      }
    }
  }
  const count = (type: ChangeType) => reports.reduce((n, r) => n + r.changes.filter((c) => c.type === type).length, 0);
  write(
    `\n${count("breaking")} breaking, ${count("non-breaking")} non-breaking, ${count("unclassified")} unclassified in ${reports.length} documents`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const reports = buildReport(options);
    if (options.json) console.log(JSON.stringify({ base: options.beforeDir ?? options.base, documents: reports }, null, 2));
    else printReport(reports, options.beforeDir ? path.relative(process.cwd(), options.beforeDir) || "." : options.base, options.verbose);
    const breaking = reports.some((r) => r.changes.some((c) => c.type === "breaking"));
    if (breaking && options.failOnBreaking) process.exit(1);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
