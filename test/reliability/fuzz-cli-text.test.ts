/**
 * Hostile provider text through the CLI's `status` and `wait`: statuses, job error texts and error
 * answers made of escapes (OSC, CSI, C1), bidi controls, separators, lone surrogates and megabytes,
 * served by the fake providers over loopback and printed by the real commands in-process, on a
 * terminal (live line), as plain lines and as JSON lines. Whatever the text: no control character of
 * the provider's reaches the output, every JSON line parses, and the output stays bounded.
 */
import fc from "fast-check";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Command, JobTarget } from "../../src/cli/args.js";
import { runStatus } from "../../src/cli/commands/status.js";
import { runWait } from "../../src/cli/commands/wait.js";
import { reportFailure } from "../../src/cli/failure.js";
import { Output } from "../../src/cli/output.js";
import { jsonLine } from "../../src/cli/terminal-text.js";
import { startFakeProviders, type FakeApi, type FakeProviders } from "../../src/testing.js";
import { keyOf, RAW, urlOf } from "../fixtures/apis.js";
import { fuzzReport, runs } from "../fixtures/fuzz.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake.close();
  console.log(fuzzReport("fuzz-cli-text"));
});

/** A stream that records what was written; as a terminal it also takes the cursor moves a spinner makes. */
class Capture extends Writable {
  text = "";
  largestWrite = 0;
  readonly columns = 80;
  constructor(readonly isTTY: boolean) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    const text = String(chunk);
    this.text += text;
    this.largestWrite = Math.max(this.largestWrite, text.length);
    done();
  }
  cursorTo(x: number): boolean {
    return this.write(`\u001b[${x + 1}G`);
  }
  moveCursor(_dx: number, dy: number): boolean {
    return dy < 0 ? this.write(`\u001b[${-dy}A`) : true;
  }
  clearLine(): boolean {
    return this.write("\u001b[K");
  }
}

