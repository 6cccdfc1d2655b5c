/** The command line, parsed with node:util parseArgs into one typed command. Keys never come from here. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./exit-codes.js";
import { printable, SHOWN } from "./terminal-text.js";
import { didYouMean, sentence } from "./wording.js";

export type ProviderArg = "dify" | "comfy" | "deepaffects";
export const PROVIDERS: readonly ProviderArg[] = ["dify", "comfy", "deepaffects"];
export type CommandName = "status" | "wait" | "start" | "fake-server";
export const COMMANDS: readonly CommandName[] = ["status", "wait", "start", "fake-server"];

/** What `status` and `wait` need to name a job. */
export interface JobTarget {
  provider: ProviderArg;
  jobId: string;
  action: "enable" | "disable";
  app: "chatflow" | "completion";
  api: string;
  baseUrl: string | undefined;
}

export type Command =
  | { kind: "help"; topic: CommandName | undefined }
  | { kind: "version" }
  | { kind: "status"; target: JobTarget; json: boolean }
  | { kind: "wait"; target: JobTarget; json: boolean; timeoutMs: number | undefined; minIntervalMs: number | undefined; socket: boolean }
  | { kind: "start"; start: StartTarget; baseUrl: string | undefined; json: boolean }
  | { kind: "fake-server"; port: number; json: boolean };

export type StartTarget =
  | { provider: "comfy"; workflowFile: string }
  | { provider: "deepaffects"; api: string; bodyFile: string; webhook: string | undefined }
  | {
      provider: "dify";
      action: "enable" | "disable";
      app: "chatflow" | "completion";
      scoreThreshold: number;
      embeddingProvider: string;
      embeddingModel: string;
    };

type Options = NonNullable<ParseArgsConfig["options"]>;

const COMMON: Options = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  "base-url": { type: "string" },
};
const JOB: Options = { ...COMMON, action: { type: "string" }, app: { type: "string" }, api: { type: "string" } };
const OPTIONS: Record<CommandName, Options> = {
  status: JOB,
  wait: { ...JOB, timeout: { type: "string" }, "min-interval": { type: "string" }, "no-socket": { type: "boolean" } },
  start: {
    ...COMMON,
    workflow: { type: "string" },
    body: { type: "string" },
    webhook: { type: "string" },
    app: { type: "string" },
    "score-threshold": { type: "string" },
    "embedding-provider": { type: "string" },
    "embedding-model": { type: "string" },
  },
  "fake-server": { help: COMMON.help!, json: COMMON.json!, port: { type: "string" } },
};

export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") return { kind: "version" };
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic, COMMANDS);
    return { kind: "help", topic };
  }
  if (!isCommand(first)) throw unknownCommand(first, [...COMMANDS, "help", "--help", "--version"]);
  const { values, positionals } = parse(first, rest);
  if (values["help"] === true) return { kind: "help", topic: first };
  const json = values["json"] === true;
  const str = (name: string) => values[name] as string | undefined;

  switch (first) {
    case "status":
    case "wait": {
      const target = jobTarget(first, positionals, str);
      if (first === "status") return { kind: "status", target, json };
      const timeout = str("timeout");
      const minInterval = str("min-interval");
      return {
        kind: "wait",
        target,
        json,
        timeoutMs: timeout === undefined ? undefined : parseDuration(timeout, "--timeout", LONGEST.timeout),
        minIntervalMs: minInterval === undefined ? undefined : parseDuration(minInterval, "--min-interval", LONGEST.minInterval),
        socket: values["no-socket"] !== true,
      };
    }
    case "start":
      return { kind: "start", start: startTarget(positionals, str), baseUrl: str("base-url"), json };
    case "fake-server": {
      noPositionals("fake-server", positionals, 0);
      const port = str("port") ?? "0";
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
        throw new UsageError(`--port must be a port number from 0 to 65535, got "${port}".`);
      return { kind: "fake-server", port: Number(port), json };
    }
  }
}

function isCommand(value: string | undefined): value is CommandName {
  return (COMMANDS as readonly string[]).includes(value ?? "");
}

function unknownCommand(word: string, candidates: readonly string[]): UsageError {
  const shown = printable(word, SHOWN.word);
  return new UsageError(
    `unknown command "${shown}".${didYouMean(word, candidates)} Commands: ${COMMANDS.join(", ")}. See: jobstatus --help`,
  );
}

/** A command's flags as typed: `--json`, and `-h` for the ones with a short form. */
function flagsOf(command: CommandName): string[] {
  return Object.entries(OPTIONS[command]).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]);
}

