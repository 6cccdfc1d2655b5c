/** `jobstatus fake-server`: the test kit's fake providers, kept running for trying the CLI by hand. */
import path from "node:path";
import type { Command } from "../args.js";
import type { Context } from "../context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";

/** Long enough to watch a `jobstatus wait` go through the states, short enough not to bore. */
const HAND_SCRIPTS = {
  "dify-chatflow": [{ status: "waiting", forMs: 2_000 }, { status: "processing", forMs: 6_000 }, { status: "completed" }],
  "dify-completion": [{ status: "waiting", forMs: 2_000 }, { status: "processing", forMs: 6_000 }, { status: "completed" }],
  comfy: [
    { status: "submitted", forMs: 1_000 },
    { status: "queued_limited", forMs: 3_000 },
    { status: "executing", forMs: 8_000 },
    { status: "success" },
  ],
  deepaffects: [{ status: "Running", forMs: 12_000 }, { status: "Completed" }],
};

export async function runFakeServer(command: Extract<Command, { kind: "fake-server" }>, { out, signal }: Context): Promise<ExitCode> {
  // Loaded here only: the other commands never need the test kit.
  const { startFakeProviders } = await import("../../testing.js");
  const fake = await startFakeProviders({ port: command.port, defaultScripts: HAND_SCRIPTS });
  const { urls, keys } = fake;
  const exports = {
    DIFY_BASE_URL: urls.difyChatflow,
    DIFY_API_KEY: keys.difyChatflow,
    COMFY_BASE_URL: urls.comfy,
    COMFY_API_KEY: keys.comfy,
    DEEPAFFECTS_BASE_URL: urls.deepaffects,
    DEEPAFFECTS_API_KEY: keys.deepaffects,
  };
  // Export lines are what the docs promise, piped too (`... | tee`, a script's log); JSON only when asked.
  if (command.json) {
    out.record({ event: "listening", origin: fake.origin, urls, keys, env: exports });
  } else {
    const self = selfCommand();
    const line = (names: Array<keyof typeof exports>) => `export ${names.map((n) => `${n}=${exports[n]}`).join(" ")}`;
    out.out(`Fake providers on ${fake.origin}, until Ctrl-C. No real provider is called; these keys are fake.

${line(["DIFY_BASE_URL", "DIFY_API_KEY"])}
${line(["COMFY_BASE_URL", "COMFY_API_KEY"])}
${line(["DEEPAFFECTS_BASE_URL", "DEEPAFFECTS_API_KEY"])}
# Dify Completion app: DIFY_BASE_URL=${urls.difyCompletion} DIFY_API_KEY=${keys.difyCompletion} and --app completion

Then, in another shell with those exports:
  ${self} start dify enable --score-threshold 0.9 --embedding-provider openai --embedding-model text-embedding-3-small
  ${self} wait dify <jobId>`);
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await fake.close();
  if (command.json) out.record({ event: "closed" });
  else out.out("Fake providers stopped.");
  return EXIT.succeeded;
}

/**
 * How to run this same CLI from another shell: `npx tsx <path to main.ts>` from a clone (no build,
 * no bin on the PATH), `npx jobstatus` when installed (it finds the package's bin).
 */
export function selfCommand(script: string | undefined = process.argv[1], cwd: string = process.cwd()): string {
  if (script === undefined || !script.endsWith(".ts")) return "npx jobstatus";
  const relative = path.relative(cwd, script);
  const shown = relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? script : relative;
  return `npx tsx ${/^[\w./@+-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`}`;
}