// The escapes our own output may hold on a terminal: colours, cursor hide/show, synchronized output,
// and the cursor moves above. A provider's text shows ESC as the four characters "\x1b", never as ESC.
// eslint-disable-next-line no-control-regex
const OURS = /\u001b\[(?:\d+(?:;\d+)*m|\?25[lh]|\?2026[hl]|\d+G|\d+A|K)/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const piece = fc.constantFrom(
  "\u001b",
  "\u001b[2J",
  "\u001b[H",
  "\u001b]0;PWNED\u0007",
  "\u001b]2;t\u001b\\",
  "\u001b]52;c;cHduZWQ=\u0007",
  "\u001b]8;;https://evil.example\u0007",
  "\u001bP+q\u001b\\",
  "\u009b2J",
  "\u009d0;t\u009c",
  "\u0085",
  "\u0090",
  "\u007f",
  "\u0000",
  "\u0007",
  "\b",
  "\r",
  "\n",
  "\t",
  "\u000b",
  "\u202e",
  "\u202d",
  "\u2066",
  "\u2069",
  "\u200f",
  "\u061c",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ud800",
  "\udfff",
  "\ud83d",
  "😀",
  "a",
  " ",
  "é",
  "漢",
  "\\",
  '"',
  "[REDACTED]",
);
/** Text a hostile or broken provider might send, as `unit` repeated to `length` (so a failure prints short). */
interface Hostile {
  unit: string;
  length: number;
}
const hostileArb: fc.Arbitrary<Hostile> = fc.oneof(
  fc.string({ unit: piece, minLength: 1, maxLength: 30 }).map((unit) => ({ unit, length: unit.length })),
  fc.string({ unit: "binary", minLength: 1, maxLength: 60 }).map((unit) => ({ unit, length: unit.length })),
  fc.record({ unit: fc.string({ unit: piece, minLength: 1, maxLength: 6 }), length: fc.integer({ min: 1_000, max: 150_000 }) }),
);
const textOf = ({ unit, length }: Hostile) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

type Mode = "terminal" | "plain" | "json";
const modeArb = fc.constantFrom<Mode>("terminal", "plain", "json");

/** The CLI's output as each mode gets it: a terminal (stderr redraws a live line), plain lines, or JSON lines into a pipe. */
function outputFor(mode: Mode, noColor: boolean) {
  const stdout = new Capture(mode !== "json");
  const stderr = new Capture(mode === "terminal");
  const env = { TERM: "xterm-256color", ...(noColor ? { NO_COLOR: "1" } : {}) };
  return { stdout, stderr, out: new Output({ stdout, stderr }, env, { json: false, secrets: [] }) };
}

function targetOf(api: FakeApi, jobId: string): JobTarget {
  const app = api === "dify-completion" ? "completion" : "chatflow";
  const provider = api === "comfy" ? "comfy" : api === "deepaffects" ? "deepaffects" : "dify";
  return { provider, jobId, action: "enable", app, api: "asr", baseUrl: urlOf(api, fake.urls) };
}

const ENV_KEYS = () => ({
  DIFY_API_KEY: keyOf("dify-chatflow", fake.keys),
  COMFY_API_KEY: fake.keys.comfy,
  DEEPAFFECTS_API_KEY: fake.keys.deepaffects,
});

/** Runs a command the way main() does: its result, or its error reported. */
async function runCommand(command: Extract<Command, { kind: "status" | "wait" }>, api: FakeApi, out: Output): Promise<number> {
  const signal = new AbortController().signal;
  const env = { ...ENV_KEYS(), ...(api === "dify-completion" ? { DIFY_API_KEY: fake.keys.difyCompletion } : {}) };
  try {
    return command.kind === "status" ? await runStatus(command, { env, out, signal }) : await runWait(command, { env, out, signal });
  } catch (error) {
    return reportFailure(out, command.kind, error, signal);
  }
}

function expectSafe(mode: Mode, noColor: boolean, stdout: Capture, stderr: Capture, texts: string[]): void {
  for (const stream of [stdout, stderr]) {
    const text = stream.text;
    // Plain text without colours holds no escape at all; elsewhere only ours.
    if (noColor && !stream.isTTY) expect(text).not.toContain("\u001b");
    const rest = text.replace(OURS, "");
    expect(rest.replace(/\n/g, ""), JSON.stringify(rest.slice(0, 400))).not.toMatch(CONTROL);
    expect(rest).not.toMatch(INVISIBLE);
    expect(rest).not.toMatch(LONE_SURROGATE);
  }
  const provided = texts.reduce((sum, t) => sum + jsonLine(t).length, 0);
  if (mode === "json") {
    for (const line of stdout.text.split("\n").filter((l) => l !== "")) expect(() => JSON.parse(line), line.slice(0, 200)).not.toThrow();
    // Each text at most in a few fields of a few lines (an update, the final line with its raw body), never per poll.
    expect(stdout.text.length).toBeLessThan(6 * provided + 16_000);
    expect(stderr.text.length).toBeLessThan(2_000);
  } else {
    // Human output: a line's worth of each text, whatever its size.
    expect(stdout.largestWrite).toBeLessThan(2_000);
    expect(stderr.largestWrite).toBeLessThan(2_000);
    expect(stdout.text.length + stderr.text.length).toBeLessThan(64_000);
  }
}

const statusApi = fc.constantFrom<FakeApi>("dify-chatflow", "dify-completion", "comfy", "deepaffects");
const answer = fc.constantFrom("raw status", "failed job", "error answer");

describe("hostile provider text through the CLI", () => {
  test("status: no provider control character reaches the output, JSON parses, output is bounded", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        statusApi,
        answer,
        modeArb,
        fc.boolean(),
        hostileArb,
        fc.constantFrom(400, 401, 403, 404, 500, 502),
        async (api, kind, mode, noColor, hostile, status) => {
          const text = textOf(hostile);
          const job =
            kind === "raw status"
              ? fake.createJob(api, { script: [{ status: text, forMs: 60_000 }, { status: RAW[api].done }] })
              : fake.createJob(api, { status: RAW[api].failed, errorMessage: text });
          const rule =
            kind === "error answer"
              ? fake.fault({ api, route: "status", jobId: job.id, status, body: { message: text, error: text, detail: text } })
              : undefined;
          const { stdout, stderr, out } = outputFor(mode, noColor);
          try {
            const code = await runCommand({ kind: "status", target: targetOf(api, job.id), json: mode === "json" }, api, out);
            if (kind === "error answer") expect([2, 4, 5, 6]).toContain(code);
            else expect(code).toBe(kind === "raw status" ? 0 : 1);
            expectSafe(mode, noColor, stdout, stderr, [text]);
            // JSON keeps the provider's text whole.
            if (mode === "json" && kind === "raw status") expect(JSON.parse(stdout.text)).toMatchObject({ rawStatus: text });
          } finally {
            rule?.remove();
          }
        },
      ),
      runs(120),
    );
  });

  test("wait: the same, on the live line, the change lines and the final line", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<FakeApi>("dify-chatflow", "comfy"),
        modeArb,
        fc.boolean(),
        hostileArb,
        hostileArb,
        async (api, mode, noColor, hostileStatus, hostileMessage) => {
          const [status, message] = [textOf(hostileStatus), textOf(hostileMessage)];
          // Long enough for the live line to be redrawn with the hostile status a few times.
          const job = fake.createJob(api, { script: [{ status, forMs: 500 }, { status: RAW[api].failed }], errorMessage: message });
          const { stdout, stderr, out } = outputFor(mode, noColor);
          const code = await runCommand(
            { kind: "wait", target: targetOf(api, job.id), json: mode === "json", timeoutMs: 15_000, minIntervalMs: 50, socket: true },
            api,
            out,
          );
          expect(code).toBe(1);
          expectSafe(mode, noColor, stdout, stderr, [status, message]);
          // A hidden cursor comes back (the spinner hides none where it judges the terminal non-interactive, as under CI).
          if (stderr.text.includes("\u001b[?25l"))
            expect(stderr.text.slice(stderr.text.lastIndexOf("\u001b[?25l"))).toContain("\u001b[?25h");
        },
      ),
      runs(16),
    );
  });
});
