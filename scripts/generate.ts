// Turns every openapi/<name>.yaml into generated/<name>.ts with openapi-typescript.
//
//   tsx scripts/generate.ts                 write generated/ (and delete files whose document is gone)
//   tsx scripts/generate.ts --check         regenerate in memory; exit 1 naming every stale, missing
//                                           or orphaned file, without writing anything
//   ... --root <dir>                        work on <dir>/openapi and <dir>/generated instead of this
//                                           repository (tests run the check on a temporary copy)
//
// We drive the Node API ourselves instead of the openapi-typescript CLI because the CLI's own --check
// stops at the first difference when it handles several APIs; CI should name all of them at once.
import { readdir, readFile, writeFile, unlink, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Options {
  check: boolean;
  root: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { check: false, root: REPO_ROOT };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") {
      options.check = true;
    } else if (arg === "--root") {
      const dir = argv[++i];
      if (dir === undefined || dir.startsWith("--")) throw new UsageError("--root needs a directory");
      options.root = path.resolve(dir);
    } else if (arg?.startsWith("--root=")) {
      options.root = path.resolve(arg.slice("--root=".length));
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

class UsageError extends Error {}

function header(name: string): string {
  return [
    "/**",
    ` * Generated from openapi/${name}.yaml by scripts/generate.ts (openapi-typescript).`,
    ` * Do not edit: edit openapi/${name}.yaml and run \`npm run generate\`.`,
    " */",
    "",
    "",
  ].join("\n");
}

/** The exact bytes generated/<name>.ts must hold for openapi/<name>.yaml. */
async function render(documentPath: string): Promise<string> {
  const name = path.basename(documentPath, ".yaml");
  const ast = await openapiTS(pathToFileURL(documentPath), {
    // Sorted keys keep the output independent of the order properties appear in the YAML.
    alphabetize: true,
    // A `default` documents what the server assumes when a field is left out; it must not make the
    // field mandatory for callers building a request body.
    defaultNonNullable: false,
    silent: true,
  });
  // Normalise line endings so a checkout with CRLF conversion cannot look stale.
  const body = astToString(ast).replace(/\r\n/g, "\n");
  return header(name) + body.trimEnd() + "\n";
}

async function listNames(dir: string, extension: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.endsWith(extension))
    .map((entry) => entry.slice(0, -extension.length))
    .sort();
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function main(options: Options): Promise<number> {
  const openapiDir = path.join(options.root, "openapi");
  const generatedDir = path.join(options.root, "generated");
  const documents = await listNames(openapiDir, ".yaml");
  const existing = await listNames(generatedDir, ".ts");
  if (documents.length === 0) {
    process.stderr.write(`no OpenAPI documents found in ${openapiDir}\n`);
    return 1;
  }

  const problems: string[] = [];
  if (!options.check) await mkdir(generatedDir, { recursive: true });

  for (const name of documents) {
    let expected: string;
    try {
      expected = await render(path.join(openapiDir, `${name}.yaml`));
    } catch (error) {
      problems.push(`openapi/${name}.yaml could not be converted: ${(error as Error).message}`);
      continue;
    }
    const target = path.join(generatedDir, `${name}.ts`);
    const current = await readIfPresent(target);
    if (current === expected) continue;
    if (options.check) {
      const state = current === undefined ? "missing" : "stale";
      problems.push(`generated/${name}.ts is ${state}: run npm run generate`);
    } else {
      await writeFile(target, expected);
      process.stdout.write(`wrote generated/${name}.ts\n`);
    }
  }

  for (const name of existing.filter((n) => !documents.includes(n))) {
    if (options.check) {
      problems.push(`generated/${name}.ts has no document openapi/${name}.yaml: run npm run generate to remove it`);
    } else {
      await unlink(path.join(generatedDir, `${name}.ts`));
      process.stdout.write(`removed generated/${name}.ts (openapi/${name}.yaml is gone)\n`);
    }
  }

  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) return 1;
  if (options.check) process.stdout.write(`generated/ matches openapi/ (${documents.length} documents)\n`);
  return 0;
}

try {
  process.exitCode = await main(parseArgs(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`generate: ${error.message}\nusage: tsx scripts/generate.ts [--check] [--root <dir>]\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
