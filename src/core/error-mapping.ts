/** What an error answer says: the provider's code and message read from its body, its text without HTML. */
import type { ErrorDetails } from "./errors.js";

/** The provider's error code and message, read from its error body. */
export interface ErrorBody {
  code?: string | undefined;
  message?: string | undefined;
}

/** What `ProviderConfig.errorFor` gets: the answer, its parsed error, and the common message head and details. */
export interface ErrorAnswer {
  status: number;
  body: unknown;
  response: Response;
  error: ErrorBody;
  /** `<provider> <operation> answered <status> <code>: <message>`, redacted and bounded. */
  head: string;
  details: ErrorDetails;
  /** Removes the key from provider text. */
  redact: (text: string) => string;
}

/** The provider's error code and message, as strings or nothing: a reader that throws reads nothing. */
export function readErrorBody(read: (body: unknown) => ErrorBody, body: unknown): ErrorBody {
  try {
    const parsed = read(body);
    return {
      code: typeof parsed.code === "string" ? parsed.code : undefined,
      message: typeof parsed.message === "string" ? parsed.message : undefined,
    };
  } catch {
    return {};
  }
}

/** A plain-text version of a non-JSON error body (an HTML error page, a proxy's text). */
export function textOf(body: string): string {
  return body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
