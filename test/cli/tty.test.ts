/**
 * The CLI on a real pseudo-terminal (util-linux `script`), its screen replayed through a headless
 * terminal emulator: the live line shows while waiting and leaves no trace, with the cursor shown
 * again, both when the job ends and on Ctrl-C. Colours follow NO_COLOR.
 */
import { spawnSync } from "node:child_process";
import xterm from "@xterm/headless";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { driveThroughProgress, run, WEB_SOCKET_ENV, type Run } from "./run.js";

const COLS = 100;
const KEY = "comfy-SECRET-tty-5a5a5a";
const SPINNER_FRAMES = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const HIDE_CURSOR = "\u001B[?25l";
const SHOW_CURSOR = "\u001B[?25h";
// eslint-disable-next-line no-control-regex
const SGR_COLOUR = /\u001B\[(?:3\d|9\d)m/;

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ keys: { comfy: KEY } });
});
afterAll(() => fake.close());

test("util-linux script is installed (the pseudo-terminal these tests need)", () => {
  const probe = spawnSync("script", ["--version"], { encoding: "utf8" });
  expect(probe.error, "install util-linux for `script`").toBeUndefined();
  expect(probe.stdout).toMatch(/util-linux/);
});

/** Runs the CLI under `script` on a terminal COLS wide, as an interactive user would. */
function onTerminal(
  args: string,
  options: {
    env?: Record<string, string | undefined>;
    onStdout?: (soFar: string, child: { stdin: NodeJS.WritableStream }) => void;
    printPid?: boolean;
  } = {},
): Promise<Run> {
  // exec keeps the shell's pid, so "pid $$" names the CLI's own process.
  const command = `stty cols ${COLS} rows 30 2>/dev/null; ${options.printPid ? 'echo "pid $$"; ' : ""}exec node --import tsx src/cli/main.ts ${args}`;
  return run(["script", "-qec", command, "/dev/null"], {
    env: { COMFY_API_KEY: KEY, COMFY_BASE_URL: fake.urls.comfy, TERM: "xterm-256color", CI: undefined, ...options.env },
    ...(options.onStdout ? { onStdout: options.onStdout } : {}),
  });
}

/** The screen after replaying the output: its non-empty lines. Fails on anything that retitles the window. */
async function screen(output: string): Promise<string[]> {
  const terminal = new xterm.Terminal({ cols: COLS, rows: 30, allowProposedApi: true });
  const titles: string[] = [];
  terminal.onTitleChange((title) => titles.push(title));
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  expect(titles).toEqual([]);
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const text = buffer.getLine(i)?.translateToString(true) ?? "";
    if (text.trim() !== "") lines.push(text);
  }
  terminal.dispose();
  return lines;
}

