/** How the CLI words its messages: one period at the end of a sentence, and "did you mean" for a typo. */

/** `text` ending in exactly one full stop (or its own `?`, `!`, `…`), however the pieces it was built from ended. */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[?!…]$/.test(trimmed) ? trimmed : `${trimmed.replace(/\.+$/, "")}.`;
}

/**
 * Edits between two words: insertions, deletions, substitutions and swaps of two neighbours
 * (optimal string alignment), so "stauts" is one edit from "status", as a typist would count it.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Longer than any command or flag: a longer word is no typo of one, and is not compared. */
const LONGEST_WORD = 40;

/**
 * The candidate `word` is most likely a typo of, or undefined when none is close: at most 2 edits and
 * at most a third of the candidate's length (so "-x" suggests nothing, and "wiat" suggests "wait").
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > LONGEST_WORD) return undefined;
  const bare = (w: string) => w.replace(/^-+/, "").toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(bare(word), bare(candidate));
    const limit = Math.min(2, Math.floor(bare(candidate).length / 3));
    if (distance <= limit && distance > 0 && (!best || distance < best.distance)) best = { candidate, distance };
    if (distance === 0 && candidate !== word) return candidate;
  }
  return best?.candidate;
}

/** " Did you mean X?" for a close candidate, or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? "" : ` Did you mean ${match}?`;
}
