/** Bounds provider text quoted in our messages: a status or error text may be megabytes long. */

/**
 * `text` itself when it has at most `max` characters; otherwise its first `max` characters, an
 * ellipsis and the full length (`fullLength` when `text` is already a cut of a longer one). Never
 * cuts a surrogate pair in two.
 */
export function clipText(text: string, max: number, fullLength = text.length): string {
  if (text.length <= max && fullLength <= text.length) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${fullLength} characters)`;
}