function expectCleanEnd(output: string, lines: string[]): void {
  expect(output).toContain(HIDE_CURSOR);
  expect(output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(output.lastIndexOf(HIDE_CURSOR));
  for (const line of lines) {
    expect(line).not.toMatch(/next poll in/);
    expect(line).not.toMatch(SPINNER_FRAMES);
  }
  expect(output).not.toContain(KEY);
}

describe.concurrent("on a terminal", { timeout: 60_000 }, () => {
  test("wait shows one live line (spinner, state, elapsed, next poll) and ends on a clean screen", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    const result = await onTerminal(`wait comfy ${job.id} --timeout 30s`, {
      onStdout(soFar) {
        // Let the line be redrawn a few times, then end the job.
        if ((soFar.match(/next poll in/g) ?? []).length >= 3 && job.status === "executing") job.setStatus("success");
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(SPINNER_FRAMES);
    expect(result.stdout).toMatch(/comfy \S+ .*running.*\(executing\).* · \d+\.\d s · \d+ polls? · next poll in \d+ s/);
    const lines = await screen(result.stdout);
    expect(lines.at(-1)).toMatch(new RegExp(`✔ comfy ${job.id} succeeded \\(success\\) after \\d+\\.\\d s, \\d+ polls?`));
    expect(lines).toHaveLength(1);
    expectCleanEnd(result.stdout, lines);
  });

  test("Ctrl-C aborts the wait, exits 130 and restores the terminal", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    let sent = false;
    const result = await onTerminal(`wait comfy ${job.id}`, {
      onStdout(soFar, child) {
        if (!sent && /next poll in/.test(soFar)) {
          sent = true;
          child.stdin.write("\u0003");
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    const lines = await screen(result.stdout);
    expect(lines).toEqual(["Interrupted: stopped waiting. The job goes on at the provider."]);
    expectCleanEnd(result.stdout, lines);
    expect(job.status).toBe("executing");
  });

  test("colours on a terminal, none with NO_COLOR", async () => {
    const job = fake.createJob("comfy", { status: "queued_limited" });
    const [coloured, plain] = await Promise.all([
      onTerminal(`status comfy ${job.id}`),
      onTerminal(`status comfy ${job.id}`, { env: { NO_COLOR: "1" } }),
    ]);
    expect([coloured.code, plain.code]).toEqual([0, 0]);
    expect(coloured.stdout).toMatch(SGR_COLOUR);
    expect(plain.stdout).not.toMatch(SGR_COLOUR);
    expect(await screen(plain.stdout)).toEqual([`comfy ${job.id} queued (queued_limited)`]);
  });

  test("SIGTERM stops the wait with exit 143 and restores the terminal", async () => {
    const job = fake.createJob("comfy", { status: "executing" });
    let sent = false;
    const result = await onTerminal(`wait comfy ${job.id}`, {
      printPid: true,
      onStdout(soFar) {
        const pid = /pid (\d+)/.exec(soFar)?.[1];
        if (!sent && pid && /next poll in/.test(soFar)) {
          sent = true;
          process.kill(Number(pid), "SIGTERM");
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(143);
    const lines = (await screen(result.stdout)).filter((line) => !line.startsWith("pid "));
    expect(lines).toEqual(["Terminated: stopped waiting. The job goes on at the provider."]);
    expectCleanEnd(result.stdout, lines);
  });
});

describe.concurrent("provider text on a terminal", { timeout: 60_000 }, () => {
  // A title (OSC 0), a clipboard write (OSC 52), a clear screen, a C1 CSI moving the cursor home,
  // a hyperlink (OSC 8) and a right-to-left override: a terminal obeys each of these.
  const HOSTILE =
    "\u001b]0;PWNED\u0007\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009bH\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u202etxt.exe";
  // eslint-disable-next-line no-control-regex
  const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test("status shows escapes in a status and an error text as inert text", async () => {
    const job = fake.createJob("comfy", { status: HOSTILE });
    const failed = fake.createJob("comfy", { status: "error", errorMessage: `${HOSTILE}\nsecond line` });
    const [unknown, error] = await Promise.all([
      onTerminal(`status comfy ${job.id}`, { env: { NO_COLOR: "1" } }),
      onTerminal(`status comfy ${failed.id}`, { env: { NO_COLOR: "1" } }),
    ]);
    expect([unknown.code, error.code]).toEqual([0, 1]);
    const shown =
      "\\x1b]0;PWNED\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x9bH\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07\\u202etxt.exe";
    for (const run of [unknown, error]) expect(run.stdout.replace(/\r\n/g, "\n")).not.toMatch(CONTROL_OR_BIDI);
    // A raw status shows as a word's worth (64 characters); an error text, here whole, as up to 400.
    expect((await screen(unknown.stdout)).join("")).toBe(`comfy ${job.id} unknown (${shown.slice(0, 64)}…)`);
    expect((await screen(error.stdout)).join("")).toBe(`comfy ${failed.id} failed (error): ${shown} second line`);
  });

  test("a job's error text cut to its 400 characters never shows part of a key set for another provider", async () => {
    const difyKey = "dify-SECRET-tty-77aa77aa";
    // Comfy's client does not know the Dify key; the CLI masks every key it was given, before cutting.
    const failed = fake.createJob("comfy", { status: "error", errorMessage: `${"x".repeat(392)}${difyKey} and more` });
    const result = await onTerminal(`status comfy ${failed.id}`, { env: { NO_COLOR: "1", DIFY_API_KEY: difyKey } });
    expect(result.code).toBe(1);
    const text = (await screen(result.stdout)).join("");
    for (let i = 0; i + 6 <= difyKey.length; i++) expect(text).not.toContain(difyKey.slice(i, i + 6));
    expect(text).toMatch(/x{392}\[REDACTE…$/);
  });

  test("a 3 MB status keeps the live line one terminal row, redrawn in a few bytes", async () => {
    const huge = `\u001b]0;PWNED\u0007${"x".repeat(3_000_000)}`;
    const job = fake.createJob("comfy", { status: huge });
    const result = await onTerminal(`wait comfy ${job.id} --min-interval 200ms --timeout 30s`, {
      onStdout(soFar) {
        if ((soFar.match(/next poll in/g) ?? []).length >= 10 && job.status === huge) job.setStatus("success");
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/comfy \S+ .*unknown.* \(\\x1b\]0;PWNED\\x07x*….* · \d+ polls · next poll in \d+ s/);
    // Ten redraws and more: each at most a row and its escape codes, where the whole status was 3 MB a frame.
    expect(result.stdout.length).toBeLessThan(100_000);
    const lines = await screen(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`✔ comfy ${job.id} succeeded \\(success\\)`));
    expectCleanEnd(result.stdout, lines);
  });
});

// Pushed progress rides on the last polled snapshot, so the state beside it may still be the queued one.
describe("pushed progress on a terminal", { timeout: 60_000 }, () => {
  /** A wait on a queued job that runs and ends as the CLI shows it (see driveThroughProgress). */
  async function waitThroughProgress(env: Record<string, string | undefined>): Promise<Run> {
    const job = fake.createJob("comfy", { status: "queued_limited" });
    let stdout = "";
    const stop = driveThroughProgress(fake, job, { queued: () => /queued/.test(stdout), step: () => /step \d\/4 \(node 3\)/.test(stdout) });
    try {
      return await onTerminal(`wait comfy ${job.id} --timeout 30s`, {
        env: { ...WEB_SOCKET_ENV, ...env },
        onStdout: (soFar) => (stdout = soFar),
      });
    } finally {
      stop();
    }
  }

  test("the live line shows a bar and the step of the node running, and leaves no trace", async () => {
    const result = await waitThroughProgress({ NO_COLOR: "1" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/comfy \S+ \w+.* · [█░]{10} step \d\/4 \(node 3\) · \d+\.\d s · \d+ polls?/);
    const lines = await screen(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/✔ comfy \S+ succeeded \(success\)/);
    expectCleanEnd(result.stdout, lines);
  });

  test("with CI set, one plain line per update: the step without a bar and without escapes", async () => {
    const result = await waitThroughProgress({ NO_COLOR: "1", CI: "true" });
    expect(result.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(result.stdout.replace(/\r\n/g, "\n")).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(result.stdout).not.toMatch(/[█░]/);
    const lines = await screen(result.stdout);
    expect(lines[0]).toMatch(/^comfy \S+ queued \(queued_limited\) after \d+\.\d s$/);
    expect(lines).toContainEqual(expect.stringMatching(/^comfy \S+ \w+ \(\w+\) · step \d\/4 \(node 3\) after \d+\.\d s$/));
    expect(lines.at(-1)).toMatch(/✔ comfy \S+ succeeded \(success\)/);
  });
});
