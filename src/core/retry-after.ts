/** Server hints on when to ask again: `retry-after-ms` (OpenAI, Azure), `Retry-After` seconds or HTTP date. */

// A hint longer than this is treated as a day: no wait should be parked for weeks by a bad header.
const MAX_HINT_MS = 24 * 60 * 60 * 1000;

export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value)) return clamp(value);
  }
  const header = headers.get("retry-after");
  if (header === null || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : clamp(date - now);
}

function clamp(ms: number): number {
  return Math.min(Math.max(0, Math.round(ms)), MAX_HINT_MS);
}
