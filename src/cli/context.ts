/** What every command gets: the environment (keys), where to write, and the Ctrl-C signal. */
import type { Env } from "./clients.js";
import type { Output } from "./output.js";

export interface Context {
  env: Env;
  out: Output;
  /** Aborted by Ctrl-C or SIGTERM, with an InterruptedError as its reason. */
  signal: AbortSignal;
}
