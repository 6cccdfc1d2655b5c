/** Checks on caller input, made before any request so bad input never reaches the network. */
import { InvalidArgumentError, type ProviderName } from "./errors.js";

export function requireApiKey(apiKey: unknown, provider: ProviderName, envName: string): string {
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new InvalidArgumentError(`${provider}: apiKey is missing or empty. Pass the key as { apiKey } (for example from ${envName}).`, {
      provider,
    });
  }
  if (apiKey !== apiKey.trim() || /[\r\n\0]/.test(apiKey)) {
    throw new InvalidArgumentError(`${provider}: apiKey has surrounding whitespace or a line break; copy the key again without them.`, {
      provider,
    });
  }
  // A header value is bytes, and a query value is sent as UTF-8 escapes a provider would not expect:
  // an accented letter, an emoji or a control character failed inside fetch as a retried ConnectionError.
  // The message does not quote the key or the character: either would put part of it in a log.
  if (/[^\x20-\x7e]/.test(apiKey)) {
    throw new InvalidArgumentError(
      `${provider}: apiKey contains a character that cannot be sent in an HTTP header (a letter outside ASCII such as "é", an emoji, or a control character); copy the key again from the provider's console.`,
      { provider },
    );
  }
  return apiKey;
}

export function requireBaseUrl(baseUrl: unknown, provider: ProviderName): string {
  let url: URL | undefined;
  try {
    url = typeof baseUrl === "string" ? new URL(baseUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidArgumentError(`${provider}: baseUrl must be an absolute http(s) URL such as "https://api.example.com/v1".`, {
      provider,
    });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InvalidArgumentError(`${provider}: baseUrl must not carry credentials, a query or a fragment; pass the key as { apiKey }.`, {
      provider,
    });
  }
  return url.href.replace(/\/+$/, "");
}

// Ids go into paths: anything that could step out of the documented path (a slash, a dot segment,
// an escape, a query or fragment) is refused rather than trusted to encoding alone. A lone surrogate
// (\p{Cs}) cannot be URL-encoded at all, so fetch would fail on it as if the network had.
const UNSAFE_ID = /[/\\?#%\s\p{Cc}\p{Cs}]/u;

export function requireJobId(jobId: unknown, provider: ProviderName, name = "jobId"): string {
  if (typeof jobId !== "string" || jobId === "" || jobId.length > 256) {
    throw new InvalidArgumentError(`${provider}: ${name} must be a non-empty string of at most 256 characters.`, {
      provider,
    });
  }
  if (jobId === "." || jobId === ".." || UNSAFE_ID.test(jobId)) {
    throw new InvalidArgumentError(
      `${provider}: ${name} contains characters that cannot be part of a job id (/, \\, ?, #, %, spaces, dot segments); pass the id exactly as the provider returned it.`,
      { provider },
    );
  }
  return jobId;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], name: string, provider: ProviderName): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidArgumentError(
    `${provider}: ${name} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(value)}.`,
    { provider },
  );
}

export function requirePositive(value: unknown, name: string, provider?: ProviderName, unit = "milliseconds"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      `${provider ? `${provider}: ` : ""}${name} must be a positive finite number of ${unit}, got ${String(value)}.`,
      {
        provider,
      },
    );
  }
  return value;
}

// The longest delay a timer takes: a longer one fires at once, which made any request time out.
const MAX_TIMER_MS = 2_147_483_647;

/** A time limit in ms: positive, finite, and short enough for a timer (at most about 24.8 days). */
export function requireTimeoutMs(value: unknown, name: string, provider?: ProviderName): number {
  const ms = requirePositive(value, name, provider);
  if (ms > MAX_TIMER_MS) {
    throw new InvalidArgumentError(
      `${provider ? `${provider}: ` : ""}${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${ms}.`,
      { provider },
    );
  }
  return ms;
}

export function requireHttpUrl(value: unknown, name: string, provider: ProviderName): string {
  try {
    const url = new URL(String(value));
    if (typeof value === "string" && (url.protocol === "http:" || url.protocol === "https:")) return url.href;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`${provider}: ${name} must be an absolute http(s) URL.`, { provider });
}
