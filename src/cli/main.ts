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
import { EXIT, exitCodeForError, InterruptedError, type ExitCode } from "./exit-codes.js";
import { helpText } from "./help.js";
import { errorFields, Output } from "./output.js";

async function main(argv: string[]): Promise<ExitCode> {
  const env = process.env;
  const streams = { stdout: process.stdout, stderr: process.stderr };
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    const out = new Output(streams, env, { json: false, secrets: secretsOf(env) });
    out.err(`jobstatus: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  if (command.kind === "help") {
    process.stdout.write(`${helpText(command.topic)}\n`);
    return EXIT.succeeded;
  }

  // fake-server prints the kit's own fake keys on purpose; every other command masks real ones.
  const out = new Output(streams, env, { json: command.json, secrets: command.kind === "fake-server" ? [] : secretsOf(env) });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C means now: restore the terminal and leave without waiting for cleanup.
      out.stopLive();
      process.exit(EXIT.interrupted);
    }
    controller.abort(new InterruptedError(`interrupted by ${name}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
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
    out.stopLive();
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    const code = exitCodeForError(reason);
    if (code === EXIT.interrupted) {
      out.err(command.kind === "wait" ? "Interrupted: stopped waiting. The job goes on at the provider." : "Interrupted.");
    } else {
      out.err(`jobstatus: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (out.json && command.kind !== "wait") out.record({ event: "error", error: errorFields(reason), exitCode: code });
    return code;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once stdout has taken everything, so that no keep-alive socket holds the process.
    process.stdout.write("", () => process.exit(code));
  },
  (error: unknown) => {
    const out = new Output({ stdout: process.stdout, stderr: process.stderr }, process.env, { json: false, secrets: secretsOf(process.env) });
    out.err(`jobstatus: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT.other);
  },
);
