/**
 * Logging, shaped as openai-node's: a `console`-like `logger`, a `logLevel`, and an environment
 * variable (`JOBSTATUS_LOG`) read only where `process` exists. Every line is redacted before the
 * logger sees it.
 */
import { InvalidArgumentError } from "./errors.js";
import { redactText } from "./redact.js";

/** How much to log, least to most: `off` < `error` < `warn` < `info` (retry decisions) < `debug` (every request, answer and sleep). */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where log lines go: `console`, or any object with these four methods (pino, winston and the like fit). */
export interface Logger {
  /** Not used by jobstatus today: failures are thrown, not logged. */
  error(message: string, ...rest: unknown[]): void;
  /** An unknown `JOBSTATUS_LOG` value. */
  warn(message: string, ...rest: unknown[]): void;
  /** Retry decisions: a direct call's retry, a wait's retry or its end, a key's pause after a 429. */
  info(message: string, ...rest: unknown[]): void;
  /** Every request and answer (method, redacted URL, status, time) and every sleep of a wait. */
  debug(message: string, ...rest: unknown[]): void;
}

/** The logging options of a client, a wait and a watcher. */
export interface LogOptions {
  /**
   * Where to log (default `console` when a level is set). Lines are redacted: no API key or webhook
   * token reaches it, raw or URL-encoded.
   */
  logger?: Logger | undefined;
  /**
   * How much to log. Default: the `JOBSTATUS_LOG` environment variable where there is one, else
   * `warn` when a `logger` is given, else `off`: a library prints nothing unasked.
   */
  logLevel?: LogLevel | undefined;
}

/** A resolved logger: a method per level that is on, `undefined` for one that is off, so a call costs nothing when off. */
export interface Log {
  readonly error?: ((message: string) => void) | undefined;
  readonly warn?: ((message: string) => void) | undefined;
  readonly info?: ((message: string) => void) | undefined;
  readonly debug?: ((message: string) => void) | undefined;
}

const LEVELS: readonly LogLevel[] = ["off", "error", "warn", "info", "debug"];
const METHODS = ["error", "warn", "info", "debug"] as const;

function envLevel(): string | undefined {
  // Read through globalThis: browsers and edge runtimes have no `process` (Deno and Bun have one), and
  // the runtime names no Node-only global.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.["JOBSTATUS_LOG"]?.trim().toLowerCase() || undefined;
}

/**
 * The log for a set of options, its lines redacted of `secrets` and of any credential in a URL.
 * A bad `logLevel` or `logger` is an InvalidArgumentError; an unknown `JOBSTATUS_LOG` is a warning
 * on the logger, and the default applies.
 */
export function createLog(options: LogOptions | undefined, secrets: readonly string[] = []): Log {
  const given = options?.logger;
  if (given !== undefined && (given === null || METHODS.some((m) => typeof (given as Partial<Logger>)[m] !== "function"))) {
    throw new InvalidArgumentError(`logger must be an object with ${METHODS.join(", ")} methods, such as console.`);
  }
  const option = options?.logLevel;
  if (option !== undefined && !LEVELS.includes(option)) {
    throw new InvalidArgumentError(
      `logLevel must be one of ${LEVELS.join(", ")}, got ${typeof option === "string" ? JSON.stringify(option.slice(0, 20)) : typeof option}.`,
    );
  }
  const logger: Logger = given ?? globalThis.console;
  const fromEnv = option === undefined ? envLevel() : undefined;
  const fallback: LogLevel = given ? "warn" : "off";
  const level: LogLevel = option ?? (fromEnv !== undefined && LEVELS.includes(fromEnv as LogLevel) ? (fromEnv as LogLevel) : fallback);
  const rank = LEVELS.indexOf(level);
  const log: { -readonly [K in keyof Log]: Log[K] } = {};
  for (const method of METHODS) {
    if (LEVELS.indexOf(method) > rank) continue;
    log[method] = (message) => {
      // A logger that throws must not fail the request it reports on.
      try {
        logger[method](`jobstatus: ${redactText(message, secrets)}`);
      } catch {}
    };
  }
  if (fromEnv !== undefined && level === fallback && fromEnv !== fallback) {
    log.warn?.(`JOBSTATUS_LOG=${JSON.stringify(fromEnv.slice(0, 20))} is not one of ${LEVELS.join(", ")}; ignored.`);
  }
  return log;
}
