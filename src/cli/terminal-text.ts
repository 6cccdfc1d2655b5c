/**
 * Text a provider sends (a status, an error message, a job id) made safe to print: a terminal obeys
 * control characters, so an answer could otherwise retitle the window (OSC 0/2), write the clipboard
 * (OSC 52), clear the screen, move the cursor, hide a link (OSC 8) or reverse text (U+202E).
 */

/**
 * How much provider text a human line shows: a status is a word, a job's error text a few lines; an
 * error of ours may quote an answer and still needs room for its advice after the quote.
 */
export const SHOWN = { word: 64, id: 256, message: 400, error: 1_000 } as const;

// C0 and DEL and C1; bidi embeddings, overrides, isolates and marks; line/paragraph separators; BOM.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const LONE_SURROGATE = /^[\ud800-\udfff]$/;

function visible(char: string): string {
  if (char === "\t" || char === "\n" || char === "\r") return " ";
  if (CONTROL.test(char)) return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  if (INVISIBLE.test(char)) return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  if (LONE_SURROGATE.test(char)) return "\ufffd";
  return char;
}

/**
 * Provider text for a human line: every control or direction-changing character shown as an escape
 * (`\x1b`, `\u202e`), line breaks and tabs as spaces, and at most `max` characters, cut with "…".
 * Reads no more of `text` than it shows, so a megabyte status costs no more than a short one.
 */
export function printable(text: string, max: number): string {
  let out = "";
  // for-of walks code points, so a cut never splits an emoji's surrogate pair.
  for (const char of text) {
    const shown = visible(char);
    if (out.length + shown.length > max) return `${out}…`;
    out += shown;
  }
  return out;
}

// JSON.stringify escapes C0 controls and lone surrogates, not DEL, C1, separators or bidi controls.
const JSON_UNESCAPED = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * One value as a line of JSON in pure printable text: complete (nothing cut), and with every control
 * or invisible character as a `\uXXXX` escape, so the line is safe on a terminal and parses back the same.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
