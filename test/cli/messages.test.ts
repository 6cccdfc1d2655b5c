/**
 * The wording of what the CLI prints: one full stop per sentence however a message was built, "did
 * you mean" only for a close typo, aligned help tables, and --version.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COMMANDS, parseCommand } from "../../src/cli/args.js";
import { helpText, table } from "../../src/cli/help.js";
import { closest, sentence } from "../../src/cli/wording.js";
import { createComfyClient, createDifyClient, JobStatusError, wait } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { ROOT, runCli } from "./run.js";

/** Two stops in a row, or a stop, spaces and another stop; "..." (an ellipsis someone typed) is left alone. */
const DOUBLED = /(?<!\.)\.\.(?!\.)|\.\s+\./;

function usageMessage(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} parsed without an error`);
}

/** One command line for every usage error parseCommand can raise, some with a value ending in a stop. */
const BAD_COMMAND_LINES: string[][] = [
  ["frobnicate"],
  ["stauts", "comfy", "x"],
  ["help", "nope."],
  ["status", "comfy", "x", "--bogus"],
  ["status", "comfy", "x", "--jsn"],
  ["wait", "comfy", "x", "--timeout"],
  ["wait", "comfy", "x", "--timeout", "--json"],
  ["status", "comfy", "x", "--json=yes"],
  ["status"],
  ["status", "comfy"],
  ["status", "comfi", "x"],
  ["status", "comfy", "x", "y"],
  ["status", "comfy", "x", "--action", "enable"],
  ["status", "dify", "x", "--api", "asr"],
  ["status", "dify", "x", "--action", "enable."],
  ["status", "dify", "x", "--app", "chat."],
  ["wait", "dify", "x", "--timeout", "soon."],
  ["wait", "dify", "x", "--timeout", "0"],
  ["wait", "dify", "x", "--timeout", "999h"],
  ["start"],
  ["start", "comfy"],
  ["start", "comfy", "--workflow", "w.json", "--body", "b.json"],
  ["start", "deepaffects"],
  ["start", "deepaffects", "asr."],
  ["start", "dify"],
  ["start", "dify", "enable"],
  ["start", "dify", "enable", "--score-threshold", "2."],
  ["start", "dify", "enable.", "--score-threshold", "0.5"],
  ["start", "dify", "enable", "--score-threshold", "0.5", "--embedding-provider", "openai"],
  ["fake-server", "--port", "99999."],
  ["fake-server", "extra"],
];

describe("no doubled full stop", () => {
  test.each(BAD_COMMAND_LINES)("usage error for %j", (...argv) => {
    const message = usageMessage(argv);
    expect(message).not.toMatch(DOUBLED);
    expect(message).toMatch(/[.?]$|--help$/);
  });

  test("parseArgs' own messages, whatever their closing stop, get exactly one", () => {
    expect(usageMessage(["wait", "comfy", "x", "--timeout", "--json"])).toBe(
      "Option '--timeout' argument is ambiguous. Did you forget to specify the option argument for '--timeout'? " +
        "To specify an option argument starting with a dash use '--timeout=-XYZ'. See: jobstatus wait --help",
    );
    expect(usageMessage(["status", "comfy", "x", "--json=yes"])).toBe(
      "Option '--json' does not take an argument. See: jobstatus status --help",
    );
  });

  test("sentence() ends with one stop whatever the text ended with", () => {
    expect(sentence("done")).toBe("done.");
    expect(sentence("done.")).toBe("done.");
    expect(sentence("done..  ")).toBe("done.");
    expect(sentence("really?")).toBe("really?");
    expect(sentence("cut…")).toBe("cut…");
  });

  test("a file that cannot be read, or is not JSON, through the CLI", { timeout: 60_000 }, async () => {
    const dir = `${ROOT}/test/cli`;
    // The file is read before any request: the key only has to be set, and the host is unroutable.
    const env = { COMFY_API_KEY: "comfy-unused-key-0000", COMFY_BASE_URL: "http://127.0.0.1:9" };
    const [missing, notJson] = await Promise.all([
      runCli(["start", "comfy", "--workflow", "/nonexistent/wf."], { env }),
      runCli(["start", "comfy", "--workflow", `${dir}/run.ts`], { env }),
    ]);
    for (const run of [missing, notJson]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^jobstatus: --workflow /);
      expect(run.stderr).not.toMatch(DOUBLED);
    }
  });
});

describe("no doubled full stop in the library's errors the CLI prints", () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(() => fake.close());

  test.each([400, 401, 403, 404, 418, 429, 500])("a provider's %d message that ends in a stop", async (status) => {
    const fault = fake.fault({ api: "comfy", route: "status", status, body: { message: "The provider explains itself. " } });
    try {
      const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
      const error = await comfy.getJobStatus("11111111-2222-4333-8444-555555555555").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(JobStatusError);
      expect((error as Error).message).toContain("The provider explains itself");
      expect((error as Error).message).not.toMatch(DOUBLED);
    } finally {
      fault.remove();
    }
  });

  test("a failed job's own message that ends in a stop, with throwOnFailure", async () => {
    const job = fake.createJob("comfy", { status: "error", errorMessage: "Out of memory." });
    const comfy = createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
    const error = await wait(comfy, comfy.checkHandle({ provider: "comfy", jobId: job.id, startedAt: new Date().toISOString() }), {
      throwOnFailure: true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/: Out of memory\.$/);
  });

  test("Dify's 401 body, as the fake sends it", async () => {
    const dify = createDifyClient({ apiKey: "app-wrong-key-123456", baseUrl: fake.urls.difyChatflow });
    const error = await dify.getJobStatus("enable", "11111111-2222-4333-8444-555555555555").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/^Dify .* answered 401/);
    expect((error as Error).message).not.toMatch(DOUBLED);
  });
});

describe("did you mean", () => {
  test.each([
    [["stauts"], "Did you mean status?"],
    [["wiat"], "Did you mean wait?"],
    [["fake-sever"], "Did you mean fake-server?"],
    [["--verison"], "Did you mean --version?"],
    [["wait", "comfy", "x", "--timout", "5m"], "Did you mean --timeout?"],
    [["wait", "comfy", "x", "--min-intreval=2s"], "Did you mean --min-interval?"],
    [["status", "comfy", "x", "--jsno"], "Did you mean --json?"],
    [["status", "comfy", "x", "--JSON"], "Did you mean --json?"],
    [["status", "comfi", "x"], "Did you mean comfy?"],
    [["status", "deepafects", "x"], "Did you mean deepaffects?"],
    [["status", "dify", "x", "--app", "complection"], "Did you mean completion?"],
  ])("%j", (argv, suggestion) => {
    expect(usageMessage(argv)).toContain(suggestion);
  });

  test.each([
    [["frobnicate"]],
    [["status", "comfy", "x", "--bogus"]],
    [["status", "comfy", "x", "-x"]],
    [["status", "openai", "x"]],
    [["x"]],
  ])("nothing close, no suggestion: %j", (argv) => {
    expect(usageMessage(argv)).not.toContain("Did you mean");
  });

  test("a flag of another command says which", () => {
    expect(usageMessage(["status", "comfy", "x", "--timeout", "5m"])).toBe(
      "Unknown option '--timeout'. --timeout is a flag of jobstatus wait. See: jobstatus status --help",
    );
    expect(usageMessage(["fake-server", "--base-url", "http://x"])).toContain("--base-url is a flag of jobstatus status, wait and start.");
  });

  test("closest() allows at most two edits, and fewer for short words", () => {
    expect(closest("statsu", ["status", "start"])).toBe("status");
    expect(closest("sta", ["status", "start"])).toBeUndefined();
    expect(closest("ab", ["ac"])).toBeUndefined();
    expect(closest("x".repeat(10_000), ["status"])).toBeUndefined();
  });
});

describe("help tables", () => {
  /** The column every description of one table starts in; a row's further lines start there too. */
  function descriptionColumns(block: string[]): number[] {
    return block.flatMap((line) => {
      if (/^ {3,}\S/.test(line)) return [line.search(/\S/)];
      const gap = /^ {2}\S(?:.*?\S)?( {2,})\S/.exec(line);
      return gap ? [gap.index + gap[0].length - 1] : [];
    });
  }

  test.each([undefined, ...COMMANDS])("every table of %s's help lines up", (topic) => {
    const tables = helpText(topic)
      .split("\n\n")
      .map((paragraph) => descriptionColumns(paragraph.split("\n").filter((line) => line.startsWith("  "))))
      .filter((columns) => columns.length > 0);
    // Flags (but in the main help), the environment and the exit codes, at least.
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const columns of tables) expect(new Set(columns).size, helpText(topic)).toBe(1);
  });

  test("table() lines up whatever the longest left side, and a very long one gets its own line", () => {
    for (const longest of ["-h", "--a-rather-long-flag <value>", "--x".padEnd(36, "x")]) {
      const text = table([
        ["--json", "JSON lines"],
        [longest, "the longest"],
        ["-h, --help", "this help"],
      ]);
      const starts = text.split("\n").map((line) => line.search(/ {2}\S(?!.* {2}\S)/) + 2);
      expect(new Set(starts).size, text).toBe(1);
    }
    const text = table([
      ["--json", "JSON lines"],
      ["x".repeat(60), "far too long to share a line"],
    ]);
    expect(text).toBe(`  --json  JSON lines\n  ${"x".repeat(60)}\n          far too long to share a line`);
  });
});

test("--version prints the package's version", { timeout: 60_000 }, async () => {
  const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { version: string };
  const [long, short] = await Promise.all([runCli(["--version"]), runCli(["-v"])]);
  for (const run of [long, short]) {
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  }
  expect(helpText(undefined)).toContain("jobstatus --version");
});
