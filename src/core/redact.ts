/**
 * The one place that removes secrets from text. Errors are built from redacted strings only, so a
 * key cannot reach a message, a stack, a `cause`, `JSON.stringify` or `util.inspect`.
 */

export const REDACTED = "[REDACTED]";

// Credentials that travel in a URL (DeepAffects' `apikey`, Comfy's websocket `token`, the token of a
// webhook URL) are masked even when we do not know the value, e.g. in a URL echoed back by a gateway.
// A URL inside another URL's query (DeepAffects' `webhook`) is encoded once or twice, so the separator
// and the `=` are matched in each spelling, hex in either case. The value runs to the next separator
// (raw or encoded), whitespace, `"`, `<` or `>`; not to a `'`, which encodeURIComponent leaves raw and
// a key may contain.
const NAME = "(?:apikey|api_key|api-key|key|token|access_token|secret|client_secret|password|signature|sig)";
// Per level of encoding: what starts a parameter, its `=`, and what ends its value. An encoded `&` is
// data in a plain query but the separator in a once-encoded one. Plain strings (none has a backslash)
// and a pure call, so that a bundle that never redacts drops them.
const LEVELS = [
  ["[?&;#]", "=", ""],
  ["%(?:3F|26|3B|23)", "%3D", "(?!%2[36])"],
  ["%25(?:3F|26|3B|23)", "%253D", "(?!%(?:25)?2[36])"],
] as const;
const SECRET_IN_URL = /* @__PURE__ */ secretInUrl();

function secretInUrl(): RegExp {
  return new RegExp(LEVELS.map(([sep, eq, stop]) => String.raw`(${sep}${NAME}${eq})(?:${stop}[^&#\s"<>])*`).join("|"), "gi");
}

/**
 * Every spelling of a secret that can appear in text: raw, URL-encoded (once or twice, `%20` or `+`
 * for a space), JSON-escaped. Hex is matched in either case by the pattern built from these.
 */
function spellings(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    encoded,
    new URLSearchParams({ k: secret }).toString().slice(2),
    encodeURIComponent(encoded),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // Our own messages JSON-quote provider values (a strict-mode status), so a spelling the provider
  // echoed gets one more level of escaping.
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  // Longest first, so a short form never splits a longer one and leaves part of it behind.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// One pattern per secret, built once: clients redact with the same key for their whole life.
const patterns = new Map<string, RegExp>();

function patternOf(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (pattern === undefined) {
    // Percent escapes match in either case (`%2f` as well as `%2F`); the rest of a spelling exactly.
    const alternatives = spellings(secret).map((form) =>
      escapeRegExp(form).replace(
        /%([0-9A-F])([0-9A-F])/g,
        (_, a: string, b: string) => `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`,
      ),
    );
    pattern = new RegExp(alternatives.join("|"), "g");
    if (patterns.size >= 64) patterns.delete(patterns.keys().next().value as string);
    patterns.set(secret, pattern);
  }
  return pattern;
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.replace(patternOf(secret), REDACTED);
  }
  return out.replace(SECRET_IN_URL, (_, plain?: string, once?: string, twice?: string) => `${plain ?? once ?? twice}${REDACTED}`);
}

/**
 * A redacted copy of an underlying error (name, message, code, stack, and its own causes), safe to
 * keep as the `cause` of one of our errors. Anything that is not an Error becomes one.
 */
export function sanitizeCause(error: unknown, secrets: readonly string[], depth = 0): Error | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return new Error(redactText(String(error), secrets));
  const copy = new Error(redactText(error.message, secrets));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(copy, { code });
  copy.stack = error.stack === undefined ? undefined : redactText(error.stack, secrets);
  if (depth < 3 && error.cause !== undefined) copy.cause = sanitizeCause(error.cause, secrets, depth + 1);
  return copy;
}

// Headers whose value may be a credential whatever it looks like: a session cookie set by a gateway,
// an auth header or a key echoed back, under any vendor's name.
const SECRET_HEADER = /cookie|auth|key|token|secret|signature/i;

/**
 * An answer's headers as a plain object (names in lower case), safe to keep on an error: a header
 * named like a credential (cookie, auth, key, token, secret, signature) reads `[REDACTED]`, and every other value is redacted of `secrets` and of credentials in URLs.
 */
export function redactHeaders(headers: Headers, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADER.test(name) ? REDACTED : redactText(value, secrets);
  });
  return out;
}