/** " --timeout is a flag of jobstatus wait." when `flag` belongs to other commands, else "". */
function otherCommandsFlag(flag: string, command: CommandName): string {
  const owners = COMMANDS.filter((other) => other !== command && flagsOf(other).includes(flag));
  if (owners.length === 0) return "";
  const names = owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(", ")} and ${owners.at(-1)}`;
  return ` ${flag} is a flag of jobstatus ${names}.`;
}

function parse(command: CommandName, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages name the flag and say what is wrong, over several lines; add where to look.
    const message =
      error instanceof Error
        ? error.message.replace(/\.?\s*To specify a positional argument.*$/s, "").replace(/\s*\n\s*/g, " ")
        : String(error);
    const unknown = /^Unknown option '([^']*)'/.exec(message)?.[1];
    const suggestion = unknown === undefined ? "" : otherCommandsFlag(unknown, command) || didYouMean(unknown, flagsOf(command));
    throw new UsageError(`${sentence(message)}${suggestion} See: jobstatus ${command} --help`);
  }
}

function jobTarget(command: CommandName, positionals: string[], str: (name: string) => string | undefined): JobTarget {
  noPositionals(command, positionals, 2);
  const [provider, jobId] = positionals;
  if (provider === undefined)
    throw new UsageError(`${command} needs a provider (${PROVIDERS.join(", ")}) and a job id. See: jobstatus ${command} --help`);
  const p = oneOf(provider, PROVIDERS, "provider");
  if (jobId === undefined || jobId === "") throw new UsageError(`${command} ${p} needs a job id. See: jobstatus ${command} --help`);
  onlyFor(p, "dify", str, ["action", "app"]);
  onlyFor(p, "deepaffects", str, ["api"]);
  return {
    provider: p,
    jobId,
    action: oneOf(str("action") ?? "enable", ["enable", "disable"] as const, "--action"),
    app: oneOf(str("app") ?? "chatflow", ["chatflow", "completion"] as const, "--app"),
    api: str("api") ?? "asr",
    baseUrl: str("base-url"),
  };
}

function startTarget(positionals: string[], str: (name: string) => string | undefined): StartTarget {
  const [provider, what] = positionals;
  if (provider === undefined) throw new UsageError(`start needs a provider (${PROVIDERS.join(", ")}). See: jobstatus start --help`);
  const p = oneOf(provider, PROVIDERS, "provider");
  const refuse = (flags: string[]) => {
    for (const flag of flags)
      if (str(flag) !== undefined) throw new UsageError(`--${flag} does not apply to "start ${p}". See: jobstatus start --help`);
  };
  if (p === "comfy") {
    noPositionals("start", positionals, 1);
    refuse(["body", "webhook", "app", "score-threshold", "embedding-provider", "embedding-model"]);
    const workflowFile = str("workflow");
    if (!workflowFile) throw new UsageError("start comfy needs --workflow <file.json> (a workflow in ComfyUI's API format).");
    return { provider: "comfy", workflowFile };
  }
  if (p === "deepaffects") {
    noPositionals("start", positionals, 2);
    refuse(["workflow", "app", "score-threshold", "embedding-provider", "embedding-model"]);
    const bodyFile = str("body");
    if (what === undefined)
      throw new UsageError("start deepaffects needs the API name, such as asr or diarize. See: jobstatus start --help");
    if (!bodyFile) throw new UsageError(`start deepaffects ${what} needs --body <file.json> (the API's request body).`);
    return { provider: "deepaffects", api: what, bodyFile, webhook: str("webhook") };
  }
  noPositionals("start", positionals, 2);
  refuse(["workflow", "body", "webhook"]);
  if (what === undefined) throw new UsageError("start dify needs an action: enable or disable. See: jobstatus start --help");
  const threshold = str("score-threshold");
  if (threshold === undefined) throw new UsageError("start dify needs --score-threshold, a number from 0 to 1 (such as 0.9).");
  const scoreThreshold = Number(threshold);
  if (threshold.trim() === "" || !Number.isFinite(scoreThreshold))
    throw new UsageError(`--score-threshold must be a number (a similarity from 0 to 1, such as 0.9), got "${threshold}".`);
  // Dify validates the whole body before it looks at the action, so disable needs them too.
  const needed = (flag: string, example: string) => {
    const value = str(flag);
    if (!value) throw new UsageError(`start dify needs --${flag} (such as ${example}): Dify requires it, also for disable.`);
    return value;
  };
  return {
    provider: "dify",
    action: oneOf(what, ["enable", "disable"] as const, "action"),
    app: oneOf(str("app") ?? "chatflow", ["chatflow", "completion"] as const, "--app"),
    scoreThreshold,
    embeddingProvider: needed("embedding-provider", "openai"),
    embeddingModel: needed("embedding-model", "text-embedding-3-small"),
  };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(", ")}, got "${printable(value, SHOWN.word)}".${didYouMean(value, allowed)}`);
}

function onlyFor(provider: ProviderArg, owner: ProviderArg, str: (name: string) => string | undefined, flags: string[]): void {
  if (provider === owner) return;
  for (const flag of flags) if (str(flag) !== undefined) throw new UsageError(`--${flag} applies only to ${owner} jobs.`);
}

function noPositionals(command: string, positionals: string[], allowed: number): void {
  if (positionals.length > allowed) throw new UsageError(`unexpected argument "${positionals[allowed]}". See: jobstatus ${command} --help`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const HOUR_MS = UNITS["h"]!;

/** The longest durations the flags take, in hours: a month of waiting; the poll policy's one-day cap. */
const LONGEST = { timeout: 720, minInterval: 24 } as const;

/** "10m", "90s", "1h30m", "500ms"; a bare number is seconds. From 1 ms to `maxHours`, or a usage error. */
export function parseDuration(text: string, flag: string, maxHours: number): number {
  const bare = /^\d+(?:\.\d+)?$/.test(text);
  const parts = bare ? [[text, text, "s"] as const] : [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = bare ? text : parts.map((p) => p[0]).join("");
  const ms = Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0));
  if (parts.length === 0 || consumed !== text) {
    throw new UsageError(`${flag} must be a duration such as 30s, 10m, 1h30m or 500ms, got "${printable(text, SHOWN.word)}".`);
  }
  // Infinity (too many digits) lands here too, as too long.
  if (!(ms <= maxHours * HOUR_MS)) throw new UsageError(`${flag} must be at most ${maxHours}h, got "${printable(text, SHOWN.word)}".`);
  if (ms < 1) throw new UsageError(`${flag} must be at least 1ms, got "${printable(text, SHOWN.word)}".`);
  return ms;
}
