#!/usr/bin/env node
/**
 * The `jobstatus` command. In development: `npx tsx src/cli/main.ts <command>`; published, the
 * package's `bin` points at the compiled dist/src/cli/main.js.
 */
import { parseCommand, type Command } from "./args.js";
import { secretsOf } from "./clients.js";
import { runFakeServer } from "./commands/fake-server.js";
import { runStart } from "./commands/start.js";
import { runStatus } from "./commands/status.js";
import { runWait } from "./commands/wait.js";
import type { Context } from "./context.js";
import { EXIT, exitCodeForSignal, InterruptedError, type ExitCode, type StopSignal } from "./exit-codes.js";
import { messageOf, reportFailure } from "./failure.js";
import { helpText } from "./help.js";
import { Output } from "./output.js";
import { printable, SHOWN } from "./terminal-text.js";
import { packageVersion } from "./version.js";

async function main(argv: string[]): Promise<ExitCode> {
  const env = process.env;
  const streams = { stdout: process.stdout, stderr: process.stderr };
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    const out = new Output(streams, env, { json: false, secrets: secretsOf(env) });
    out.err(`jobstatus: ${printable(out.mask(messageOf(error)), SHOWN.error)}`);
    return EXIT.usage;
  }
  if (command.kind === "help") {
    process.stdout.write(`${helpText(command.topic)}\n`);
    return EXIT.succeeded;
  }
  if (command.kind === "version") {
    process.stdout.write(`${packageVersion() ?? "unknown"}\n`);
    return EXIT.succeeded;
  }

  // fake-server prints the kit's own fake keys on purpose; every other command masks real ones.
  const out = new Output(streams, env, { json: command.json, secrets: command.kind === "fake-server" ? [] : secretsOf(env) });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: StopSignal) => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C means now: restore the terminal and leave without waiting for cleanup.
      out.stopLive();
      process.exit(exitCodeForSignal(name));
    }
    controller.abort(new InterruptedError(name));
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const context: Context = { env, out, signal: controller.signal };

  try {
    switch (command.kind) {
      case "status":
        return await runStatus(command, context);
      case "wait":
        return await runWait(command, context);
      case "start":
        return await runStart(command, context);
      case "fake-server":
        return await runFakeServer(command, context);
    }
  } catch (error) {
    return reportFailure(out, command.kind, error, controller.signal);
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once stdout has taken everything, so that no keep-alive socket holds the process.
    process.stdout.write("", () => process.exit(code));
  },
  (error: unknown) => {
    const out = new Output({ stdout: process.stdout, stderr: process.stderr }, process.env, {
      json: false,
      secrets: secretsOf(process.env),
    });
    out.err(`jobstatus: unexpected failure: ${printable(out.mask(messageOf(error)), SHOWN.error)}`);
    process.exit(EXIT.other);
  },
);
