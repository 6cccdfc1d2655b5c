/**
 * The CLI on a real pseudo-terminal (util-linux `script`), its screen replayed through a headless
 * terminal emulator: the live line shows while waiting and leaves no trace, with the cursor shown
 * again, both when the job ends and on Ctrl-C. Colours follow NO_COLOR.
 */
import { spawnSync } from "node:child_process";
import xterm from "@xterm/headless";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { run, type Run } from "./run.js";

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
function onTerminal(args: string, options: { env?: Record<string, string | undefined>; onStdout?: (soFar: string, child: { stdin: NodeJS.WritableStream }) => void } = {}): Promise<Run> {
  const command = `stty cols ${COLS} rows 30 2>/dev/null; exec node --import tsx src/cli/main.ts ${args}`;
  return run(["script", "-qec", command, "/dev/null"], {
    env: { COMFY_API_KEY: KEY, COMFY_BASE_URL: fake.urls.comfy, TERM: "xterm-256color", CI: undefined, ...options.env },
    ...(options.onStdout ? { onStdout: options.onStdout } : {}),
  });
}

/** The screen after replaying the output: its non-empty lines. */
async function screen(output: string): Promise<string[]> {
  const terminal = new xterm.Terminal({ cols: COLS, rows: 30, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(output, resolve));
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
});
