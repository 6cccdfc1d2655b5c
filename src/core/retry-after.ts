/** Server hints on when to ask again: `retry-after-ms` (OpenAI, Azure), `Retry-After` seconds or HTTP date. */

// A bad header must not park a wait for weeks: any hint is read as a day at most.
const MAX_HINT_MS = 24 * 60 * 60 * 1000;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
// An HTTP date in any of its three forms starts with a day name (RFC 9110 §5.6.7); requiring one keeps
// a lenient Date.parse from reading garbage such as "hello 5" as a date.
const HTTP_DATE = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+[\w\s:,-]+$/i;

/**
 * A server's hint on when to ask again, in ms. Garbage gives `undefined`, the past or a negative
 * number gives 0, and anything longer than a day is read as a day.
 * @example
 * parseRetryAfter(new Headers({ "retry-after": "2" })); // 2000
 * parseRetryAfter(new Headers({ "retry-after-ms": "150" })); // 150
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms && DECIMAL.test(ms)) return clampHint(Number(ms));
  const text = headers.get("retry-after")?.trim();
  if (!text) return undefined;
  if (DECIMAL.test(text)) return clampHint(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : clampHint(date - now);
}

function clampHint(ms: number): number {
  return Math.min(MAX_HINT_MS, Math.max(0, Math.ceil(ms)));
}
