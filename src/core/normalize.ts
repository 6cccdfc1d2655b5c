/** Turns a provider's state table into a total function: any input gives a state, never an error. */
import type { JobState, StateTable } from "./state.js";

export type Fold = (raw: string) => string;

export const foldCase: Fold = (raw) => raw.trim().toLowerCase();

/** True when `raw` is one of the table's own raw statuses, exactly: "toString" or "__proto__" are not. */
export function isKnownStatus(table: StateTable, raw: unknown): raw is string {
  return typeof raw === "string" && Object.hasOwn(table, raw);
}

export function createNormalizer(table: StateTable, fold: Fold = foldCase): (raw: unknown) => JobState {
  const folded = new Map<string, JobState>();
  for (const [raw, state] of Object.entries(table)) folded.set(fold(raw), state);
  return (raw) => (typeof raw === "string" ? (folded.get(fold(raw)) ?? "unknown") : "unknown");
}

// Rate budgets and shared backoff are per credential. Keys are named by the order this process
// first saw them, so the name says nothing about the key itself.
const keyNames = new Map<string, string>();

export function rateKeyFor(provider: string, apiKey: string): string {
  let name = keyNames.get(apiKey);
  if (name === undefined) {
    name = `key${keyNames.size + 1}`;
    keyNames.set(apiKey, name);
  }
  return `${provider}:${name}`;
}
