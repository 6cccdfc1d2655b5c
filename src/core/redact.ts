/**
 * The one place that removes secrets from text. Errors are built from redacted strings only, so a
 * key cannot reach a message, a stack, a `cause`, `JSON.stringify` or `util.inspect`.
 */

export const REDACTED = "[REDACTED]";

// Credentials that travel in a query string (DeepAffects' `apikey`, Comfy's websocket `token`) are
// masked even when we do not know the value, e.g. in a URL echoed back by a gateway. The value runs
// to the next separator, whitespace or `"`; not to a `'`, which encodeURIComponent leaves raw and a
// key may contain (found by test/reliability/fuzz-model.test.ts: the rest of such a key was left).
const SECRET_QUERY = /([?&;](?:apikey|api_key|api-key|key|token|access_token)=)[^&#\s"]*/gi;

/** Every spelling of a secret that can appear in text: raw, URL-encoded, form-encoded, JSON-escaped. */
function spellings(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // Our own messages JSON-quote provider values (a strict-mode status), so a spelling the provider
  // echoed gets one more level of escaping: a key with `\` or `"` survived that way
  // (test/reliability/fuzz-wire.test.ts).
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  // Longest first, so a short form never splits a longer one and leaves part of it behind.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of spellings(secret)) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out.replace(SECRET_QUERY, `$1${REDACTED}`);
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
