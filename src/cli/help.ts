/** `--help` texts. Every command's help names the key variables and the exit codes. */
import type { CommandName } from "./args.js";
import { EXIT_CODES } from "./exit-codes.js";

/** One row of a help table: what to type (or a name), and what it means. */
export type Row = readonly [left: string, right: string];

/** Past this width a row's left side stands on a line of its own, so one long usage line does not push every description right. */
const WIDEST_LEFT = 36;

/**
 * Rows as two aligned columns, indented by two spaces: the descriptions (and their further lines)
 * start in one column, two spaces after the longest left side (up to {@link WIDEST_LEFT}; a longer
 * one gets a line of its own).
 */
export function table(rows: readonly Row[]): string {
  const width = Math.max(0, ...rows.map(([left]) => left.length).filter((n) => n <= WIDEST_LEFT));
  const indent = " ".repeat(2 + width + 2);
  return rows
    .map(([left, rightText]) => {
      const right = rightText.split("\n").join(`\n${indent}`);
      if (left.length > width) return `  ${left}\n${indent}${right}`;
      return `  ${left.padEnd(width)}  ${right}`;
    })
    .join("\n");
}

const ENV = `Environment (keys are read only from here, and never printed):
${table([
  ["DIFY_API_KEY", "Dify app API key (Authorization: Bearer)"],
  ["DIFY_BASE_URL", "Dify API base, for self-hosted Dify (default https://api.dify.ai/v1)"],
  ["COMFY_API_KEY", "Comfy Cloud API key (X-API-Key)"],
  ["COMFY_BASE_URL", "default https://cloud.comfy.org"],
  ["DEEPAFFECTS_API_KEY", "DeepAffects API key (apikey query parameter)"],
  ["DEEPAFFECTS_BASE_URL", "default https://proxy.api.deepaffects.com"],
  ["NO_COLOR", "set to turn colours off"],
])}
--base-url wins over the *_BASE_URL variable.`;

const EXIT_CODES_HELP = `Exit codes:\n${table(EXIT_CODES.map(([code, meaning]) => [String(code), meaning]))}`;

const OUTPUT = `Output: on a terminal, a live status line; piped or with --json, one JSON object per line.`;

const HELP_FLAG: Row = ["-h, --help", "this help"];

const JOB_FLAGS: Row[] = [
  ["--action enable|disable", "dify: the annotation-reply action the job belongs to (default enable)"],
  ["--app chatflow|completion", "dify: which app API the key belongs to (default chatflow)"],
  ["--api <name>", "deepaffects: the async API that started the job (default asr)"],
  ["--base-url <url>", "the provider's API base (self-hosted Dify, a proxy, the fake server)"],
  ["--json", "JSON lines even on a terminal"],
  HELP_FLAG,
];

const MAIN = `jobstatus: check, wait for and start asynchronous jobs on Dify, Comfy Cloud and DeepAffects.

Usage:
${table([
  ["jobstatus status <provider> <job-id>", "one status check (provider: dify, comfy or deepaffects)"],
  ["jobstatus wait <provider> <job-id>", "wait until the job ends"],
  ["jobstatus start comfy --workflow file.json", "submit a workflow"],
  ["jobstatus start deepaffects <api> --body file.json [--webhook url]", "start an async DeepAffects job"],
  [
    "jobstatus start dify <enable|disable> --score-threshold 0.9 --embedding-provider p --embedding-model m",
    "configure Dify annotation reply",
  ],
  ["jobstatus fake-server [--port n]", "fake providers for trying things by hand"],
  ["jobstatus <command> --help", "a command's flags"],
  ["jobstatus --version", "the installed version"],
])}

${OUTPUT}

${ENV}

${EXIT_CODES_HELP}

Example:
  export COMFY_API_KEY=...
  jobstatus wait comfy 5d2f... --timeout 10m`;

const TEXTS: Record<CommandName, string> = {
  status: `Usage: jobstatus status <dify|comfy|deepaffects> <job-id> [flags]

Asks the provider once for the job's state and prints it: the normalized state (queued, running,
succeeded, failed, cancelled, unknown) and the provider's own status string.

Flags:
${table(JOB_FLAGS)}

${OUTPUT}

${ENV}

${EXIT_CODES_HELP}`,

  wait: `Usage: jobstatus wait <dify|comfy|deepaffects> <job-id> [flags]

Waits until the job ends, polling with the library's poll policy (the interval grows with the job's
age; 429 Retry-After and the provider's rate limits are honoured). Ctrl-C stops waiting; the job
itself goes on at the provider.

Flags:
${table([
  ["--timeout <duration>", "give up after this long, exit 3 (30s, 10m, 1h30m; at most 720h; default: no limit)"],
  ["--min-interval <duration>", "floor between two polls, at most 24h (default: the provider's, 1 s; DeepAffects 12 s)"],
  ["--no-socket", "Comfy: poll only, without listening on its WebSocket (used where the runtime has one)"],
  ...JOB_FLAGS,
])}

${OUTPUT}
  JSON lines: {"event":"update",...} on every change of state, {"event":"poll",...} after every poll,
  then {"event":"done",...} or {"event":"error",...}.

${ENV}

${EXIT_CODES_HELP}`,

  start: `Usage:
  jobstatus start comfy --workflow file.json
  jobstatus start deepaffects <api> --body file.json [--webhook url]
  jobstatus start dify <enable|disable> --score-threshold 0.9 --embedding-provider p --embedding-model m [--app chatflow|completion]

Starts a job and prints its handle as JSON ({"provider", "jobId", ...}); wait on it with
"jobstatus wait <provider> <jobId>".

${table([
  ["comfy", 'the file holds a workflow in ComfyUI\'s API format, or a whole /api/prompt body {"prompt": ...}'],
  [
    "deepaffects",
    "<api> is asr, diarize, recognise_emotion, interaction_analytics, identify_speakers, vad,\n" +
      "denoise, featurize, is_depressed, summary, punctuate or videochapters; --webhook is where\n" +
      "DeepAffects POSTs the result",
  ],
  [
    "dify",
    "annotation reply; --score-threshold, a similarity from 0 to 1; the embedding model's provider and name\nare required by Dify, also for disable",
  ],
])}

Flags:
${table([["--base-url <url>", "the provider's API base"], ["--json", "JSON even on a terminal"], HELP_FLAG])}

${ENV}

${EXIT_CODES_HELP}`,

  "fake-server": `Usage: jobstatus fake-server [--port n] [--json]

Runs fake Dify (Chatflow and Completion), Comfy Cloud and DeepAffects servers on 127.0.0.1 until
Ctrl-C, and prints their base URLs and the (fake) keys they accept as shell \`export\` lines (JSON
with --json). Jobs started on them run a few seconds through realistic states. No real provider is called.

Flags:
${table([["--port <n>", "port to listen on (default: any free port)"], ["--json", "print the URLs and keys as one JSON object"], HELP_FLAG])}

${ENV}

${EXIT_CODES_HELP}`,
};

export function helpText(topic: CommandName | undefined): string {
  return topic === undefined ? MAIN : TEXTS[topic];
}
