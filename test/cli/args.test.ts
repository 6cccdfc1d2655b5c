/** Durations on the command line: what `--timeout` and `--min-interval` take, and the usage error for the rest. */
import { describe, expect, test } from "vitest";
import { parseCommand } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/exit-codes.js";

function waitWith(flag: string, value: string) {
  const command = parseCommand(["wait", "comfy", "job-1", `${flag}=${value}`]);
  if (command.kind !== "wait") throw new Error(`parsed as ${command.kind}`);
  return command;
}

describe("durations", () => {
  test.each([
    ["30", 30_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
    ["720h", 2_592_000_000],
    ["1ms", 1],
  ])("--timeout %s is %d ms", (text, ms) => {
    expect(waitWith("--timeout", text).timeoutMs).toBe(ms);
  });

  test.each([
    // Past any Date: the wait's deadline used to become "Invalid time value", exit 6.
    ["99999999999999h", /--timeout must be at most 720h/],
    ["721h", /--timeout must be at most 720h/],
    [`${"9".repeat(400)}s`, /--timeout must be at most 720h/],
    ["0", /--timeout must be at least 1ms/],
    ["0s", /--timeout must be at least 1ms/],
    ["0.0001ms", /--timeout must be at least 1ms/],
    ["-5s", /--timeout must be a duration/],
    ["NaN", /--timeout must be a duration/],
    ["Infinity", /--timeout must be a duration/],
    ["1e3s", /--timeout must be a duration/],
    ["10d", /--timeout must be a duration/],
    ["5 s", /--timeout must be a duration/],
    ["1.5.5s", /--timeout must be a duration/],
    ["", /--timeout must be a duration/],
  ])("--timeout %j is a usage error", (text, message) => {
    expect(() => waitWith("--timeout", text)).toThrow(UsageError);
    expect(() => waitWith("--timeout", text)).toThrow(message);
  });

  test.each([
    // Rounded to 0 ms, the floor was dropped without a word.
    ["0.4ms", /--min-interval must be at least 1ms/],
    ["25h", /--min-interval must be at most 24h/],
    ["99999999999999h", /--min-interval must be at most 24h/],
  ])("--min-interval %j is a usage error", (text, message) => {
    expect(() => waitWith("--min-interval", text)).toThrow(message);
  });

  test("a control character in a bad duration is echoed as text, not sent to the terminal", () => {
    expect(() => waitWith("--timeout", "5\u001b]0;title\u0007s")).toThrow('got "5\\x1b]0;title\\x07s"');
  });
});
